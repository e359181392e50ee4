#pragma once
// `zkctl deploy` as data: everything deploy decides before it changes anything --
// the pre-flight, what each node needs and why, and the stages of per-node steps
// it will run. `zkctl plan` prints this object, `zkctl check` runs its pre-flight
// part, and apply (ops/deploy.cpp) runs exactly its stages.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ops/cluster/membership.hpp"
#include "ops/commands/control.hpp"
#include "ops/component.hpp"
#include "ops/host/java.hpp"

namespace zkctl::ops {

struct DeployReport;
enum class DeployMode;

// One kind of step deploy takes on a node (or, wait_tier, on a whole tier).
enum class StepKind {
  upload,           // install the distribution: the host has another checksum
  upload_java,      // install the pushed JDK ([java])
  configure,        // dirs, changed files, ownership, systemd unit
  format,           // KRaft storage, before the first start only
  start,            // start a node that does not run
  join,             // wait until a node just started serves, before a roll counts it
  move_leadership,  // restart a leader being taken out, so a member that stays leads
  restart,          // one gated step of a rolling restart
  take_out,         // stop a node the inventory dropped
  wait_ready,       // wait until a node serves in its role
  wait_tier,        // wait until the tier as a whole serves (every broker registered)
  reconcile,     // tier-wide: what the cluster holds for clients (users, ACLs) made the inventory's
  join_quorum,   // KRaft dynamic quorum (#15): a started controller caught up, then a voter
  leave_quorum,  // KRaft dynamic quorum (#15): a dropped controller out of the voters, then stopped
  upgrade,       // tier-wide: a Kafka upgrade's step recorded / its second step run (#11)
};

// The step's name in progress lines and in `plan` ("upload", "rolling restart", ...).
const char* to_string(StepKind kind);

// Which view of the cluster a stage's gates count members in.
enum class View {
  inventory,   // the inventory's members
  transition,  // scale-in: the members plus the removed servers still serving
};

struct PlannedJob {
  Component* node = nullptr;  // null: a tier-wide step
  std::vector<StepKind> steps;
  std::vector<std::string> reasons;  // why (restart: what changed)
};

struct PlannedStage {
  std::string name;  // "install", "kafka restart", ...
  Tier* tier = nullptr;
  int parallel = 0;   // most jobs at once; 0: --parallel
  std::string order;  // how jobs are ordered, for `plan` ("" when all at once)
  View view = View::inventory;
  bool reread_order = false;  // a roll: the next job is chosen by next_in_order at each step
  std::vector<PlannedJob> jobs;
};

// What deploy decided for one node.
struct NodePlan {
  Component* node = nullptr;
  Tier* tier = nullptr;
  std::vector<render::RenderedFile> files;
  Decision decision;
  std::string version_change;  // "upgrade 3.8.0 -> 3.9.5" (ZooKeeper, Kafka); "": same or unknown
};

struct DeployPlan {
  std::vector<std::unique_ptr<Tier>> tiers;     // ZooKeeper, then Kafka (those present)
  std::unique_ptr<inventory::Cluster> dropped;  // the cluster's settings, the dropped nodes only
  std::vector<std::unique_ptr<Tier>> removed;   // the nodes the inventory dropped, per kind
  std::vector<NodePlan> nodes;                  // every node of `tiers`, in order
  std::map<const Tier*, std::string> dist_sha;  // checksum of each tier's distribution
  std::map<const Tier*, JavaNeed> java;         // what each tier's release needs of java
  std::map<const Tier*, DistVersion> version;   // each tier's distribution's version
  std::optional<JdkPackage> jdk;                // [java], packed once
  Removals removals;
  std::unique_ptr<inventory::Cluster> transition;  // members + removed servers still serving
  std::vector<PlannedStage> stages;

  const NodePlan* find(const Component* node) const;
};

// Build the plan: render, pre-flight (problems go to `report`: preflight lines,
// refusals and the outcome; then no stage is planned), decide per node, then the
// stages. With `mode` preflight_only it stops after the pre-flight.
DeployPlan build_deploy_plan(Context& ctx, DeployMode mode, Force force, DeployReport& report);

}  // namespace zkctl::ops
