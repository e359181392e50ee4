#pragma once
// Clusters for unit tests of operations, built in code (no inventory file, no
// validation): ZooKeeper servers and Kafka nodes on loopback addresses, so a status
// probe to a closed port fails at once instead of waiting on a resolver. The clusters
// built here are open (the seed's layout: no TLS, no authentication, no authorization)
// unless passed through secure().

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inventory/model.hpp"

namespace zkctl::testing {

// An INTERNAL listener port the loader gives brokers of a cluster that is not open.
inline constexpr int kSecureInternalPort = 9094;

// [security] of an open cluster: tls = false, authentication = "none", authorization = false.
inline inventory::SecuritySettings open_security() {
  inventory::SecuritySettings s;
  s.tls = false;
  s.authentication = inventory::Authentication::none;
  s.authorization = false;
  return s;
}

// `c` as the loader gives it without a [security] table: TLS, SCRAM, authorization on,
// every Kafka node's INTERNAL listener on kSecureInternalPort.
inline inventory::Cluster secure(inventory::Cluster c) {
  c.security = inventory::SecuritySettings{};
  for (auto& n : c.kafka_nodes) n.internal_port = kSecureInternalPort;
  return c;
}

// A voter `id` on `host` with zkctl's usual dirs; `client_port` is where status probes it.
inline inventory::Server zk_server(const std::string& host, int id, int client_port = 1) {
  inventory::Server s;
  s.host = host;
  s.id = id;
  s.ports.client = client_port;
  s.install_dir = "/opt/zookeeper";
  s.data_dir = "/var/lib/zookeeper";
  return s;
}

// Open cluster `name` of `count` voters node1, node2, ... with ids 1, 2, ... and nothing
// else set (no ports, no dirs).
inline inventory::Cluster bare_voters(int count, const std::string& name) {
  inventory::Cluster c;
  c.name = name;
  c.security = open_security();
  for (int i = 1; i <= count; ++i) {
    inventory::Server s;
    s.host = "node" + std::to_string(i);
    s.id = i;
    c.servers.push_back(s);
  }
  return c;
}

// An observer `id` on `host`, nothing else set.
inline inventory::Server bare_observer(const std::string& host, int id) {
  inventory::Server o;
  o.host = host;
  o.id = id;
  o.role = inventory::Role::observer;
  return o;
}

// Open cluster `name` of bare voters node1..node3 and the bare observer nn01 (id 4).
inline inventory::Cluster three_voters_and_an_observer(const std::string& name) {
  inventory::Cluster c = bare_voters(3, name);
  c.servers.push_back(bare_observer("nn01", 4));
  return c;
}

// A Kafka node `id` on `host`, broker and/or controller, with one log dir and no INTERNAL
// listener (an open cluster's; secure() adds it).
inline inventory::KafkaNode kafka_node(const std::string& host, int id, bool broker,
                                       bool controller) {
  inventory::KafkaNode n;
  n.host = host;
  n.id = id;
  n.broker = broker;
  n.controller = controller;
  n.install_dir = "/opt/kafka";
  n.log_dirs = {"/var/lib/kafka"};
  return n;
}

// Open cluster "t" of `servers` and, when `nodes` is not empty, a KRaft Kafka of `nodes`.
inline inventory::Cluster cluster_of(std::vector<inventory::Server> servers,
                                     std::vector<inventory::KafkaNode> nodes = {}) {
  inventory::Cluster c;
  c.name = "t";
  c.security = open_security();
  c.servers = std::move(servers);
  if (!nodes.empty()) {
    c.kafka = inventory::KafkaSettings{};
    c.kafka->mode = inventory::KafkaMode::kraft;
    c.kafka_nodes = std::move(nodes);
  }
  return c;
}

// A directory under $TMPDIR removed with everything in it when the TempDir goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    path_ = ::mkdtemp(templ.data()) != nullptr ? templ : "";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A distribution tarball `name` in `dir` holding only the empty file `member` (e.g.
// "kafka_2.13-4.0.0/libs/kafka-clients-4.0.0.jar"), enough for its version to be read.
inline std::string fake_distribution(const std::string& dir, const std::string& name,
                                     const std::string& member) {
  namespace fs = std::filesystem;
  const fs::path tree = fs::path(dir) / "tree";
  fs::create_directories((tree / member).parent_path());
  { std::ofstream(tree / member); }
  // A ZooKeeper distribution ships the Prometheus provider [metrics] needs.
  if (const auto lib = member.find("/lib/zookeeper-"); lib != std::string::npos) {
    const fs::path dir_of_jars = tree / member.substr(0, lib + 4);
    std::ofstream(dir_of_jars / "zookeeper-prometheus-metrics-3.9.4.jar");
    std::ofstream(dir_of_jars / "simpleclient-0.9.0.jar");
  }
  const std::string tarball = (fs::path(dir) / name).string();
  const std::string top = member.substr(0, member.find('/'));
  const std::string cmd = "tar -czf '" + tarball + "' -C '" + tree.string() + "' '" + top + "'";
  return std::system(cmd.c_str()) == 0 ? tarball : "";
}

}  // namespace zkctl::testing
