#include "render/kafka_paths.hpp"

namespace zkctl::render {

KafkaPaths kafka_paths(const inventory::KafkaNode& node) {
  KafkaPaths p;
  for (const auto& dir : node.log_dirs) p.log_dirs.push_back(detail::trim_slashes(dir));
  if (!p.log_dirs.empty()) p.meta_properties = detail::join(p.log_dirs.front(), "meta.properties");
  static_cast<InstallPaths&>(p) = detail::install_paths(node.install_dir);
  p.config_dir = detail::join(p.install_dir, "config");
  p.server_properties = detail::join(p.config_dir, "server.properties");
  p.env_file = detail::join(p.config_dir, "kafka-env.sh");
  p.pid_file = detail::join(p.install_dir, "kafka.pid");
  p.tls_dir = detail::join(p.config_dir, "tls");
  p.node_pem = detail::join(p.tls_dir, "node.pem");
  p.ca_pem = detail::join(p.tls_dir, "ca.pem");
  p.admin_pem = detail::join(p.tls_dir, "admin.pem");
  p.admin_properties = detail::join(p.tls_dir, "admin.properties");
  return p;
}

}  // namespace zkctl::render
