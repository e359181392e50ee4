#include "ops/cluster/audit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ops/cluster/state.hpp"
#include "util/clock.hpp"
#include "util/redact.hpp"

namespace zkctl::ops {

std::string audit_log_path() {
  return state_home() + "/audit.log";
}

std::string append_audit(const AuditRecord& record) {
  const std::string when = util::utc_now_iso8601();
  char machine[256] = {0};
  gethostname(machine, sizeof machine - 1);
  const char* user = std::getenv("USER");
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : record.hosts) hosts.push_back({{"host", h.host}, {"result", h.result}});
  nlohmann::json j = {{"time", when},
                      {"user", user ? user : std::to_string(getuid())},
                      {"machine", machine},
                      {"pid", getpid()},
                      {"cluster", record.cluster},
                      {"command", record.command},
                      {"exit_code", record.exit_code},
                      {"summary", record.summary},
                      {"hosts", hosts}};
  std::string line = util::redact(j.dump()) + "\n";
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
