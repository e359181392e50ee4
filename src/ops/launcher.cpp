#include "ops/launcher.hpp"

#include <sstream>

#include "ops/zk_host.hpp"

namespace zkctl::ops {

namespace {

constexpr const char* kEnable = R"SH(
set -eu
systemctl daemon-reload
systemctl enable --quiet -- "$1"
)SH";

// $1 unit name, $2 its file. Disabled, file removed, systemd told; absent: nothing to do.
constexpr const char* kRemoveUnit = R"SH(
set -u
[ -e "$2" ] || { echo absent; exit 0; }
systemctl disable --quiet -- "$1" 2>/dev/null || true
rm -f -- "$2"
systemctl daemon-reload
echo removed
)SH";

constexpr const char* kStartUnit = R"SH(
set -u
unit=$1
systemctl start -- "$unit" || exit 1
i=0
while [ $i -lt 50 ]; do
  p=$(systemctl show -p MainPID --value -- "$unit" 2>/dev/null)
  if [ -n "$p" ] && [ "$p" != 0 ]; then printf 'pid=%s\n' "$p"; exit 0; fi
  i=$((i+1)); sleep 0.1
done
echo "$unit has no main process after start; see journalctl -u $unit" >&2
exit 1
)SH";

constexpr const char* kStopUnit = R"SH(
set -u
if ! systemctl is-active --quiet -- "$1"; then echo none; exit 0; fi
systemctl stop -- "$1" || exit 1
echo stopped
)SH";

constexpr const char* kUnitPid = R"SH(
p=$(systemctl show -p MainPID --value -- "$1" 2>/dev/null)
if [ -n "$p" ] && [ "$p" != 0 ]; then printf 'pid=%s\n' "$p"; fi
exit 0
)SH";

constexpr const char* kOwn = R"SH(
set -eu
user=$1 ndirs=$2
shift 2
group=$(id -g -- "$user")
i=0
for p in "$@"; do
  if [ "$i" -lt "$ndirs" ]; then
    if [ -n "$p" ]; then chown -R -- "$user:$group" "$p"; fi
  else
    chown -- "$user:$group" "$p"
  fi
  i=$((i+1))
done
)SH";

std::optional<int> pid_line(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  std::optional<int> pid;
  while (std::getline(in, line))
    if (line.rfind("pid=", 0) == 0) pid = std::stoi(line.substr(4));
  return pid;
}

}  // namespace

std::string unit_of(const inventory::ServiceSettings& service, render::Product product) {
  return render::unit_name(service.cluster, product);
}

std::string inspected_unit(const inventory::ServiceSettings& service, render::Product product) {
  return service.launcher == inventory::Launcher::systemd ? unit_of(service, product) : "";
}

std::vector<std::string> service_problems(const inventory::ServiceSettings& service,
                                          const CommonFacts& facts) {
  const std::string& pid1 = facts.pid1;
  std::vector<std::string> problems;
  if (service.launcher == inventory::Launcher::systemd && pid1 != "systemd") {
    problems.push_back("launcher = \"systemd\" but PID 1 on this host is '" +
                       (pid1.empty() ? std::string("unknown") : pid1) +
                       "', not systemd: set [service] launcher = \"scripts\" for hosts "
                       "without systemd");
  }
  if (!facts.user_exists) {
    problems.push_back("service user '" + service.user +
                       "' does not exist on this host: create it first (useradd --system "
                       "--no-create-home " +
                       service.user + "); zkctl creates no users");
  }
  return problems;
}

util::Result<void> enable_unit(remote::Remote& remote, const std::string& unit,
                               std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl enable", kEnable, {unit}, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<bool> remove_unit(remote::Remote& remote, const std::string& unit,
                               std::chrono::seconds timeout) {
  const std::string file = std::string(render::kSystemdUnitDir) + "/" + unit;
  auto r = run_script(remote, "systemctl disable", kRemoveUnit, {unit, file}, timeout);
  if (!r) return r.error();
  return r->out.find("removed") != std::string::npos;
}

util::Result<int> start_unit(remote::Remote& remote, const std::string& unit,
                             std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl start", kStartUnit, {unit}, timeout);
  if (!r) return r.error();
  auto pid = pid_line(r->out);
  if (!pid) return util::fail("systemctl start " + unit + " gave no main PID");
  return *pid;
}

util::Result<bool> stop_unit(remote::Remote& remote, const std::string& unit,
                             std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl stop", kStopUnit, {unit}, timeout);
  if (!r) return r.error();
  return r->out.find("stopped") != std::string::npos;
}

util::Result<std::optional<int>> unit_pid(remote::Remote& remote, const std::string& unit,
                                          std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl show", kUnitPid, {unit}, timeout);
  if (!r) return r.error();
  return pid_line(r->out);
}

util::Result<void> own_paths(remote::Remote& remote, const std::string& user,
                             const std::vector<std::string>& dirs,
                             const std::vector<std::string>& files, std::chrono::seconds timeout) {
  std::vector<std::string> args = {user, std::to_string(dirs.size())};
  args.insert(args.end(), dirs.begin(), dirs.end());
  args.insert(args.end(), files.begin(), files.end());
  auto r = run_script(remote, "chown", kOwn, args, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<void> settle_service(remote::Remote& remote, const inventory::ServiceSettings& service,
                                  render::Product product, const std::vector<std::string>& dirs,
                                  const std::vector<render::RenderedFile>& files,
                                  std::chrono::seconds timeout) {
  std::vector<std::string> owned;
  for (const auto& f : files)
    if (f.owner == render::FileOwner::service) owned.push_back(f.path);
  if (auto o = own_paths(remote, service.user, dirs, owned, timeout); !o) return o;
  if (service.launcher == inventory::Launcher::systemd) {
    return enable_unit(remote, unit_of(service, product), timeout);
  }
  return {};
}

}  // namespace zkctl::ops
