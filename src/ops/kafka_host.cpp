#include "ops/kafka_host.hpp"

#include <regex>
#include <sstream>

#include "ops/java.hpp"
#include "ops/launcher.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::ops {

namespace {

// `kpid CONFIG`: the PID of the kafka.Kafka JVM started with CONFIG (not a zombie).
constexpr const char* kKafkaPrelude = R"SH(
kpid() {
  for d in /proc/[0-9]*; do
    c=$(tr '\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
    case $c in (*" kafka.Kafka $1"*|*" kafka.Kafka $1 "*) printf '%s\n' "${d#/proc/}"; return 0;; esac
  done
  return 1
}
)SH";

std::string with_prelude(const char* script) {
  return std::string(kKafkaPrelude) + script;
}

constexpr const char* kInspect = R"SH(
set -u
install=$1 props=$2 meta=$3 release=$4 ports=$5 ndirs=$6 jrelease=$7 user=$8
shift 8
if command -v java >/dev/null 2>&1; then
  printf 'java=%s\n' "$(java -version 2>&1 | head -n 1)"
fi
if [ -f "$jrelease" ]; then printf 'jrelease=%s\n' "$(head -n 1 -- "$jrelease")"; fi
printf 'pid1=%s\n' "$(head -n 1 /proc/1/comm 2>/dev/null)"
if ! id -u -- "$user" >/dev/null 2>&1; then echo nouser=1; fi
i=0
for d in "$install" "$@"; do
  if [ "$i" -gt "$ndirs" ]; then break; fi
  i=$((i+1))
  p=$d
  while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done
  if [ ! -d "$p" ] || [ ! -w "$p" ]; then printf 'unwritable=%s\n' "$d"; fi
done
shift "$ndirs"
if [ -f "$release" ]; then printf 'release=%s\n' "$(head -n 1 -- "$release")"; fi
if [ -f "$meta" ]; then sed -n 's/^\([a-z.]*\)=\(.*\)$/meta.\1=\2/p' -- "$meta"; fi
if pid=$(kpid "$props"); then
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

constexpr const char* kPrepare = R"SH(
set -eu
config=$1 logs=$2 current=$3
shift 3
mkdir -p -- "$config" "$logs" "$@"
rm -f -- "$config"/.*.zkctl-tmp-*
for f in log4j.properties tools-log4j.properties log4j2.yaml tools-log4j2.yaml; do
  if [ ! -e "$config/$f" ] && [ -e "$current/config/$f" ]; then
    cp -- "$current/config/$f" "$config/.$f.zkctl-tmp" && mv -- "$config/.$f.zkctl-tmp" "$config/$f"
  fi
done
)SH";

constexpr const char* kFormat = R"SH(
set -u
install=$1 props=$2 id=$3 meta=$4 env=$5 user=$6
if [ -f "$meta" ]; then echo formatted-already; exit 0; fi
set -a; . "$env"; set +a
KAFKA_HEAP_OPTS="-Xmx256m" as_user "$user" "$install/current/bin/kafka-storage.sh" format -t "$id" -c "$props" 2>&1 || exit 1
echo formatted
)SH";

constexpr const char* kStart = R"SH(
set -u
install=$1 props=$2 env=$3 user=$4
if pid=$(kpid "$props"); then printf 'pid=%s\n' "$pid"; exit 0; fi
set -a; . "$env"; set +a
cd -- "$install" || exit 1
as_user "$user" "$install/current/bin/kafka-server-start.sh" -daemon "$props" 2>&1 || exit 1
i=0
while [ $i -lt 100 ]; do
  if pid=$(kpid "$props"); then printf 'pid=%s\n' "$pid"; exit 0; fi
  i=$((i+1)); sleep 0.1
done
echo "no running Kafka after start; see kafkaServer.out in the log dir" >&2
exit 1
)SH";

constexpr const char* kStop = R"SH(
set -u
props=$1 grace=$2
if ! pid=$(kpid "$props"); then echo none; exit 0; fi
kill -TERM "$pid" 2>/dev/null || true
n=0
while kpid "$props" >/dev/null; do
  n=$((n+1))
  if [ "$n" -eq $((grace * 10)) ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  sleep 0.1
done
echo stopped
)SH";

constexpr const char* kPid = R"SH(
if pid=$(kpid "$1"); then printf 'pid=%s\n' "$pid"; fi
exit 0
)SH";

util::Result<remote::CommandResult> run_kafka(remote::Remote& remote, const std::string& what,
                                              const char* script,
                                              const std::vector<std::string>& args,
                                              std::chrono::seconds timeout) {
  std::string s = with_prelude(script);
  return run_script(remote, what, s.c_str(), args, timeout);
}

std::optional<int> pid_in(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  std::optional<int> pid;
  while (std::getline(in, line))
    if (line.rfind("pid=", 0) == 0) pid = std::stoi(line.substr(4));
  return pid;
}

std::string ports_of(const inventory::KafkaNode& n) {
  std::string p;
  if (n.broker) p += std::to_string(n.listener_port);
  if (n.controller) p += (p.empty() ? "" : ",") + std::to_string(n.controller_port);
  return p;
}

}  // namespace

