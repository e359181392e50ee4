#include "ops/host/facts.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

namespace zkctl::ops {

void add_listener(const std::string& value, std::vector<Listener>& listeners) {
  static const std::regex pid_re("pid=([0-9]+)");
  auto sp = value.find(' ');
  Listener l;
  l.port = std::atoi(value.substr(0, sp).c_str());
  std::string rest = sp == std::string::npos ? "" : value.substr(sp);
  for (std::sregex_iterator it(rest.begin(), rest.end(), pid_re), end; it != end; ++it) {
    l.pids.push_back(std::stoi((*it)[1].str()));
  }
  for (auto& existing : listeners) {
    if (existing.port == l.port) {
      existing.pids.insert(existing.pids.end(), l.pids.begin(), l.pids.end());
      return;
    }
  }
  listeners.push_back(l);
}

std::vector<std::string> port_conflicts(const std::vector<Listener>& listeners,
                                        std::optional<int> own_pid, const std::string& product) {
  std::vector<std::string> problems;
  for (const auto& l : listeners) {
    if (own_pid && std::find(l.pids.begin(), l.pids.end(), *own_pid) != l.pids.end()) continue;
    std::string who;
    for (int p : l.pids) who += (who.empty() ? "pid " : ",") + std::to_string(p);
    problems.push_back("port " + std::to_string(l.port) + " is already in use" +
                       (who.empty() ? "" : " by " + who) + " (not this cluster's " + product + ")");
  }
  return problems;
}

bool parse_common_fact(const std::string& key, const std::string& val, CommonFacts& f) {
  if (key == "java") {
    f.java_version = val.empty() ? "java (unknown version)" : val;
  } else if (key == "unwritable") {
    f.unwritable.push_back(val);
  } else if (key == "release") {
    f.release_sha256 = val;
  } else if (key == "jrelease") {
    f.java_release_sha256 = val;
  } else if (key == "pid1") {
    f.pid1 = val;
  } else if (key == "nouser") {
    f.user_exists = false;
  } else if (key == "pid") {
    f.pid = std::stoi(val);
  } else if (key == "restart_pending") {
    f.restart_pending = val == "1";
  } else if (key == "pid_user") {
    f.pid_user = val;
  } else if (key == "listen") {
    add_listener(val, f.listeners);
  } else if (key == "file") {
    auto sp = val.find(' ');
    if (sp != std::string::npos) f.file_sha256[val.substr(sp + 1)] = val.substr(0, sp);
  } else {
    return false;
  }
  return true;
}

}  // namespace zkctl::ops
