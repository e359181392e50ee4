#include "render/zk_paths.hpp"

namespace zkctl::render {

using detail::join;
using detail::trim_slashes;

ZkPaths zk_paths(const inventory::Server& server) {
  ZkPaths p;
  static_cast<InstallPaths&>(p) = detail::install_paths(server.install_dir);
  p.conf_dir = join(p.install_dir, "conf");
  p.zoo_cfg = join(p.conf_dir, "zoo.cfg");
  p.env_file = join(p.conf_dir, "zookeeper-env.sh");
  p.tls_dir = join(p.conf_dir, "tls");
  p.node_pem = join(p.tls_dir, "node.pem");
  p.ca_pem = join(p.tls_dir, "ca.pem");
  p.data_dir = trim_slashes(server.data_dir);
  p.data_log_dir = server.data_log_dir.empty() ? std::string() : trim_slashes(server.data_log_dir);
  p.myid = join(p.data_dir, "myid");
  p.pid_file = join(p.data_dir, "zookeeper_server.pid");
  return p;
}

}  // namespace zkctl::render
