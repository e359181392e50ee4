#pragma once
// What zkctl does on one ZooKeeper host, each action one SSH round trip where
// possible: a script of remote-scripts/zookeeper/ (or host/) run by remote::run_script,
// every value a quoted positional argument, never spliced in.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "ops/host/facts.hpp"
#include "ops/host/java.hpp"
#include "ops/host/launcher.hpp"
#include "remote/remote.hpp"
#include "render/zk_paths.hpp"
#include "render/zookeeper.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One host as found before any change.
struct HostFacts : CommonFacts {
  std::optional<std::string> myid;          // content of <data>/myid, trimmed
  bool data_has_history = false;            // <data>/version-2 exists
  std::optional<long> current_epoch;        // <data>/version-2/currentEpoch
  std::optional<std::string> cluster_mark;  // <data>/.zkctl-cluster: the cluster's name
  std::string installed_version;  // of current/lib/zookeeper-X.Y.Z.jar ("3.8.0"); "": none
};

// Gather HostFacts in one round trip. `files` are the rendered files whose
// remote checksums are wanted.
util::Result<HostFacts> inspect_host(remote::Remote& remote, const inventory::Server& server,
                                     const std::vector<render::RenderedFile>& files,
                                     std::chrono::seconds timeout);

// Data dirs that belong to another ensemble, one line each: a mark naming another
// cluster, or, for a server not running, a history (epoch) ahead of every running
// member's (it would win the election and impose a foreign history).
std::vector<std::string> foreign_data_problems(
    const std::string& cluster,
    const std::vector<std::pair<const inventory::Server*, const HostFacts*>>& hosts);

// Problems that must stop a deploy before anything changes, one line each; `java`:
// what the distribution needs (java_need_of), checked when no JDK is pushed.
std::vector<std::string> preflight_problems(const inventory::Server& server, const HostFacts& facts,
                                            const JavaNeed& java);

// Unpack the uploaded tarball at `tarball_path` into <install_dir>/releases/<sha>
// (temp dir, then rename) and point <install_dir>/current at it atomically.
util::Result<void> install_release(remote::Remote& remote, const std::string& install_dir,
                                   const std::string& tarball_path, const std::string& sha256,
                                   std::chrono::seconds timeout);

// Upload local `distribution` (checksum `sha256`) into <install_dir>/releases and
// install it with install_release; `progress` gets byte counts.
util::Result<void> upload_release(remote::Remote& remote, const std::string& install_dir,
                                  const std::string& distribution, const std::string& sha256,
                                  const remote::ProgressFn& progress, std::chrono::seconds timeout);

// Create conf/log/data dirs, and copy the distribution's logging config into
// conf/ if it has none.
util::Result<void> prepare_dirs(remote::Remote& remote, const inventory::Server& server,
                                std::chrono::seconds timeout);

// How the scripts launcher drives `server`: zkServer.sh start (zookeeper/start.sh), the
// pid-file stop and the pid lookup.
ScriptLaunch zk_launch(const inventory::Server& server);

// Start the server with the distribution's zkServer.sh; returns its PID.
util::Result<int> start_server(remote::Remote& remote, const inventory::Server& server,
                               std::chrono::seconds timeout);

// Stop the server: SIGTERM to the PID in its pid file (only if that process
// is a ZooKeeper), wait up to `grace` for it to exit, then SIGKILL.
// Returns true if a process was stopped, false if none was running.
util::Result<bool> stop_server(remote::Remote& remote, const inventory::Server& server,
                               std::chrono::seconds grace, std::chrono::seconds timeout);

// The running server's PID, if any.
util::Result<std::optional<int>> server_pid(remote::Remote& remote, const inventory::Server& server,
                                            std::chrono::seconds timeout);

// Parse the `key=value` lines inspect_host's script prints (exposed for tests).
HostFacts parse_facts(const std::string& output, const inventory::Server& server,
                      const std::vector<render::RenderedFile>& files);

}  // namespace zkctl::ops
