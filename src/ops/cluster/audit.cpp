#include "ops/cluster/audit.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <vector>

#include "ops/cluster/state.hpp"
#include "util/clock.hpp"
#include "util/redact.hpp"

namespace zkctl::ops {

namespace {

std::string random_id() {
  std::random_device rd;
  std::ostringstream o;
  o << std::hex << rd() << rd();
  return o.str();
}

std::string outcome_of(const AuditRecord& r) {
  if (!r.outcome.empty()) return r.outcome;
  return r.exit_code == 0 ? "ok" : "failed";
}

nlohmann::json to_json(const AuditRecord& record, AuditPhase phase) {
  char machine[256] = {0};
  gethostname(machine, sizeof machine - 1);
  nlohmann::json j = {{"time", util::utc_now_iso8601()},
                      {"phase", phase == AuditPhase::intent ? "intent" : "outcome"},
                      {"id", record.id},
                      {"user", os_user()},
                      {"machine", machine},
                      {"pid", getpid()},
                      {"cluster", record.cluster},
                      {"command", record.command}};
  if (!record.lock.empty()) j["lock"] = record.lock;
  if (phase == AuditPhase::intent) return j;
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : record.hosts) hosts.push_back({{"host", h.host}, {"result", h.result}});
  j["outcome"] = outcome_of(record);
  j["exit_code"] = record.exit_code;
  j["summary"] = record.summary;
  j["hosts"] = hosts;
  return j;
}

}  // namespace

std::string audit_log_path() {
  return state_home() + "/audit.log";
}

std::string os_user() {
  const uid_t uid = geteuid();
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && *found->pw_name != '\0') {
    return found->pw_name;
  }
  return std::to_string(uid);
}

std::string append_audit(AuditRecord& record, AuditPhase phase) {
  if (record.id.empty()) record.id = random_id();
  std::string line = util::redact(to_json(record, phase).dump()) + "\n";
  std::error_code ec;
  std::filesystem::create_directories(state_home(), ec);
  // O_APPEND: concurrent zkctl processes never interleave within a line.
  int fd = ::open(audit_log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return audit_log_path() + ": " + std::strerror(errno);
  ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) return audit_log_path() + ": short write";
  return {};
}

}  // namespace zkctl::ops
