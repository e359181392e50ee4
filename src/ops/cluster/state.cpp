#include "ops/cluster/state.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ops/host/checksum.hpp"

namespace fs = std::filesystem;

#include "util/clock.hpp"

namespace zkctl::ops {

namespace {

util::Result<void> write_atomically(const fs::path& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return util::fail(path.parent_path().string() + ": " + ec.message());
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return util::fail(tmp.string() + ": write failed");
  }
  fs::rename(tmp, path, ec);
  if (ec) return util::fail(path.string() + ": " + ec.message());
  return {};
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string state_home() {
  if (const char* h = std::getenv("ZKCTL_HOME"); h && *h) return h;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.zkctl";
}

util::Result<void> record_cluster(const std::string& name, const std::string& source_path,
                                  const std::string& inventory_text) {
  fs::path dir = fs::path(state_home()) / "clusters" / name;
  fs::path source = fs::absolute(source_path);
  if (auto r = write_atomically(dir / "inventory.toml", inventory_text); !r) return r;
  nlohmann::json j = {{"name", name},
                      {"source", source.string()},
                      {"base_dir", source.parent_path().string()},
                      {"sha256", sha256_hex(inventory_text)},
                      {"deployed_at", util::utc_now_iso8601()}};
  if (auto r = write_atomically(dir / "cluster.json", j.dump(2) + "\n"); !r) return r;
  return write_atomically(fs::path(state_home()) / "current", name + "\n");
}

std::string recorded_kafka_cluster_id(const std::string& name) {
  std::string id = read_text(fs::path(state_home()) / "clusters" / name / "kafka-cluster-id");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

util::Result<void> record_kafka_cluster_id(const std::string& name, const std::string& id) {
  return write_atomically(fs::path(state_home()) / "clusters" / name / "kafka-cluster-id",
                          id + "\n");
}

std::vector<std::string> recorded_cluster_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(state_home()) / "clusters", ec)) {
    if (fs::exists(e.path() / "cluster.json")) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

util::Result<RecordedCluster> find_cluster(const std::string& wanted) {
  std::string name = wanted;
  if (name.empty()) {
    std::string cur = read_text(fs::path(state_home()) / "current");
    while (!cur.empty() && (cur.back() == '\n' || cur.back() == ' ')) cur.pop_back();
    name = cur;
    if (name.empty() || !fs::exists(fs::path(state_home()) / "clusters" / name)) {
      auto names = recorded_cluster_names();
      if (names.size() == 1) {
        name = names[0];
      } else if (names.empty()) {
        return util::fail("no cluster recorded in " + state_home() +
                          ": run 'zkctl deploy INVENTORY' first, or pass -i INVENTORY");
      } else {
        return util::fail("several clusters recorded; choose one with -c NAME or -i INVENTORY");
      }
    }
  }
  fs::path dir = fs::path(state_home()) / "clusters" / name;
  if (!fs::exists(dir / "cluster.json")) {
    return util::fail("cluster '" + name + "' is not recorded in " + state_home());
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(dir / "cluster.json"));
  } catch (const std::exception& e) {
    return util::fail((dir / "cluster.json").string() + ": " + e.what());
  }
  RecordedCluster rc;
  rc.name = j.value("name", name);
  rc.source = j.value("source", "");
  rc.base_dir = j.value("base_dir", "");
  rc.sha256 = j.value("sha256", "");
  rc.deployed_at = j.value("deployed_at", "");
  rc.inventory_copy = (dir / "inventory.toml").string();
  return rc;
}

}  // namespace zkctl::ops
