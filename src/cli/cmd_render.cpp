#include <cstdio>
#include <filesystem>
#include <set>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/kafka/quorum.hpp"
#include "render/kafka.hpp"
#include "render/zookeeper.hpp"
#include "util/file.hpp"
#include "util/redact.hpp"

namespace fs = std::filesystem;

namespace zkctl::cli {

namespace {

// The permission bits a rendered file gets on the operator's machine: 0600 when it holds a
// secret (its mode keeps others out, or its text holds one), else its mode within 0644.
unsigned local_mode(const render::RenderedFile& f) {
  if ((f.mode & 0004) == 0 || util::holds_secret(f.content)) return 0600;
  return static_cast<unsigned>(f.mode) & 0644;
}

// The files written so far: where, so no two files of one run share a path.
struct Tree {
  std::string out_dir;
  std::set<std::string> written;
};

// Write `files` of `node` (a server or a Kafka node) into `tree`, each atomically with its
// local mode; false after printing why on a write error or a clash.
template <typename Node>
bool write_files(Tree& tree, const Node& node, const std::vector<render::RenderedFile>& files) {
  for (const auto& f : files) {
    const std::string p = (fs::path(tree.out_dir) / render::local_name(node, f)).string();
    auto r = tree.written.insert(p).second
                 ? util::make_dirs(fs::path(p).parent_path().string(), 0755)
                 : util::Result<void>(util::fail(p + ": written twice by this render"));
    if (r) r = util::write_file_atomically(p, f.content, local_mode(f));
    if (!r) {
      std::fprintf(stderr, "zkctl: cannot write %s\n", r.error().message.c_str());
      return false;
    }
    std::printf("%s  (-> %s:%s)\n", p.c_str(), node.host.c_str(), f.path.c_str());
  }
  return true;
}

// Render every node of `nodes` with `render_node` and write its files; an exit code.
template <typename Nodes, typename RenderNode>
int render_all(Tree& tree, const Nodes& nodes, RenderNode render_node) {
  for (const auto& node : nodes) {
    auto files = render_node(node);
    if (!files) {
      std::fprintf(stderr, "zkctl: %s: %s\n", node.host.c_str(), files.error().message.c_str());
      return kUsage;
    }
    if (!write_files(tree, node, *files)) return kFailed;
  }
  return kOk;
}

}  // namespace

int cmd_render(GlobalOptions& g, const std::string& out_dir) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const inventory::Cluster& cluster = loaded->cluster;
  Tree tree{out_dir, {}};
  int rc = render_all(tree, cluster.servers, [&](const inventory::Server& s) {
    return render::render_zookeeper_node(cluster, s, g.ops.templates);
  });
  if (rc == kOk) {
    const render::KafkaQuorum quorum = ops::offline_quorum(cluster);
    rc = render_all(tree, cluster.kafka_nodes, [&](const inventory::KafkaNode& n) {
      return render::render_kafka_node(cluster, n, g.ops.templates, nullptr, quorum);
    });
  }
  std::fprintf(stderr, "%s %zu files for %zu servers and %zu Kafka nodes into %s\n",
               rc == kOk ? "rendered" : "stopped after writing", tree.written.size(),
               cluster.servers.size(), cluster.kafka_nodes.size(), out_dir.c_str());
  return rc;
}

}  // namespace zkctl::cli
