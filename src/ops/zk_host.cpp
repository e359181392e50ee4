#include "ops/zk_host.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

#include "ops/java.hpp"
#include "ops/launcher.hpp"
#include "util/quote.hpp"
#include "util/trace.hpp"

namespace zkctl::ops {

namespace {

// Shared shell functions: `alive PID` is true only for a live (not zombie)
// process whose command line is a ZooKeeper server, so a recycled PID is
// never signalled.
constexpr const char* kPrelude = R"SH(
alive() {
  case $1 in (''|*[!0-9]*) return 1;; esac
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q org.apache.zookeeper
}
running_pid() {
  [ -f "$1" ] || return 1
  p=$(head -c 32 -- "$1" | tr -dc '0-9')
  alive "$p" && printf '%s\n' "$p"
}
unit_pid() {
  [ -n "$1" ] && command -v systemctl >/dev/null 2>&1 || return 1
  p=$(systemctl show -p MainPID --value -- "$1" 2>/dev/null)
  alive "$p" && printf '%s\n' "$p"
}
as_user() {
  u=$1; shift
  if [ -z "$u" ] || [ "$u" = root ]; then "$@"; return; fi
  if [ "$(id -u)" != 0 ]; then echo "cannot run as $u: not root" >&2; return 1; fi
  setpriv --reuid="$u" --regid="$(id -g -- "$u")" --init-groups -- "$@"
}
)SH";

constexpr const char* kInspect = R"SH(
set -u
install=$1 data=$2 datalog=$3 pidf=$4 myidf=$5 release=$6 ports=$7 jrelease=$8 unit=$9 user=${10}
shift 10
if command -v java >/dev/null 2>&1; then
  printf 'java=%s\n' "$(java -version 2>&1 | head -n 1)"
fi
if [ -f "$jrelease" ]; then printf 'jrelease=%s\n' "$(head -n 1 -- "$jrelease")"; fi
printf 'pid1=%s\n' "$(head -n 1 /proc/1/comm 2>/dev/null)"
if ! id -u -- "$user" >/dev/null 2>&1; then echo nouser=1; fi
for d in "$install" "$data" "$datalog"; do
  [ -n "$d" ] || continue
  p=$d
  while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done
  if [ ! -d "$p" ] || [ ! -w "$p" ]; then printf 'unwritable=%s\n' "$d"; fi
done
if [ -f "$release" ]; then printf 'release=%s\n' "$(head -n 1 -- "$release")"; fi
if [ -f "$myidf" ]; then printf 'myid=%s\n' "$(head -c 64 -- "$myidf" | tr -d '\r\n ')"; fi
if [ -d "$data/version-2" ]; then echo history=1; fi
if [ -f "$data/version-2/currentEpoch" ]; then
  printf 'epoch=%s\n' "$(head -c 32 -- "$data/version-2/currentEpoch" | tr -cd '0-9')"
fi
if [ -f "$data/.zkctl-cluster" ]; then
  printf 'mark=%s\n' "$(head -n 1 -- "$data/.zkctl-cluster" | head -c 128 | tr -d '\r')"
fi
if pid=$(running_pid "$pidf") || pid=$(unit_pid "$unit"); then
  printf 'pid=%s\n' "$pid"
  printf 'pid_user=%s\n' "$(stat -c %U "/proc/$pid" 2>/dev/null)"
fi
if command -v ss >/dev/null 2>&1; then
  for port in $(printf '%s' "$ports" | tr ',' ' '); do
    ss -Hltnp "sport = :$port" 2>/dev/null | sed -n "s/^/listen=$port /p"
  done
fi
for f in "$@"; do
  if [ -f "$f" ]; then printf 'file=%s %s\n' "$(sha256sum -- "$f" | cut -d ' ' -f 1)" "$f"; fi
done
exit 0
)SH";

