#pragma once
// One model for every kind of node zkctl runs. A ZooKeeper server and a Kafka node
// (broker, controller or both) answer the same questions -- who they are, what they
// render, what their host holds, what must stop a deploy, how they are installed,
// started, stopped, checked and restarted -- and the nodes of one kind form a Tier
// that answers what only the set can (ordering, cross-node checks, readiness of the
// whole). deploy, plan and check are written once over these; a new kind of node is
// a new implementation, not edits across the operations.

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/context.hpp"
#include "ops/host/facts.hpp"
#include "ops/host/java.hpp"
#include "ops/host/launcher.hpp"
#include "probe/node.hpp"
#include "render/rendered_file.hpp"
#include "render/systemd.hpp"
#include "util/color.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

struct DeployReport;

// "zookeeper" or "kafka": the component column of `plan`, the audit log and records.
const char* to_string(NodeKind kind);

// What deploy decided for one node from its rendered files and its host's facts.
struct Decision {
  bool upload = false;       // a different distribution is to be installed
  bool upload_java = false;  // the pushed JDK ([java]) differs from the installed one
  std::vector<const render::RenderedFile*> changed_files;  // rendered files the host lacks
  bool running = false;                                    // the node's process runs now
  bool wrong_user = false;  // it runs as another user than [service] user asks for
  bool format = false;      // its storage is formatted before its first start (KRaft)
  bool owed = false;        // an interrupted deploy changed it and did not restart it

  bool needs_restart() const {
    return running && (upload || upload_java || service_file_changed() || wrong_user || owed);
  }
  // Whether a changed file is one the service reads (not only zkctl's tools on the host).
  bool service_file_changed() const {
    return std::any_of(changed_files.begin(), changed_files.end(),
                       [](const auto* f) { return f->read_by == render::ReadBy::service; });
  }
  // What `plan` shows: "none", "start", "format, start" or "restart".
  std::string action() const;
  // Why it is restarted, one phrase each ("new distribution", "zoo.cfg changed", ...).
  std::vector<std::string> reasons() const;
};

// A directory a node owns on its host. Deploy marks it as the cluster's
// (<path>/.zkctl-cluster, mark_owned_dirs); destroy removes it only with that mark and,
// without --force, only when it holds nothing but what `layout` allows
// (remote-scripts/host/remove.sh: "zkinstall", "kafkainstall", "zkdata", "zklog",
// "kafkadata").
struct OwnedDir {
  enum class Holds { install, data };
  Holds holds = Holds::install;
  std::string layout;
  std::string path;
};

// Write cluster `cluster`'s mark into each of `dirs` that exists and lacks it, in one
// remote command (remote-scripts/host/mark.sh): as root in root's dirs, as the service
// user `user` in the dirs it owns (call after they were given to it).
util::Result<void> mark_owned_dirs(remote::Remote& remote, const std::string& cluster,
                                   const std::string& user, const std::vector<OwnedDir>& dirs,
                                   std::chrono::seconds timeout);

class Component;
// The mark of a restart deploy owes `node` (remote-scripts/host/restart-pending.sh, in its
// install dir): set once its configs changed while it runs, cleared once it restarted, so a
// deploy interrupted in between still restarts it on the next run (Decision::owed).
enum class RestartOwed { set, clear };
util::Result<void> mark_restart(Context& ctx, const Component& node, RestartOwed owed);

// One node. Methods taking a Remote run on the node's own session (connection()).
class Component {
 public:
  virtual ~Component() = default;

  // Who it is: kind, host and id name it in sessions, progress and records.
  virtual NodeKind kind() const = 0;
  virtual const std::string& host() const = 0;
  virtual int id() const = 0;
  NodeKey key() const { return {kind(), host(), id()}; }
  // How reports name it: "node1", "node1 (kafka 11)".
  virtual std::string label() const = 0;
  // The name of a step of this node in progress lines ("upload" / "kafka upload").
  virtual std::string step(const std::string& name) const = 0;
  virtual Connection& connection(Context& ctx) const = 0;
  // How its process runs ([service]: launcher, user).
  virtual const inventory::ServiceSettings& service() const = 0;
  const std::string& service_user() const { return service().user; }
  virtual render::Product product() const = 0;
  // The JVM heap its process is given, in MiB ([zookeeper] / [kafka] heap_mb).
  virtual int heap_mb() const = 0;
  // Its install dir and data dirs, for destroy.
  virtual std::vector<OwnedDir> owned_dirs() const = 0;
  virtual std::chrono::seconds timeout(const Context& ctx) const = 0;

  // What it should be (pure, local).
  virtual const std::string& distribution() const = 0;
  virtual std::string install_dir() const = 0;
  virtual util::Result<std::vector<render::RenderedFile>> render(const Context& ctx) const = 0;

