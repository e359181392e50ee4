#pragma once
// `zkctl deploy`: build the plan (ops/deploy_plan: pre-flight every node, decide,
// stages), then run exactly its stages; `zkctl plan` describes the same plan and
// `zkctl check` runs its pre-flight.

#include <string>
#include <vector>

#include "ops/commands/control.hpp"
#include "ops/context.hpp"
#include "render/rendered_file.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

enum class DeployOutcome {
  ok,
  preflight_failed,  // nothing was changed on any host
  refused,           // a membership change needs --force (or is unsafe); nothing changed
  failed,            // a step failed on some host; see `failures`
};

// What deploy would do on one host for one component (`zkctl plan`).
struct FileChange {
  std::string path;  // remote path
  std::string diff;  // unified diff, host's file -> rendered (all '+' for a new file)
};
struct HostChange {
  std::string host;
  std::string component;  // "zookeeper" or "kafka"
  bool upload = false;    // a different distribution would be installed
  std::vector<FileChange> files;
  std::string action;  // "none", "start", "restart", "format, start"
  int id = -1;         // the node's id (myid, Kafka's node id); -1: a node taken out
};

enum class DeployMode {
  apply,           // change the hosts
  plan_only,       // pre-flight and decide, fill DeployReport::changes, change nothing
  preflight_only,  // pre-flight only (zkctl check): no decisions, no file reads for diffs
};

// One stage of the plan as `plan` shows it.
struct StageSummary {
  std::string name;   // "install", "kafka restart", ...
  std::string order;  // how its jobs run ("" : all at once)
  std::vector<std::string>
      jobs;              // "node1: upload, configure", "node3: rolling restart (zoo.cfg changed)"
  bool upgrade = false;  // an upgrade's step: shown by plan even when no host changes
};

struct DeployReport {
  std::vector<HostChange> changes;   // what was (or, with plan_only, would be) done
  std::vector<StageSummary> stages;  // plan_only: the stages deploy would run, in order
  DeployOutcome outcome = DeployOutcome::ok;
  std::vector<std::string> preflight;  // "host: problem" lines when preflight failed
  std::vector<runner::HostResult> failures;
  int uploaded = 0;         // hosts that received the distribution
  int configs_written = 0;  // hosts whose config files changed
  int started = 0;          // servers started that were not running
  int restarted = 0;        // running servers restarted because something changed
  // Kafka (when the inventory has [kafka]):
  int kafka_uploaded = 0;
  int kafka_configs_written = 0;
  int kafka_formatted = 0;  // KRaft storage formatted (first deploy only)
  int kafka_started = 0;
  int kafka_restarted = 0;
  std::string kafka_cluster_id;  // KRaft: the id the storage was formatted with
  // Scale in (servers and Kafka nodes the last deploy had and the inventory dropped):
  std::vector<std::string> refusals;  // why the change was refused (outcome refused)
  int removals_planned = 0;           // to take out and stop
  int removed = 0;                    // taken out and stopped (or found already gone)
  std::vector<std::string> notes;     // one line each, e.g. a removed host that was unreachable
};

// `force` allows a membership change that leaves fewer than 3 voters.
DeployReport deploy(Context& ctx, DeployMode mode = DeployMode::apply, Force force = Force::no);

// Diffs of `changed` files against what the host has now, read as the service `user`.
std::vector<FileChange> describe_files(remote::Remote& remote,
                                       const std::vector<const render::RenderedFile*>& changed,
                                       const std::string& host, const std::string& user,
                                       std::chrono::seconds timeout);

// The content of `path` on the host ("" when it does not exist), for plan diffs, read as
// `user` (the service user: a link it planted in a dir it owns never shows root's view).
util::Result<std::string> read_remote_file(remote::Remote& remote, const std::string& path,
                                           const std::string& user, std::chrono::seconds timeout);

}  // namespace zkctl::ops
