#include "ops/cluster/state.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ops/host/checksum.hpp"
#include "util/clock.hpp"
#include "util/file.hpp"

namespace fs = std::filesystem;

namespace zkctl::ops {

namespace {

constexpr unsigned kDirMode = 0700;
constexpr unsigned kFileMode = 0600;

// Tighten `p` to `mode` when it has any group or other bit (links are never followed);
// whether it did. A chmod that fails is described in `problem` (the first one only).
bool tighten(const fs::path& p, unsigned mode, std::string& problem) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0 || S_ISLNK(st.st_mode) || (st.st_mode & 077) == 0) return false;
  if (::chmod(p.c_str(), static_cast<mode_t>(mode)) == 0) return true;
  if (problem.empty()) problem = p.string() + ": " + std::strerror(errno);
  return false;
}

// What zkctl keeps directly in the home; only these (and all under "clusters") are
// tightened, so a $ZKCTL_HOME pointed at a shared directory (~, /tmp) loses nothing else.
constexpr std::array kOwnEntries = {"clusters", "current", "audit.log"};

// Tighten zkctl's own entries under `top`; how many it tightened.
int tighten_entries(const fs::path& top, std::string& problem) {
  int tightened = 0;
  for (const char* name : kOwnEntries) {
    std::error_code ec;
    const fs::path p = top / name;
    const auto type = fs::symlink_status(p, ec).type();
    if (type == fs::file_type::regular) tightened += tighten(p, kFileMode, problem) ? 1 : 0;
    if (type != fs::file_type::directory) continue;
    tightened += tighten(p, kDirMode, problem) ? 1 : 0;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      const auto t = it->symlink_status(ec).type();
      if (t == fs::file_type::directory || t == fs::file_type::regular)
        tightened +=
            tighten(it->path(), t == fs::file_type::directory ? kDirMode : kFileMode, problem) ? 1
                                                                                               : 0;
    }
  }
  return tightened;
}

// Create `home` 0700 when missing; when it or zkctl's records in it are open to other
// users, tighten them (directories 0700, files 0600) with one warning line on stderr. A
// home shared on purpose (sticky, or not the user's) is not changed, only warned about.
void secure_home(const std::string& home) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::error_code ec;
  if (!fs::exists(home, ec)) {
    (void)util::make_dirs(home, kDirMode);  // a failure shows when something is written
    return;
  }
  const fs::path top = fs::canonical(home, ec);  // $ZKCTL_HOME may itself be a link
  struct stat st {};
  if (ec || ::stat(top.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  std::string problem;
  const bool shared = (st.st_mode & S_ISVTX) != 0 || st.st_uid != ::geteuid();
  if (shared && (st.st_mode & 077) != 0)
    problem = home + " is shared with other users; give zkctl a private $ZKCTL_HOME";
  int tightened = !shared && tighten(top, kDirMode, problem) ? 1 : 0;
  tightened += tighten_entries(top, problem);
  if (tightened > 0)
    std::fprintf(stderr,
                 "zkctl: warning: %s was open to other users (%d entries); now directories "
                 "0700, files 0600\n",
                 home.c_str(), tightened);
  if (!problem.empty())
    std::fprintf(stderr, "zkctl: warning: %s is open to other users: %s\n", home.c_str(),
                 problem.c_str());
}

// Write `content` to `path` under the state home (0600, atomically), creating its
// directories 0700.
util::Result<void> write_state_file(const fs::path& path, const std::string& content) {
  if (auto r = util::make_dirs(path.parent_path().string(), kDirMode); !r) return r;
  return util::write_file_atomically(path.string(), content, kFileMode);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string state_home() {
  std::string home;
  if (const char* h = std::getenv("ZKCTL_HOME"); h && *h) {
    home = h;
  } else {
    const char* user_home = std::getenv("HOME");
    home = std::string(user_home && *user_home ? user_home : "/root") + "/.zkctl";
  }
  secure_home(home);
  return home;
}

util::Result<void> record_cluster(const std::string& name, const std::string& source_path,
                                  const std::string& inventory_text) {
  fs::path dir = fs::path(state_home()) / "clusters" / name;
  fs::path source = fs::absolute(source_path);
  if (auto r = write_state_file(dir / "inventory.toml", inventory_text); !r) return r;
  nlohmann::json j = {{"name", name},
                      {"source", source.string()},
                      {"base_dir", source.parent_path().string()},
                      {"sha256", sha256_hex(inventory_text)},
                      {"deployed_at", util::utc_now_iso8601()}};
  if (auto r = write_state_file(dir / "cluster.json", j.dump(2) + "\n"); !r) return r;
  return write_state_file(fs::path(state_home()) / "current", name + "\n");
}

namespace {

// One line kept in the cluster's record dir (`file`), without its trailing newline; "" if none.
std::string recorded_line(const std::string& name, const char* file) {
  std::string text = read_text(fs::path(state_home()) / "clusters" / name / file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

util::Result<void> record_line(const std::string& name, const char* file, const std::string& text) {
  return write_state_file(fs::path(state_home()) / "clusters" / name / file, text + "\n");
}

}  // namespace

std::string recorded_kafka_cluster_id(const std::string& name) {
  return recorded_line(name, "kafka-cluster-id");
}

util::Result<void> record_kafka_cluster_id(const std::string& name, const std::string& id) {
  return record_line(name, "kafka-cluster-id", id);
}

std::string recorded_security_phase(const std::string& name) {
  return recorded_line(name, "security-phase");
}

util::Result<void> record_security_phase(const std::string& name, const std::string& text) {
  return record_line(name, "security-phase", text);
}

std::string recorded_migration(const std::string& name) {
  return read_text(fs::path(state_home()) / "clusters" / name / "migration.json");
}

util::Result<void> record_migration(const std::string& name, const std::string& json) {
  return write_state_file(fs::path(state_home()) / "clusters" / name / "migration.json", json);
}

std::string recorded_kafka_upgrade(const std::string& name) {
  return read_text(fs::path(state_home()) / "clusters" / name / "kafka-upgrade.json");
}

util::Result<void> record_kafka_upgrade(const std::string& name, const std::string& json) {
  return write_state_file(fs::path(state_home()) / "clusters" / name / "kafka-upgrade.json", json);
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
