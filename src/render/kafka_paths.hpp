#pragma once
// Where a Kafka node's files live on its host: one function, so deploy and render agree.

#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "render/path_join.hpp"

namespace zkctl::render {

// install_dir, releases_dir, current_link and log_dir (<install>/logs: LOG_DIR, Kafka's
// own log4j output) from InstallPaths.
struct KafkaPaths : InstallPaths {
  std::string config_dir;         // <install>/config
  std::string server_properties;  // <config>/server.properties
  std::string env_file;           // <config>/kafka-env.sh (sourced before kafka-server-start.sh)
  std::string pid_file;           // <install>/kafka.pid
  std::string tls_dir;            // <config>/tls: root's, the TLS material of a secure cluster
  std::string node_pem;           // <tls>/node.pem: the node's key (PKCS#8) then its chain
  std::string ca_pem;             // <tls>/ca.pem: the CA every certificate chains to
  std::string admin_pem;          // <tls>/admin.pem: zkctl's admin key and chain (root only)
  std::string admin_properties;   // <tls>/admin.properties: client config of the kafka-* tools
                                  // zkctl runs on the host (INTERNAL listener, admin.pem)
  std::vector<std::string> log_dirs;  // log.dirs (the partition data), trailing '/' removed
  std::string meta_properties;        // <first log dir>/meta.properties (written by the broker or
                                      // by kafka-storage.sh format); empty without log dirs
};

// The paths for `node`, derived only from its install_dir and log_dirs.
KafkaPaths kafka_paths(const inventory::KafkaNode& node);

}  // namespace zkctl::render
