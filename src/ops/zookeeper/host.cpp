#include "ops/zookeeper/host.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

#include "ops/host/java.hpp"
#include "ops/host/launcher.hpp"
#include "remote/scripts.hpp"
#include "util/key_value.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

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
  util::for_each_key_value(output, [&f](const std::string& key, const std::string& val) {
    if (parse_common_fact(key, val, f)) return;
    if (key == "myid") {
      f.myid = val;
    } else if (key == "history") {
      f.data_has_history = true;
    } else if (key == "epoch") {
      if (!val.empty() && val.size() < 18) f.current_epoch = std::stol(val);
    } else if (key == "mark") {
      f.cluster_mark = val;
    } else if (key == "version") {
      f.installed_version = val;
    }
  });
  (void)server;
  return f;
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
  std::vector<std::string> problems = node_host_problems(server, facts, java);
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
  auto r = run_script(remote, "inspect", scripts::zookeeper_inspect, args, timeout);
  if (!r) return r.error();
  return parse_facts(r->out, server, files);
}

util::Result<void> install_release(remote::Remote& remote, const std::string& install_dir,
                                   const std::string& tarball_path, const std::string& sha256,
                                   std::chrono::seconds timeout) {
  auto r = run_script(remote, "unpack", scripts::host_install_release,
                      {install_dir, tarball_path, sha256.substr(0, 16), sha256}, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<void> upload_release(remote::Remote& remote, const std::string& install_dir,
                                  const std::string& distribution, const std::string& sha256,
                                  const remote::ProgressFn& progress,
                                  std::chrono::seconds timeout) {
  std::string releases = install_dir + "/releases";
  // Temp files of an upload cut off earlier (host or connection lost) go first.
  auto mk = run_script(remote, "mkdir", scripts::host_prepare_upload, {releases}, timeout);
  if (!mk) return mk.error();
  std::string target = releases + "/.upload-" + sha256.substr(0, 16) + ".tar.gz";
  if (auto up = remote.upload_file(distribution, target, 0644, progress); !up) return up.error();
  return install_release(remote, install_dir, target, sha256, timeout);
}

util::Result<void> prepare_dirs(remote::Remote& remote, const inventory::Server& server,
                                std::chrono::seconds timeout) {
  render::ZkPaths p = render::zk_paths(server);
  auto r = run_script(remote, "mkdir", scripts::zookeeper_prepare,
                      {p.conf_dir, p.log_dir, p.data_dir, p.data_log_dir, p.current_link}, timeout);
  if (!r) return r.error();
  return {};
}

// zkServer.sh start (through zookeeper/start.sh), the pid-file stop and pid lookup.
ScriptLaunch zk_launch(const inventory::Server& server) {
  const render::ZkPaths p = render::zk_paths(server);
  return {"zkServer.sh start",
          scripts::zookeeper_start,
          {p.install_dir, p.conf_dir, p.pid_file, server.service.user},
          scripts::zookeeper_stop,
          {p.pid_file, server.service.user},
          scripts::zookeeper_pid,
          {p.pid_file, server.service.user}};
}

util::Result<int> start_server(remote::Remote& remote, const inventory::Server& server,
                               std::chrono::seconds timeout) {
  return launch_start(remote, server.service, render::Product::zookeeper, zk_launch(server),
                      timeout);
}

util::Result<bool> stop_server(remote::Remote& remote, const inventory::Server& server,
                               std::chrono::seconds grace, std::chrono::seconds timeout) {
  return launch_stop(remote, server.service, render::Product::zookeeper, zk_launch(server), grace,
                     timeout);
}

util::Result<std::optional<int>> server_pid(remote::Remote& remote, const inventory::Server& server,
                                            std::chrono::seconds timeout) {
  return launch_pid(remote, server.service, render::Product::zookeeper, zk_launch(server), timeout);
}

}  // namespace zkctl::ops
