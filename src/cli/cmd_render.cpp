#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "render/kafka.hpp"
#include "render/zookeeper.hpp"

namespace fs = std::filesystem;

namespace zkctl::cli {

int cmd_render(GlobalOptions& g, const std::string& out_dir) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  int written = 0;
  for (const auto& server : loaded->cluster.servers) {
    auto files = render::render_zookeeper_node(loaded->cluster, server, g.ops.templates);
    if (!files) {
      std::fprintf(stderr, "zkctl: %s: %s\n", server.host.c_str(), files.error().message.c_str());
      return kUsage;
    }
    for (const auto& f : *files) {
      fs::path p = fs::path(out_dir) / render::local_name(server, f);
      std::error_code ec;
      fs::create_directories(p.parent_path(), ec);
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << f.content;
      if (!out) {
        std::fprintf(stderr, "zkctl: cannot write %s\n", p.c_str());
        return kFailed;
      }
      std::printf("%s  (-> %s:%s)\n", p.c_str(), server.host.c_str(), f.path.c_str());
      ++written;
    }
  }
  for (const auto& node : loaded->cluster.kafka_nodes) {
    auto files = render::render_kafka_node(loaded->cluster, node, g.ops.templates);
    if (!files) {
      std::fprintf(stderr, "zkctl: %s: %s\n", node.host.c_str(), files.error().message.c_str());
      return kUsage;
    }
    for (const auto& f : *files) {
      fs::path p = fs::path(out_dir) / ("kafka-" + render::local_name(node, f));
      std::error_code ec;
      fs::create_directories(p.parent_path(), ec);
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << f.content;
      if (!out) {
        std::fprintf(stderr, "zkctl: cannot write %s\n", p.c_str());
        return kFailed;
      }
      std::printf("%s  (-> %s:%s)\n", p.c_str(), node.host.c_str(), f.path.c_str());
      ++written;
    }
  }
  std::fprintf(stderr, "rendered %d files for %zu servers into %s\n", written,
               loaded->cluster.servers.size(), out_dir.c_str());
  return kOk;
}

}  // namespace zkctl::cli
