#pragma once
// Kafka nodes (broker, KRaft controller or both) as components: a node's files,
// facts, pre-flight and lifecycle (kafka_host's remote actions), and the Kafka
// nodes as a tier (the KRaft cluster id settled from the nodes' storage, restarts
// gated on the cluster's own partition state, every broker registered).

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/component.hpp"
#include "ops/kafka/host.hpp"
#include "ops/kafka/quorum.hpp"
#include "ops/kafka/rack_roll.hpp"
#include "ops/kafka/upgrade.hpp"
#include "ops/kafka/users.hpp"

namespace zkctl::ops {

// No pins: a Kafka node rendered as its inventory says (every use but deploy's upgrade).
inline const render::KafkaVersionPins kNoVersionPins{};

class KafkaComponent final : public NodeComponent<inventory::KafkaNode, KafkaFacts> {
 public:
  // `node`, `cluster`, `cluster_id` (the KRaft cluster id, settled by the tier), `quorum` (the
  // controller quorum's kind, settled by the tier) and `pins` (an upgrade's first step, set by
  // the tier) outlive the component.
  KafkaComponent(const inventory::KafkaNode& node, const inventory::Cluster& cluster,
                 const std::string& cluster_id, const QuorumPlan& quorum,
                 const render::KafkaVersionPins& pins = kNoVersionPins)
      : NodeComponent(node, cluster),
        cluster_id_(cluster_id),
        quorum_(quorum),
        pins_(pins),
        shares_host_(shares_host(node, cluster)) {}
  // A node of a static quorum, no upgrade under way (the migration's controllers).
  KafkaComponent(const inventory::KafkaNode& node, const inventory::Cluster& cluster,
                 const std::string& cluster_id)
      : KafkaComponent(node, cluster, cluster_id, static_quorum()) {}
  static const QuorumPlan& static_quorum() {
    static const QuorumPlan plan{.kind = QuorumKind::fixed};
    return plan;
  }

  const KafkaFacts& kafka_facts() const { return facts_; }

  NodeKind kind() const override { return NodeKind::kafka; }
  std::string label() const override {
    return node_.host + " (kafka " + std::to_string(node_.id) + ")";
  }
  // "kafka restart"; "kafka 14 restart" on a host with more than one Kafka node.
  std::string step(const std::string& name) const override;
  render::Product product() const override { return render::Product::kafka; }
  int heap_mb() const override { return cluster_.kafka->heap_mb; }
  const std::string& distribution() const override { return cluster_.kafka->distribution; }
  util::Result<std::vector<render::RenderedFile>> render(const Context& ctx) const override;
  util::Result<void> inspect(remote::Remote& remote, const std::vector<render::RenderedFile>& files,
                             std::chrono::seconds timeout) override;
  std::vector<std::string> preflight_problems(const JavaNeed& java) const override;
  bool needs_format() const override;
  util::Result<bool> format(remote::Remote& remote, std::chrono::seconds timeout) const override;
  // Log dirs and config dir, the changed files, ownership, the unit.
  util::Result<void> configure(remote::Remote& remote,
                               const std::vector<render::RenderedFile>& files,
                               const std::vector<const render::RenderedFile*>& changed,
                               std::chrono::seconds timeout) const override;
  // Registered (brokers) with no partition under-replicated.
  util::Result<void> before_start(Context& ctx) const override;
  util::Result<void> wait_ready(Context& ctx) const override;
  // Its install dir, and its log dirs as data.
  std::string install_dir() const override;
  std::vector<OwnedDir> owned_dirs() const override;

 protected:
  // Kafka's controlled shutdown may take a while: its own grace.
  std::chrono::seconds stop_grace(const Options& options) const override {
    return options.kafka_stop_grace;
  }
  ScriptLaunch launch() const override { return kafka_launch(node_); }

 private:
  // Whether another Kafka node of `cluster` runs on `node`'s host.
  static bool shares_host(const inventory::KafkaNode& node, const inventory::Cluster& cluster);

  const std::string& cluster_id_;
  const QuorumPlan& quorum_;
  const render::KafkaVersionPins& pins_;
  const bool shares_host_;  // step() names the node's id
};

class KafkaTier final : public Tier {
 public:
  // One component per node of `nodes` (the cluster's, or those taken out).
  KafkaTier(const inventory::Cluster& cluster, const std::vector<inventory::KafkaNode>& nodes);