constexpr const char* kInstall = R"SH(
set -eu
install=$1 tarball=$2 short=$3 full=$4
mkdir -p -- "$install/releases"
rel="$install/releases/$short"
if [ ! -f "$rel/.zkctl-release" ]; then
  rm -rf -- "$install"/releases/.unpack-* "$rel"
  tmp="$install/releases/.unpack-$$"
  mkdir -p -- "$tmp"
  tar -xzf "$tarball" -C "$tmp" --strip-components=1 --no-same-owner
  printf '%s\n' "$full" > "$tmp/.zkctl-release"
  mv -- "$tmp" "$rel"
fi
ln -sfn -- "releases/$short" "$install/.current.tmp"
mv -T -- "$install/.current.tmp" "$install/current"
rm -f -- "$tarball"
)SH";

constexpr const char* kPrepare = R"SH(
set -eu
conf=$1 logs=$2 data=$3 datalog=$4 current=$5
mkdir -p -- "$conf" "$logs" "$data"
if [ -n "$datalog" ]; then mkdir -p -- "$datalog"; fi
# Temp files of a write cut off earlier (connection lost) never become configs: drop them.
rm -f -- "$conf"/.*.zkctl-tmp-* "$data"/.*.zkctl-tmp-*
for f in log4j.properties logback.xml; do
  if [ ! -e "$conf/$f" ] && [ -e "$current/conf/$f" ]; then
    cp -- "$current/conf/$f" "$conf/.$f.zkctl-tmp" && mv -- "$conf/.$f.zkctl-tmp" "$conf/$f"
  fi
done
)SH";

constexpr const char* kStart = R"SH(
set -u
install=$1 conf=$2 pidf=$3 user=$4
if pid=$(running_pid "$pidf"); then printf 'pid=%s\n' "$pid"; exit 0; fi
rm -f -- "$pidf"
cd -- "$install" || exit 1
export ZOOCFGDIR="$conf"
as_user "$user" "$install/current/bin/zkServer.sh" start 2>&1 || exit 1
i=0
while [ $i -lt 50 ]; do
  if pid=$(running_pid "$pidf"); then printf 'pid=%s\n' "$pid"; exit 0; fi
  i=$((i+1)); sleep 0.1
done
echo "no running ZooKeeper after start; see the .out file in the log dir" >&2
exit 1
)SH";

constexpr const char* kStop = R"SH(
set -u
pidf=$1 grace=$2
if ! pid=$(running_pid "$pidf"); then rm -f -- "$pidf"; echo none; exit 0; fi
kill -TERM "$pid" 2>/dev/null || true
n=0
while alive "$pid"; do
  n=$((n+1))
  if [ "$n" -eq $((grace * 10)) ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  sleep 0.1
done
rm -f -- "$pidf"
echo stopped
)SH";

constexpr const char* kPid = R"SH(
if pid=$(running_pid "$1"); then printf 'pid=%s\n' "$pid"; fi
exit 0
)SH";

// `sh -c '<prelude><script>' zkctl ARG...`
std::string script_command(const char* script, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sh", "-c", std::string(kPrelude) + script, "zkctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return util::shell_join(argv);
}

util::Result<remote::CommandResult> run_checked(remote::Remote& remote, const std::string& what,
                                                const std::string& command,
                                                std::chrono::seconds timeout) {
  util::trace(remote.host(), "run " + what);
  auto r = remote.run(command, timeout);
  if (!r) return r.error();
  if (r->exit_status != 0) {
    std::string msg = r->err.empty() ? r->out : r->err;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
    auto nl = msg.rfind('\n');
    if (nl != std::string::npos) msg = msg.substr(nl + 1);  // the last line says most
    return util::fail(what + " failed (exit " + std::to_string(r->exit_status) + ")" +
                      (msg.empty() ? "" : ": " + msg));
  }
  return r;
}

std::optional<int> pid_from(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  std::optional<int> pid;
  while (std::getline(in, line)) {
    if (line.rfind("pid=", 0) == 0) pid = std::stoi(line.substr(4));
  }
  return pid;
}

std::string ports_arg(const inventory::Server& s) {
  std::string p = std::to_string(s.ports.client) + "," + std::to_string(s.ports.peer) + "," +
                  std::to_string(s.ports.election);
  if (s.ports.admin > 0) p += "," + std::to_string(s.ports.admin);
  return p;
}

}  // namespace

