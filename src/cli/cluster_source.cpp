#include "cli/cluster_source.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "inventory/load.hpp"
#include "ops/cluster/state.hpp"
#include "util/redact.hpp"

namespace zkctl::cli {

namespace {
std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Before the loader speaks (its diagnostics may quote values): every `KEY = "VALUE"` line
// of the TOML text whose KEY names a secret gives the redactor VALUE, also as JSON escapes it.
void remember_secrets(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    auto strip = [](std::string& s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
      if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        s = s.substr(1, s.size() - 2);
    };
    strip(key);
    strip(value);
    if (!util::is_secret_key(key)) continue;
    util::global_redactor().add_config({{key, value}});
    const std::string escaped = nlohmann::json(value).dump();
    util::global_redactor().add_secret(escaped.substr(1, escaped.size() - 2));
  }
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
  remember_secrets(*text);
  auto result = inventory::load_string(*text, shown_name, base_dir);
  for (const auto& d : result.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
  if (result.has_errors() || !result.cluster) return std::nullopt;
  util::global_redactor().add_config(result.cluster->zookeeper.extra_config);
  if (result.cluster->kafka)
    util::global_redactor().add_config(result.cluster->kafka->extra_config);
  return LoadedCluster{std::move(*result.cluster), std::move(*text), path};
}

}  // namespace zkctl::cli