KafkaFacts parse_kafka_facts(const std::string& output) {
  KafkaFacts f;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), val = line.substr(eq + 1);
    if (parse_common_fact(key, val, f)) continue;
    if (key.rfind("meta.", 0) == 0) f.meta[key.substr(5)] = val;
  }
  return f;
}

std::vector<std::string> kafka_preflight_problems(const inventory::KafkaNode& node,
                                                  const KafkaFacts& facts,
                                                  const std::string& cluster_id,
                                                  const JavaNeed& java) {
  std::vector<std::string> problems;
  if (node.java_home.empty()) {  // no pushed JDK: the host's java must do
    if (auto p = java_problem(facts.java_version, java.min_major, java.product)) {
      problems.push_back(*p);
    }
  }
  auto service = service_problems(node.service, facts);
  problems.insert(problems.end(), service.begin(), service.end());
  for (const auto& d : facts.unwritable)
    problems.push_back("cannot create " + d +
                       ": its nearest existing parent is not a writable directory");
  auto id_key = facts.meta.count("node.id") ? "node.id" : "broker.id";
  if (auto it = facts.meta.find(id_key);
      it != facts.meta.end() && it->second != std::to_string(node.id)) {
    problems.push_back("log dir holds meta.properties of " + std::string(id_key) + " " +
                       it->second + " but the inventory gives id " + std::to_string(node.id) +
                       ": refusing to reuse another node's data");
  }
  if (auto it = facts.meta.find("cluster.id");
      !cluster_id.empty() && it != facts.meta.end() && it->second != cluster_id) {
    problems.push_back("log dir belongs to Kafka cluster " + it->second + ", not " + cluster_id +
                       ": refusing to reuse another cluster's data");
  }
  auto ports = port_conflicts(facts.listeners, facts.pid, "Kafka");
  problems.insert(problems.end(), ports.begin(), ports.end());
  return problems;
}

util::Result<KafkaFacts> inspect_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                                       const std::vector<render::RenderedFile>& files,
                                       std::chrono::seconds timeout) {
  render::KafkaPaths p = render::kafka_paths(node);
  std::vector<std::string> args = {p.install_dir,
                                   p.server_properties,
                                   p.meta_properties,
                                   p.current_link + "/.zkctl-release",
                                   ports_of(node),
                                   std::to_string(p.log_dirs.size()),
                                   java_dir(p.install_dir) + "/current/.zkctl-release",
                                   node.service.user};
  args.insert(args.end(), p.log_dirs.begin(), p.log_dirs.end());
  for (const auto& f : files) args.push_back(f.path);
  auto r = run_kafka(remote, "inspect", kInspect, args, timeout);
  if (!r) return r.error();
  return parse_kafka_facts(r->out);
}

util::Result<void> prepare_kafka_dirs(remote::Remote& remote, const inventory::KafkaNode& node,
                                      std::chrono::seconds timeout) {
  render::KafkaPaths p = render::kafka_paths(node);
  std::vector<std::string> args = {p.config_dir, p.log_dir, p.current_link};
  args.insert(args.end(), p.log_dirs.begin(), p.log_dirs.end());
  auto r = run_kafka(remote, "mkdir", kPrepare, args, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<bool> format_kafka_storage(remote::Remote& remote, const inventory::KafkaNode& node,
                                        const std::string& cluster_id,
                                        std::chrono::seconds timeout) {
  render::KafkaPaths p = render::kafka_paths(node);
  auto r = run_kafka(remote, "kafka-storage.sh format", kFormat,
                     {p.install_dir, p.server_properties, cluster_id, p.meta_properties, p.env_file,
                      node.service.user},
                     timeout);
  if (!r) return r.error();
  return r->out.find("formatted-already") == std::string::npos;
}

util::Result<int> start_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                              std::chrono::seconds timeout) {
  if (node.service.launcher == inventory::Launcher::systemd) {
    return start_unit(remote, unit_of(node.service, render::Product::kafka), timeout);
  }
  render::KafkaPaths p = render::kafka_paths(node);
  auto r = run_kafka(remote, "kafka-server-start.sh", kStart,
                     {p.install_dir, p.server_properties, p.env_file, node.service.user}, timeout);
  if (!r) return r.error();
  auto pid = pid_in(r->out);
  if (!pid) return util::fail("kafka-server-start.sh printed no PID");
  return *pid;
}

util::Result<bool> stop_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                              std::chrono::seconds grace, std::chrono::seconds timeout) {
  if (node.service.launcher == inventory::Launcher::systemd) {
    return stop_unit(remote, unit_of(node.service, render::Product::kafka), timeout + grace);
  }
  render::KafkaPaths p = render::kafka_paths(node);
  auto r = run_kafka(remote, "stop", kStop, {p.server_properties, std::to_string(grace.count())},
                     timeout + grace);
  if (!r) return r.error();
  return r->out.find("stopped") != std::string::npos;
}

util::Result<std::optional<int>> kafka_pid(remote::Remote& remote, const inventory::KafkaNode& node,
                                           std::chrono::seconds timeout) {
  render::KafkaPaths p = render::kafka_paths(node);
  auto r = run_kafka(remote, "pid", kPid, {p.server_properties}, timeout);
  if (!r) return r.error();
  return pid_in(r->out);
}

}  // namespace zkctl::ops