HostFacts parse_facts(const std::string& output, const inventory::Server& server,
                      const std::vector<render::RenderedFile>& files) {
  (void)files;
  HostFacts f;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), val = line.substr(eq + 1);
    if (parse_common_fact(key, val, f)) continue;
    if (key == "myid") {
      f.myid = val;
    } else if (key == "history") {
      f.data_has_history = true;
    } else if (key == "epoch") {
      if (!val.empty() && val.size() < 18) f.current_epoch = std::stol(val);
    } else if (key == "mark") {
      f.cluster_mark = val;
    }
  }
  (void)server;
  return f;
}

std::string cluster_mark_path(const inventory::Server& server) {
  return render::zk_paths(server).data_dir + "/.zkctl-cluster";
}

std::vector<std::string> foreign_data_problems(
    const std::string& cluster,
    const std::vector<std::pair<const inventory::Server*, const HostFacts*>>& hosts) {
  std::vector<std::string> out;
  std::optional<long> running_epoch;
  for (const auto& [server, facts] : hosts) {
    if (facts->pid && facts->current_epoch)
      running_epoch = std::max(running_epoch.value_or(0), *facts->current_epoch);
  }
  for (const auto& [server, facts] : hosts) {
    if (facts->cluster_mark && *facts->cluster_mark != cluster) {
      out.push_back(server->host + ": data dir " + server->data_dir + " belongs to cluster '" +
                    *facts->cluster_mark + "', not '" + cluster +
                    "': refusing to start on another cluster's data");
    } else if (!facts->pid && running_epoch && facts->current_epoch &&
               *facts->current_epoch > *running_epoch) {
      out.push_back(server->host + ": data dir " + server->data_dir + " has epoch " +
                    std::to_string(*facts->current_epoch) + ", ahead of the running ensemble's " +
                    std::to_string(*running_epoch) +
                    ": its history is another ensemble's; it would win the election and "
                    "impose it (move the data dir away to join empty)");
    }
  }
  return out;
}

std::vector<std::string> preflight_problems(const inventory::Server& server, const HostFacts& facts,
                                            const JavaNeed& java) {
  std::vector<std::string> problems;
  if (server.java_home.empty()) {  // no pushed JDK: the host's java must do
    if (auto p = java_problem(facts.java_version, java.min_major, java.product)) {
      problems.push_back(*p);
    }
  }
  auto service = service_problems(server.service, facts);
  problems.insert(problems.end(), service.begin(), service.end());
  for (const auto& d : facts.unwritable) {
    problems.push_back("cannot create " + d +
                       ": its nearest existing parent is not a writable directory");
  }
  std::string want = std::to_string(server.id);
  if (facts.myid && *facts.myid != want) {
    problems.push_back("data dir " + server.data_dir + " holds myid " + *facts.myid +
                       " but the inventory gives id " + want +
                       ": refusing to reuse another server's data");
  }
  if (!facts.myid && facts.data_has_history) {
    problems.push_back("data dir " + server.data_dir +
                       " holds ZooKeeper data (version-2/) but no myid: refusing to adopt data "
                       "of unknown origin");
  }
  auto ports = port_conflicts(facts.listeners, facts.pid, "ZooKeeper");
  problems.insert(problems.end(), ports.begin(), ports.end());
  return problems;
}

util::Result<HostFacts> inspect_host(remote::Remote& remote, const inventory::Server& server,
                                     const std::vector<render::RenderedFile>& files,
                                     std::chrono::seconds timeout) {
  render::ZkPaths p = render::zk_paths(server);
  std::vector<std::string> args = {p.install_dir,
                                   p.data_dir,
                                   p.data_log_dir,
                                   p.pid_file,
                                   p.myid,
                                   p.current_link + "/.zkctl-release",
                                   ports_arg(server),
                                   java_dir(p.install_dir) + "/current/.zkctl-release",
                                   inspected_unit(server.service, render::Product::zookeeper),
                                   server.service.user};
  for (const auto& f : files) args.push_back(f.path);
  auto r = run_checked(remote, "inspect", script_command(kInspect, args), timeout);
  if (!r) return r.error();
  return parse_facts(r->out, server, files);
}

