#pragma once
// One rendered config file, ready to be written to a host.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "util/redact.hpp"

namespace zkctl::render {

// Who owns a written file on a host. Nothing root executes, sources or reads as
// configuration is the service user's: configs, env files and units are root's.
enum class FileOwner {
  root,          // root:root (configs with nothing secret, env files, units), in a root-owned dir
  root_service,  // root with the service user's group: a secret the service reads (0640)
  service,       // the service user: a file in a dir the service owns (myid), written as that user
};

// Who reads a written file: the service (a change takes a restart) or only zkctl's own tools on
// the host (admin.pem, admin.properties: a change needs none).
enum class ReadBy { service, zkctl };

struct RenderedFile {
  std::string path;     // absolute path on the remote host
  std::string content;  // the file's exact bytes
  int mode = 0644;      // permission bits: 0644, 0640 with FileOwner::root_service (a secret
                        // the service reads), 0600 root (zkctl's own identity on a Kafka node)
  FileOwner owner = FileOwner::root;
  ReadBy read_by = ReadBy::service;
};

// A config file the service reads, root-owned: 0640 with the service user's group when
// one of `config`'s keys holds a secret (util::is_secret_key), else 0644 root:root.
inline RenderedFile config_file(std::string path, std::string content,
                                const std::vector<std::pair<std::string, std::string>>& config) {
  const bool secret = std::any_of(config.begin(), config.end(),
                                  [](const auto& kv) { return util::is_secret_key(kv.first); });
  return RenderedFile{.path = std::move(path),
                      .content = std::move(content),
                      .mode = secret ? 0640 : 0644,
                      .owner = secret ? FileOwner::root_service : FileOwner::root};
}

// Where `file` of a server goes under `zkctl render --out DIR`: one directory per server,
// "<host>/zookeeper-<id>/<basename>" (e.g. "node1/zookeeper-1/zoo.cfg") or
// "<host>/kafka-<id>/<basename>", so servers sharing a host never overwrite each other.
// Characters outside [A-Za-z0-9._:-] in the host become '_' (and "."/".." become "_"), so
// the name never leaves its host directory.
std::string local_name(const inventory::Server& server, const RenderedFile& file);
std::string local_name(const inventory::KafkaNode& node, const RenderedFile& file);

}  // namespace zkctl::render
