#include "cli/cluster_source.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "inventory/load.hpp"
#include "ops/state.hpp"

namespace zkctl::cli {

namespace {
std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

std::optional<LoadedCluster> load_cluster(const ClusterChoice& choice) {
  std::string path = choice.inventory_path;
  std::string base_dir;
  std::string shown_name;
  if (path.empty()) {
    auto rec = ops::find_cluster(choice.cluster_name);
    if (!rec) {
      std::fprintf(stderr, "zkctl: %s\n", rec.error().message.c_str());
      return std::nullopt;
    }
    path = rec->inventory_copy;
    base_dir = rec->base_dir;
    shown_name = rec->source.empty() ? path : rec->source;
  } else {
    base_dir = std::filesystem::absolute(path).parent_path().string();
    shown_name = path;
  }
  auto text = read_text(path);
  if (!text) {
    std::fprintf(stderr, "%s: error: cannot read the inventory\n", path.c_str());
    return std::nullopt;
  }
  auto result = inventory::load_string(*text, shown_name, base_dir);
  for (const auto& d : result.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
  if (result.has_errors() || !result.cluster) return std::nullopt;
  return LoadedCluster{std::move(*result.cluster), std::move(*text), path};
}

}  // namespace zkctl::cli
