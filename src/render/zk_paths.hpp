#pragma once
// Where ZooKeeper's files live on a host: one function, so deploy and render agree.

#include <string>

#include "inventory/model.hpp"
#include "render/path_join.hpp"

namespace zkctl::render {

// install_dir, releases_dir, current_link and log_dir (<install>/logs) from InstallPaths.
struct ZkPaths : InstallPaths {
  std::string conf_dir;      // <install>/conf
  std::string zoo_cfg;       // <conf>/zoo.cfg
  std::string env_file;      // <conf>/zookeeper-env.sh (sourced by zkEnv.sh)
  std::string tls_dir;       // <conf>/tls: root's, the TLS material of a secure cluster
  std::string node_pem;      // <tls>/node.pem: the server's key (PKCS#8) then its chain
  std::string ca_pem;        // <tls>/ca.pem: the CA every certificate chains to
  std::string data_dir;      // the server's data_dir, trailing '/' removed
  std::string data_log_dir;  // the server's data_log_dir; empty: the log lives in data_dir
  std::string myid;          // <data>/myid
  std::string pid_file;      // <data>/zookeeper_server.pid (zkServer.sh's default)
};

// The paths for `server`, derived only from its install_dir and data_dir(s).
ZkPaths zk_paths(const inventory::Server& server);

}  // namespace zkctl::render