  NodeKind kind() const override { return NodeKind::kafka; }
  render::Product product() const override { return render::Product::kafka; }
  std::string stage(const std::string& name) const override { return "kafka " + name; }
  std::vector<Component*> nodes() override;
  const std::string& distribution() const override;
  // ZooKeeper mode ended with 3.9 (removed in 4.0); KRaft began with 3.3.
  std::optional<std::string> release_problem(const DistVersion& version) const override;
  // KRaft: the inventory's cluster id, else the one the nodes' storage carries, else
  // the one recorded locally, else a new one.
  void settle(Context& ctx, DeployReport& report) override;
  void before_apply(Context& ctx) override;
  // A removed node must be reachable, and lead or solely hold no partition.
  void preflight_removal(Context& ctx, Tier& removed, DeployReport& report) override;
  // Inventory order, the active controller (KRaft: the quorum leader) last.
  std::vector<Component*> restart_order(Context& ctx, std::vector<Component*> nodes) override;
  // Gated per partition (gate.hpp, await_gate): before, every partition keeps its
  // min.insync.replicas without the broker (waiting for this roll's brokers to catch up;
  // refused, exit 4, when below for other reasons, unless --force); after, the broker is
  // back in the ISR of every partition it hosts.
  // With --by-rack (restart_order planned rack batches): the first node of a batch restarts
  // its whole rack at once when the batch gate allows (rack_roll.hpp), the others of it
  // then only report; a refused batch rolls one at a time.
  util::Result<void> restart_one(Context& ctx, const Component& node) override;
  bool roll_refused() const override { return refused_; }
  std::optional<std::string> leave_refusal(Context& ctx, const Component& node,
                                           const std::string& verb) override;
  std::string ready_text(Context& ctx, const Component& node) override;
  // [[security.users]]: SCRAM credentials and ACLs (users.hpp); no stage when the command
  // reconciles them itself later (Options::kafka_users).
  std::string reconcile_text(Context& ctx) override {
    return ctx.options().kafka_users == KafkaUsersStage::in_deploy ? users_plan_text(ctx) : "";
  }
  util::Result<std::string> reconcile(Context& ctx) override { return reconcile_users(ctx); }
  std::unique_ptr<TierStatus> status(Context& ctx, probe::AskMntr detail) override;
  // Broker-only nodes, then nodes with a controller (a broker's controlled shutdown
  // needs a controller), each group at once.
  std::vector<StopGroup> stop_groups(Context& ctx) override;
  std::string restart_order_text() const override {
    return "one at a time, the active controller last; each only while every partition it "
           "hosts keeps its min.insync.replicas without it and it is in sync, and until it "
           "is back in the ISR of all of them";
  }
  bool ready_per_node() const override { return false; }
  bool ids_name_nodes() const override { return true; }
  // Dynamic quorum (#15): the inventory's controllers that are not voters yet, added after
  // their start (join_controller); empty before settle.
  std::vector<Component*> joining_controllers();
  util::Result<std::string> wait_all(Context& ctx) override;
  // A version change this deploy makes (#11, upgrade.hpp): its pins render into every node's
  // server.properties; a KRaft upgrade's roll takes the controllers first.
  void set_upgrade(KafkaUpgrade upgrade) { upgrade_ = std::move(upgrade); }
  const KafkaUpgrade& upgrade() const { return upgrade_; }

 private:
  // --by-rack: `order` regrouped into rack batches (kept in batches_), the active
  // `controller`'s rack last, KRaft voters alone after them.
  std::vector<Component*> by_rack(Context& ctx, const std::vector<Component*>& order,
                                  std::optional<int> controller);
  // One node's gated restart (the roll's step without racks).
  util::Result<void> restart_alone(Context& ctx, const Component& node);
  // Its stop, start and after-restart gate (await_rejoin), restarting first a leader that
  // holds it out of its ISRs (restart_held_leader).
  util::Result<void> stop_start_rejoin(Context& ctx, const Component& node);
  // Broker `node`, restarted, back in the ISR of every partition it hosts (await_rejoin); a
  // leader of this roll holding it out is restarted first (restart_held_leader).
  util::Result<void> rejoin(Context& ctx, const Component& node);
  // The component of broker `id`; nullptr when it is none of this tier's.
  const KafkaComponent* broker_component(int id) const;
  // Broker `leader` of this roll, holding `broker` out of its ISRs (`why`), restarted now.
  util::Result<void> restart_held_leader(Context& ctx, int leader,
                                         const inventory::KafkaNode& broker,
                                         const std::string& why);

  const inventory::Cluster& cluster_;
  std::string cluster_id_;
  QuorumPlan quorum_;  // the controller quorum (settle; before it, the local record's kind)
  std::vector<std::unique_ptr<KafkaComponent>> nodes_;
  std::set<int> rolled_;                 // brokers restarted since the roll began (restart_order)
  std::vector<RackBatch> batches_;       // --by-rack: the racks not yet tried together
  std::map<int, std::string> together_;  // --by-rack: restarted with their rack, and how
  std::set<int> planned_;                // brokers this roll restarts (restart_order)
  std::map<int, std::string> ahead_;     // restarted ahead of their turn, and why
  bool refused_ = false;                 // the last restart_one stopped at a gate's refusal
  KafkaUpgrade upgrade_;                 // set by deploy's plan (upgrade.hpp); its pins render
};

// A Kafka node of a deploy plan's steps (#15): `node` (a KafkaComponent) added to the dynamic
// controller quorum once caught up (join_quorum), or taken out of it (leave_quorum).
util::Result<void> join_controller(Context& ctx, const Component& node);
util::Result<void> leave_controller(Context& ctx, const Component& node);
// Whether `node` is a KRaft controller (a KafkaComponent with the role).
bool is_kraft_controller(const Component& node);

// KRaft cluster ids: 16 random bytes, base64url without padding (22 characters).
std::string new_kafka_cluster_id();

}  // namespace zkctl::ops
