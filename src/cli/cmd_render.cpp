#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "render/kafka.hpp"
#include "render/zookeeper.hpp"

namespace fs = std::filesystem;

namespace zkctl::cli {

namespace {
// Write `files` of `host` under `out_dir` as `name_of(file)`; false on a write error.
template <typename NameOf>
bool write_files(const std::string& out_dir, const std::string& host,
                 const std::vector<render::RenderedFile>& files, NameOf name_of, int& written) {
  for (const auto& f : files) {
    fs::path p = fs::path(out_dir) / name_of(f);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << f.content;
    if (!out) {
      std::fprintf(stderr, "zkctl: cannot write %s\n", p.c_str());
      return false;
    }
    std::printf("%s  (-> %s:%s)\n", p.c_str(), host.c_str(), f.path.c_str());
    ++written;
  }
  return true;
}
}  // namespace

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
    auto name = [&](const render::RenderedFile& f) { return render::local_name(server, f); };
    if (!write_files(out_dir, server.host, *files, name, written)) return kFailed;
  }
  for (const auto& node : loaded->cluster.kafka_nodes) {
    auto files = render::render_kafka_node(loaded->cluster, node, g.ops.templates);
    if (!files) {
      std::fprintf(stderr, "zkctl: %s: %s\n", node.host.c_str(), files.error().message.c_str());
      return kUsage;
    }
    auto name = [&](const render::RenderedFile& f) {
      return "kafka-" + render::local_name(node, f);
    };
    if (!write_files(out_dir, node.host, *files, name, written)) return kFailed;
  }
  std::fprintf(stderr, "rendered %d files for %zu servers and %zu Kafka nodes into %s\n", written,
               loaded->cluster.servers.size(), loaded->cluster.kafka_nodes.size(), out_dir.c_str());
  return kOk;
}

}  // namespace zkctl::cli
