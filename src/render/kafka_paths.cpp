#include "render/kafka_paths.hpp"

namespace zkctl::render {

namespace {

// `dir` without trailing slashes ("/" stays "/").
std::string trim_slashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string join(const std::string& dir, const char* name) {
  return dir == "/" ? dir + name : dir + "/" + name;
}

}  // namespace

KafkaPaths kafka_paths(const inventory::KafkaNode& node) {
  KafkaPaths p;
  p.install_dir = trim_slashes(node.install_dir);
  p.releases_dir = join(p.install_dir, "releases");
  p.current_link = join(p.install_dir, "current");
  p.config_dir = join(p.install_dir, "config");
  p.server_properties = join(p.config_dir, "server.properties");
  p.env_file = join(p.config_dir, "kafka-env.sh");
  p.log_dir = join(p.install_dir, "logs");
  p.pid_file = join(p.install_dir, "kafka.pid");
  for (const auto& dir : node.log_dirs) p.log_dirs.push_back(trim_slashes(dir));
  if (!p.log_dirs.empty()) p.meta_properties = join(p.log_dirs.front(), "meta.properties");
  return p;
}

}  // namespace zkctl::render
