#pragma once
// How services are run on a host ([service]): the systemd launcher's systemctl
// steps, the service user's file ownership, and the pre-flight checks of both.
// The scripts launcher lives in zk_host / kafka_host (zkServer.sh, kafka-server-start.sh).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model.hpp"
#include "ops/host/facts.hpp"
#include "ops/host/java.hpp"
#include "remote/remote.hpp"
#include "render/systemd.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// The systemd unit of `product` for a node with `service`.
std::string unit_of(const inventory::ServiceSettings& service, render::Product product);

// The unit to look for when inspecting a node: unit_of() with the systemd launcher, else "".
std::string inspected_unit(const inventory::ServiceSettings& service, render::Product product);

// Pre-flight problems of [service] on a host as `facts` found it (its PID 1's
// name, whether the service user exists).
std::vector<std::string> service_problems(const inventory::ServiceSettings& service,
                                          const CommonFacts& facts);

// The pre-flight problems every kind of node has in common: no (or too old a) java for
// `java` unless a JDK is pushed, [service] on this host, and dirs it cannot create.
std::vector<std::string> node_host_problems(const inventory::Node& node, const CommonFacts& facts,
                                            const JavaNeed& java);

// `systemctl daemon-reload`, then `systemctl enable UNIT` (after writing its file).
util::Result<void> enable_unit(remote::Remote& remote, const std::string& unit,
                               std::chrono::seconds timeout);

// Disable UNIT and remove its file from /etc/systemd/system (destroy); false when
// there was no such file.
util::Result<bool> remove_unit(remote::Remote& remote, const std::string& unit,
                               std::chrono::seconds timeout);

// `systemctl start UNIT` and wait for its main PID (returned).
util::Result<int> start_unit(remote::Remote& remote, const std::string& unit,
                             std::chrono::seconds timeout);

// `systemctl stop UNIT` (systemd sends SIGTERM, then SIGKILL after the unit's
// TimeoutStopSec). False when it was not active.
util::Result<bool> stop_unit(remote::Remote& remote, const std::string& unit,
                             std::chrono::seconds timeout);

// How the scripts launcher drives one node: its start, stop and pid scripts with
// their arguments (stop also gets the grace in seconds, last).
struct ScriptLaunch {
  std::string start_what;  // names the start in errors ("zkServer.sh start")
  std::string_view start_script;
  std::vector<std::string> start_args;
  std::string_view stop_script;
  std::vector<std::string> stop_args;
  std::string_view pid_script;
  std::vector<std::string> pid_args;
};

// Start a node of `product` as [service] says (systemd unit, or `scripts`); its PID.
util::Result<int> launch_start(remote::Remote& remote, const inventory::ServiceSettings& service,
                               render::Product product, const ScriptLaunch& scripts,
                               std::chrono::seconds timeout);
// Stop it (SIGTERM, SIGKILL after `grace`); false when it was not running.
util::Result<bool> launch_stop(remote::Remote& remote, const inventory::ServiceSettings& service,
                               render::Product product, const ScriptLaunch& scripts,
                               std::chrono::seconds grace, std::chrono::seconds timeout);
// Its PID, if it runs.
util::Result<std::optional<int>> launch_pid(remote::Remote& remote,
                                            const inventory::ServiceSettings& service,
                                            render::Product product, const ScriptLaunch& scripts,
                                            std::chrono::seconds timeout);

// The last `pid=N` line of a script's output.
std::optional<int> pid_line(const std::string& out);

// The unit's main PID, if it runs.
util::Result<std::optional<int>> unit_pid(remote::Remote& remote, const std::string& unit,
                                          std::chrono::seconds timeout);

// Before a node's files are written: chown the service user (and its primary group) onto
// `dirs` (data, logs) recursively, never following a link (empty entries skipped).
util::Result<void> own_dirs(remote::Remote& remote, const std::string& user,
                            const std::vector<std::string>& dirs, std::chrono::seconds timeout);

// Write `files` to the host: a FileOwner::service file (in a dir the service owns) as the
// service user `user` (host/write-as.sh, so a link planted there gains nothing), the others
// as root over SFTP (temp name beside it, rename) into root-owned dirs.
util::Result<void> write_files(remote::Remote& remote, const std::string& user,
                               const std::vector<const render::RenderedFile*>& files,
                               std::chrono::seconds timeout);

// Write `content` to `path` as `user` with `mode` (host/write-as.sh: temp file, rename).
util::Result<void> write_as(remote::Remote& remote, const std::string& user,
                            const std::string& path, const std::string& content, int mode,
                            std::chrono::seconds timeout);

// After a node's files are written: root owns its configs, env files and units (the
// service user's group on a secret, FileOwner::root_service) with their modes, repaired
// every time; with systemd, daemon-reload and enable the unit of `product`.
util::Result<void> settle_service(remote::Remote& remote, const inventory::ServiceSettings& service,
                                  render::Product product,
                                  const std::vector<render::RenderedFile>& files,
                                  std::chrono::seconds timeout);

}  // namespace zkctl::ops