util::Result<void> install_release(remote::Remote& remote, const std::string& install_dir,
                                   const std::string& tarball_path, const std::string& sha256,
                                   std::chrono::seconds timeout) {
  auto r = run_checked(
      remote, "unpack",
      script_command(kInstall, {install_dir, tarball_path, sha256.substr(0, 16), sha256}), timeout);
  if (!r) return r.error();
  return {};
}

util::Result<void> upload_release(remote::Remote& remote, const std::string& install_dir,
                                  const std::string& distribution, const std::string& sha256,
                                  const remote::ProgressFn& progress,
                                  std::chrono::seconds timeout) {
  std::string releases = install_dir + "/releases";
  // Temp files of an upload cut off earlier (host or connection lost) go first.
  auto mk = run_checked(
      remote, "mkdir",
      util::shell_join(
          {"sh", "-c", "mkdir -p -- \"$1\" && rm -f -- \"$1\"/.*.zkctl-tmp-*", "zkctl", releases}),
      timeout);
  if (!mk) return mk.error();
  std::string target = releases + "/.upload-" + sha256.substr(0, 16) + ".tar.gz";
  if (auto up = remote.upload_file(distribution, target, 0644, progress); !up) return up.error();
  return install_release(remote, install_dir, target, sha256, timeout);
}

util::Result<remote::CommandResult> run_script(remote::Remote& remote, const std::string& what,
                                               const char* script,
                                               const std::vector<std::string>& args,
                                               std::chrono::seconds timeout) {
  return run_checked(remote, what, script_command(script, args), timeout);
}

util::Result<void> prepare_dirs(remote::Remote& remote, const inventory::Server& server,
                                std::chrono::seconds timeout) {
  render::ZkPaths p = render::zk_paths(server);
  auto r = run_checked(
      remote, "mkdir",
      script_command(kPrepare, {p.conf_dir, p.log_dir, p.data_dir, p.data_log_dir, p.current_link}),
      timeout);
  if (!r) return r.error();
  return {};
}

util::Result<int> start_server(remote::Remote& remote, const inventory::Server& server,
                               std::chrono::seconds timeout) {
  if (server.service.launcher == inventory::Launcher::systemd) {
    return start_unit(remote, unit_of(server.service, render::Product::zookeeper), timeout);
  }
  render::ZkPaths p = render::zk_paths(server);
  auto r = run_checked(
      remote, "zkServer.sh start",
      script_command(kStart, {p.install_dir, p.conf_dir, p.pid_file, server.service.user}),
      timeout);
  if (!r) return r.error();
  auto pid = pid_from(r->out);
  if (!pid) return util::fail("zkServer.sh start printed no PID");
  return *pid;
}

util::Result<bool> stop_server(remote::Remote& remote, const inventory::Server& server,
                               std::chrono::seconds grace, std::chrono::seconds timeout) {
  if (server.service.launcher == inventory::Launcher::systemd) {
    return stop_unit(remote, unit_of(server.service, render::Product::zookeeper), timeout + grace);
  }
  render::ZkPaths p = render::zk_paths(server);
  auto r = run_checked(remote, "stop",
                       script_command(kStop, {p.pid_file, std::to_string(grace.count())}),
                       timeout + grace);
  if (!r) return r.error();
  return r->out.find("stopped") != std::string::npos;
}

util::Result<std::optional<int>> server_pid(remote::Remote& remote, const inventory::Server& server,
                                            std::chrono::seconds timeout) {
  if (server.service.launcher == inventory::Launcher::systemd) {
    return unit_pid(remote, unit_of(server.service, render::Product::zookeeper), timeout);
  }
  render::ZkPaths p = render::zk_paths(server);
  auto r = run_checked(remote, "pid", script_command(kPid, {p.pid_file}), timeout);
  if (!r) return r.error();
  return pid_from(r->out);
}

}  // namespace zkctl::ops