  // What its host holds (kept in the component), and what must stop a deploy.
  virtual util::Result<void> inspect(remote::Remote& remote,
                                     const std::vector<render::RenderedFile>& files,
                                     std::chrono::seconds timeout) = 0;
  virtual const CommonFacts& facts() const = 0;
  virtual std::vector<std::string> preflight_problems(const JavaNeed& java) const = 0;
  // Whether its storage still has to be formatted (only kinds with formatted storage).
  virtual bool needs_format() const { return false; }

  // Changing it. configure: dirs, the changed files, ownership and units.
  virtual util::Result<void> configure(remote::Remote& remote,
                                       const std::vector<render::RenderedFile>& files,
                                       const std::vector<const render::RenderedFile*>& changed,
                                       std::chrono::seconds timeout) const = 0;
  // Format the storage if it has none; true if it formatted.
  virtual util::Result<bool> format(remote::Remote&, std::chrono::seconds) const { return false; }
  virtual util::Result<int> start(remote::Remote& remote, std::chrono::seconds timeout) const = 0;
  // What must hold before start() of a node that is not running (a ZooKeeper-mode broker
  // waits out the registration of a process that was killed); every caller of start() asks.
  virtual util::Result<void> before_start(Context&) const { return {}; }
  // SIGTERM (or systemctl stop), SIGKILL after the kind's grace; false if it was not running.
  virtual util::Result<bool> stop(remote::Remote& remote, const Options& options,
                                  std::chrono::seconds timeout) const = 0;

  // The PID of its running process, if any.
  virtual util::Result<std::optional<int>> pid(remote::Remote& remote,
                                               std::chrono::seconds timeout) const = 0;

  // Health as the cluster itself reports it: serving in its role / registered.
  virtual util::Result<void> wait_ready(Context& ctx) const = 0;
};

// What every kind answers the same way from its inventory entry (an inventory::Node) and
// the facts its inspect found: the part a new kind gets for free.
template <class InventoryNode, class Facts>
class NodeComponent : public Component {
 public:
  // `node` and `cluster` outlive the component.
  NodeComponent(const InventoryNode& node, const inventory::Cluster& cluster)
      : node_(node), cluster_(cluster) {}

  const InventoryNode& node() const { return node_; }
  const Facts& found() const { return facts_; }

  const std::string& host() const override { return node_.host; }
  int id() const override { return node_.id; }
  Connection& connection(Context& ctx) const override { return ctx.connection(node_); }
  std::chrono::seconds timeout(const Context& ctx) const override {
    return ctx.command_timeout(node_);
  }
  const inventory::ServiceSettings& service() const override { return node_.service; }
  const CommonFacts& facts() const override { return facts_; }
  util::Result<int> start(remote::Remote& remote, std::chrono::seconds timeout) const override {
    return launch_start(remote, node_.service, product(), launch(), timeout);
  }
  util::Result<bool> stop(remote::Remote& remote, const Options& options,
                          std::chrono::seconds timeout) const override {
    return launch_stop(remote, node_.service, product(), launch(), stop_grace(options), timeout);
  }
  util::Result<std::optional<int>> pid(remote::Remote& remote,
                                       std::chrono::seconds timeout) const override {
    return launch_pid(remote, node_.service, product(), launch(), timeout);
  }

 protected:
  // How the scripts launcher starts, stops and finds this node.
  virtual ScriptLaunch launch() const = 0;
  // How long a stop waits after SIGTERM before SIGKILL.
  virtual std::chrono::seconds stop_grace(const Options& options) const = 0;

  const InventoryNode& node_;
  const inventory::Cluster& cluster_;
  Facts facts_;
};

// What `zkctl status` concludes about a tier: the worst of what it saw.
enum class Health {
  ok,        // every configured node runs and serves in its role
  degraded,  // the tier serves, but a configured node is down, unreachable or not in its role
  failed,    // the tier does not serve (no quorum / leader, a configured broker out)
};
std::string_view to_string(Health health);
// The worse of two verdicts.
Health worst(Health a, Health b);

// A tier's part of `zkctl status`, as the cluster reported it.
class TierStatus {
 public:
  virtual ~TierStatus() = default;
  // The verdict: failed when the tier does not serve, degraded when any configured node is
  // seen down or out of its role although the tier serves, else ok.
  virtual Health health() const = 0;
  // Its table and verdict line, for people.
  virtual std::string table(util::Color color) const = 0;
  // Its facts added to the status JSON object `j` (which holds "cluster" to begin with).
  virtual void add_json(nlohmann::json& j) const = 0;
};

