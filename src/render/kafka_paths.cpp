#include "render/kafka_paths.hpp"

namespace zkctl::render {

using detail::join;
using detail::trim_slashes;

KafkaPaths kafka_paths(const inventory::KafkaNode& node) {
  KafkaPaths p;
  static_cast<InstallPaths&>(p) = detail::install_paths(node.install_dir);
  p.config_dir = join(p.install_dir, "config");
  p.server_properties = join(p.config_dir, "server.properties");
  p.env_file = join(p.config_dir, "kafka-env.sh");
  p.pid_file = join(p.install_dir, "kafka.pid");
  for (const auto& dir : node.log_dirs) p.log_dirs.push_back(trim_slashes(dir));
  if (!p.log_dirs.empty()) p.meta_properties = join(p.log_dirs.front(), "meta.properties");
  return p;
}

}  // namespace zkctl::render
