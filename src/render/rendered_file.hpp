#pragma once
// One rendered config file, ready to be written to a host.

#include <string>

#include "inventory/model.hpp"

namespace zkctl::render {

// Who owns a written file.
enum class FileOwner {
  service,  // the inventory's service user (configs the service reads)
  root,     // root (systemd units)
};

struct RenderedFile {
  std::string path;     // absolute path on the remote host
  std::string content;  // the file's exact bytes
  int mode = 0644;      // permission bits: 0644 configs, 0600 secrets and keys
  FileOwner owner = FileOwner::service;
};

// Where `file` of a server goes under `zkctl render --out DIR`: one directory per server,
// "<host>/zookeeper-<id>/<basename>" (e.g. "node1/zookeeper-1/zoo.cfg") or
// "<host>/kafka-<id>/<basename>", so servers sharing a host never overwrite each other.
// Characters outside [A-Za-z0-9._:-] in the host become '_' (and "."/".." become "_"), so
// the name never leaves its host directory.
std::string local_name(const inventory::Server& server, const RenderedFile& file);
std::string local_name(const inventory::KafkaNode& node, const RenderedFile& file);

}  // namespace zkctl::render