// The nodes of one kind, deployed together (ZooKeeper first, then Kafka).
class Tier {
 public:
  virtual ~Tier() = default;
  virtual NodeKind kind() const = 0;
  virtual render::Product product() const = 0;
  // The stage names of this tier ("install" / "kafka install").
  virtual std::string stage(const std::string& name) const = 0;
  virtual std::vector<Component*> nodes() = 0;
  // The distribution every node of the tier runs (empty when it has no nodes).
  virtual const std::string& distribution() const = 0;

  // Why this release cannot run as the inventory asks (read from its jars), if it cannot.
  virtual std::optional<std::string> release_problem(const DistVersion&) const {
    return std::nullopt;
  }
  // After every node was inspected, before its own pre-flight: settle what the nodes'
  // facts decide together (the KRaft cluster id). Problems go to `report.preflight`.
  virtual void settle(Context&, DeployReport&) {}
  // Scale-in, when `removed` holds this kind's nodes the inventory dropped: whether they
  // may go (problems to `report.preflight`, refusals to `report.refusals`, notes).
  virtual void preflight_removal(Context&, Tier& /*removed*/, DeployReport&) {}
  // Scale-in: the view the roll's gates count members in when removed nodes still serve
  // (null: the inventory's), and the removed node that leads, to hand leadership over first.
  struct Removal {
    std::unique_ptr<inventory::Cluster> view;
    Component* leader = nullptr;
  };
  virtual Removal plan_removal(Context&, Tier& /*removed*/) { return {}; }
  // Problems across the nodes, once every node's own pre-flight passed.
  virtual std::vector<std::string> cross_problems(const std::string&) { return {}; }
  // Before the first change to a host (e.g. record the KRaft cluster id).
  virtual void before_apply(Context&) {}
  // Once the tier serves in a deploy: make what the cluster holds for its clients (Kafka's
  // SCRAM credentials and ACLs) what the inventory says. reconcile_text says what, for
  // `plan` ("": nothing to reconcile, no stage); reconcile does it and says what it did.
  virtual std::string reconcile_text(Context&) { return ""; }
  virtual util::Result<std::string> reconcile(Context&) { return std::string(); }

  // The order a roll restarts `nodes` in (ZooKeeper: observers, followers, leader last).
  virtual std::vector<Component*> restart_order(Context&, std::vector<Component*> nodes) {
    return nodes;
  }
  // That order and its gates in words, for `plan`.
  virtual std::string restart_order_text() const = 0;
  // One gated step of a roll: the cluster must allow `node` to go, it is restarted,
  // then the cluster must be whole again. `ctx` may be a transition view.
  virtual util::Result<void> restart_one(Context& ctx, const Component& node) = 0;
  // Whether the last restart_one failed because a gate refused (exit 4), not a fault.
  virtual bool roll_refused() const { return false; }
  // A whole-tier stop, in order: each group's nodes stop together (`parallel` 0) or
  // one at a time (1), and the next group only after the previous one.
  struct StopGroup {
    std::string stage;
    int parallel = 0;
    std::vector<Component*> nodes;
  };
  virtual std::vector<StopGroup> stop_groups(Context& ctx) = 0;

  // Why `node` may not leave now (stop or restart), from what the cluster reports;
  // nullopt when it may. `verb` ("stop", "restart") starts the line.
  virtual std::optional<std::string> leave_refusal(Context& ctx, const Component& node,
                                                   const std::string& verb) = 0;
  // What a node serving again says about itself ("serving as follower", "registered").
  virtual std::string ready_text(Context& ctx, const Component& node) = 0;

  // Ask the cluster how the tier serves; `detail` yes: also what only --json shows.
  virtual std::unique_ptr<TierStatus> status(Context& ctx, probe::AskMntr detail) = 0;

  // Whether readiness is asked of each node (wait_ready per node) or of the tier as a
  // whole (wait_all), after its nodes were started.
  virtual bool ready_per_node() const { return true; }
  // Whether a command's NODE may name one of this tier's nodes by its id (a host can hold
  // more than one of them).
  virtual bool ids_name_nodes() const { return false; }
  virtual util::Result<std::string> wait_all(Context&) { return std::string(); }
};

// The tier of `cluster` whose nodes are of `kind` (null when it has none).
std::unique_ptr<Tier> tier_of(const inventory::Cluster& cluster, NodeKind kind);
// The nodes of `tier` that `name` (a command's NODE) names: every node on host `name`, or
// the node whose id is `name` in a tier whose ids name nodes (Tier::ids_name_nodes).
std::vector<Component*> nodes_named(Tier& tier, const std::string& name);

// The tiers of `cluster`'s nodes, in start order (ZooKeeper, then Kafka): the one
// place a new kind of node is registered.
std::vector<std::unique_ptr<Tier>> tiers_of(const inventory::Cluster& cluster);

}  // namespace zkctl::ops
