#include "ops/kafka/node.hpp"

#include <algorithm>
#include <random>
#include <set>

#include "ops/cluster/membership.hpp"
#include "ops/cluster/state.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/host/launcher.hpp"
#include "ops/host/metrics_agent.hpp"
#include "ops/kafka/controller_gate.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/rack_roll.hpp"
#include "ops/kafka/status_view.hpp"
#include "render/kafka.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::ops {

std::string new_kafka_cluster_id() {
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  for (;;) {
    unsigned char bytes[16];
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
    std::string out;
    int bits = 0;
    unsigned value = 0;
    for (unsigned char b : bytes) {
      value = (value << 8) | b;
      bits += 8;
      while (bits >= 6) {
        out += b64[(value >> (bits - 6)) & 63];
        bits -= 6;
      }
    }
    if (bits > 0) out += b64[(value << (6 - bits)) & 63];
    // Like Kafka's Uuid.randomUuid(): never an id starting with '-', which the
    // tools' command lines would read as an option.
    if (out.front() != '-') return out;  // 22 characters
  }
}

bool KafkaComponent::shares_host(const inventory::KafkaNode& node,
                                 const inventory::Cluster& cluster) {
  const auto& nodes = cluster.kafka_nodes;
  return std::count_if(nodes.begin(), nodes.end(),
                       [&](const auto& n) { return n.host == node.host; }) > 1;
}

std::string KafkaComponent::step(const std::string& name) const {
  return "kafka " + (shares_host_ ? std::to_string(node_.id) + " " : std::string()) + name;
}

std::string KafkaComponent::install_dir() const {
  return render::kafka_paths(node_).install_dir;
}

std::vector<OwnedDir> KafkaComponent::owned_dirs() const {
  const render::KafkaPaths p = render::kafka_paths(node_);
  std::vector<OwnedDir> dirs = {{OwnedDir::Holds::install, "kafkainstall", p.install_dir}};
  for (const auto& d : p.log_dirs) dirs.push_back({OwnedDir::Holds::data, "kafkadata", d});
  return dirs;
}

util::Result<std::vector<render::RenderedFile>> KafkaComponent::render(const Context& ctx) const {
  const render::KafkaMigration as =
      node_.controller ? ctx.options().kafka_controllers_as : ctx.options().kafka_brokers_as;
  auto tls = ctx.tls_material(kKafkaIdentity, node_);
  if (!tls) return tls.error();
  const render::TlsMaterial* material = *tls ? &**tls : nullptr;
  // A migration's phase renders its transitional file, with the same TLS files and agent.
  auto files = as != render::KafkaMigration::none
                   ? render::render_kafka_node_in_migration(cluster_, node_, as,
                                                            ctx.options().templates, material)
                   : render::render_kafka_node(cluster_, node_, ctx.options().templates, material,
                                               quorum_.render(), pins_);
  if (!files) return files;
  auto agent = kafka_agent_files(cluster_, node_);
  if (!agent) return agent.error();
  std::move(agent->begin(), agent->end(), std::back_inserter(*files));
  return files;
}

util::Result<void> KafkaComponent::inspect(remote::Remote& remote,
                                           const std::vector<render::RenderedFile>& files,
                                           std::chrono::seconds timeout) {
  auto facts = inspect_kafka(remote, node_, files, timeout);
  if (!facts) return facts.error();
  facts_ = std::move(facts.value());
  return {};
}

std::vector<std::string> KafkaComponent::preflight_problems(const JavaNeed& java) const {
  return kafka_preflight_problems(node_, facts_, cluster_id_, java);
}

bool KafkaComponent::needs_format() const {
  return cluster_.kafka->mode == inventory::KafkaMode::kraft && facts_.meta.empty();
}

util::Result<void> KafkaComponent::configure(
    remote::Remote& remote, const std::vector<render::RenderedFile>& files,
    const std::vector<const render::RenderedFile*>& changed, std::chrono::seconds timeout) const {
  if (auto d = prepare_kafka_dirs(remote, node_, timeout); !d) return d.error();
  // The service user owns log dirs and logs; root the configs (the service's group on a
  // secret); systemd: enabled.
  const render::KafkaPaths paths = render::kafka_paths(node_);
  std::vector<std::string> dirs = paths.log_dirs;
  dirs.push_back(paths.log_dir);
  if (auto o = own_dirs(remote, node_.service.user, dirs, timeout); !o) return o.error();
  if (auto m = mark_owned_dirs(remote, cluster_.name, node_.service.user, owned_dirs(), timeout);
      !m)
    return m.error();
  if (auto w = write_files(remote, node_.service.user, changed, timeout); !w) return w.error();
  if (auto k = prepare_agent_keystore(remote, cluster_, node_, timeout); !k) return k.error();
  return settle_service(remote, node_.service, render::Product::kafka, files, timeout);
}

util::Result<bool> KafkaComponent::format(remote::Remote& remote,
                                          std::chrono::seconds timeout) const {
  if (cluster_.kafka->mode != inventory::KafkaMode::kraft) return false;
  return format_kafka_storage(remote, node_, cluster_id_, timeout,
                              format_quorum_args(quorum_, node_));
}

util::Result<void> KafkaComponent::before_start(Context& ctx) const {
  return wait_stale_registration_gone(ctx, node_, step("start"));
}

util::Result<void> KafkaComponent::wait_ready(Context& ctx) const {
  return wait_broker_healthy(ctx, node_, ctx.options().wait_timeout);
}

KafkaTier::KafkaTier(const inventory::Cluster& cluster,
                     const std::vector<inventory::KafkaNode>& nodes)
    : cluster_(cluster) {
  if (cluster.kafka && cluster.kafka->mode == inventory::KafkaMode::kraft)
    quorum_.kind = recorded_quorum(cluster.name).kind;  // what render writes before settle
  for (const auto& n : nodes)
    nodes_.push_back(
        std::make_unique<KafkaComponent>(n, cluster, cluster_id_, quorum_, upgrade_.pins));
}

std::vector<Component*> KafkaTier::nodes() {
  std::vector<Component*> v;
  for (auto& n : nodes_) v.push_back(n.get());
  return v;
}

const std::string& KafkaTier::distribution() const {
  static const std::string none;
  return cluster_.kafka ? cluster_.kafka->distribution : none;
}

std::optional<std::string> KafkaTier::release_problem(const DistVersion& v) const {
  const bool zk_mode = cluster_.kafka->mode == inventory::KafkaMode::zookeeper;
  if (zk_mode && v.major >= 4)
    return "Kafka " + v.text +
           " has no ZooKeeper mode (removed in 4.0); set kafka.mode = \"kraft\" or use a 3.x "
           "distribution";
  if (!zk_mode && (v.major < 3 || (v.major == 3 && v.minor < 3)))
    return "Kafka " + v.text + " cannot run in KRaft mode (3.3 or later needed)";
  return std::nullopt;
}

void KafkaTier::settle(Context& ctx, DeployReport& report) {
  if (!cluster_.kafka || cluster_.kafka->mode != inventory::KafkaMode::kraft) return;
  std::vector<const inventory::KafkaNode*> nodes;
  std::map<int, std::map<std::string, std::string>> meta;
  std::set<int> running;
  for (const auto& n : nodes_) {
    nodes.push_back(&n->node());
    meta[n->node().id] = n->kafka_facts().meta;
    if (n->kafka_facts().pid) running.insert(n->node().id);
  }
  const bool migration = ctx.options().kafka_controllers_as != render::KafkaMigration::none ||
                         ctx.options().kafka_brokers_as != render::KafkaMigration::none;
  quorum_ = settle_quorum(ctx, nodes, meta, running, migration);
  for (const auto& p : quorum_.problems) report.preflight.push_back(p);
  for (const auto& r : quorum_.refusals) report.refusals.push_back(r);
  cluster_id_ = cluster_.kafka->cluster_id;
  for (const auto& n : nodes_) {
    if (!cluster_id_.empty()) break;
    auto it = n->kafka_facts().meta.find("cluster.id");
    if (it != n->kafka_facts().meta.end()) cluster_id_ = it->second;
  }
  if (cluster_id_.empty()) cluster_id_ = recorded_kafka_cluster_id(cluster_.name);
  if (cluster_id_.empty()) cluster_id_ = new_kafka_cluster_id();
  report.kafka_cluster_id = cluster_id_;
}

void KafkaTier::preflight_removal(Context& ctx, Tier& removed, DeployReport& report) {
  std::set<int> ids;
  for (Component* c : removed.nodes()) {
    ids.insert(c->id());
    Connection& conn = c->connection(ctx);
    if (!conn.remote)
      report.preflight.push_back(c->host() +
                                 ": kafka node to be removed is unreachable: " + conn.error);
  }
  std::set<int> controllers;
  for (Component* c : removed.nodes())
    if (is_kraft_controller(*c)) controllers.insert(c->id());
  const Force force = ctx.options().gate_refusal == GateRefusal::pass ? Force::yes : Force::no;
  for (auto& line : check_controller_removal(ctx, quorum_.kind, controllers, force))
    report.refusals.push_back(line);
  auto md = probe::kafka_metadata(kafka_access(ctx.cluster()), std::chrono::seconds(10));
  if (!md) {
    report.preflight.push_back(
        "kafka: cannot read partition metadata to check the brokers to be removed: " +
        md.error().message);
    return;
  }
  std::set<int> remaining;  // the inventory's brokers: deploy drains the removed ones onto them
  for (const auto* b : ctx.cluster().brokers()) remaining.insert(b->id);
  for (auto& line : kafka_removal_problems(*md, ids, remaining)) report.refusals.push_back(line);
}

void KafkaTier::before_apply(Context& ctx) {
  if (auto r = record_upgrade_start(cluster_.name, upgrade_); !r) {
    ctx.progress().report({"", "kafka", runner::EventKind::progress,
                           "warning: could not record the upgrade: " + r.error().message});
  }
  if (cluster_id_.empty()) return;
  if (auto r = record_quorum(cluster_.name, {quorum_.kind, quorum_.initial}); !r) {
    ctx.progress().report(
        {"", "kafka", runner::EventKind::progress,
         "warning: could not record the controller quorum: " + r.error().message});
  }
  if (auto r = record_kafka_cluster_id(cluster_.name, cluster_id_); !r) {
    ctx.progress().report({"", "kafka", runner::EventKind::progress,
                           "warning: could not record the cluster id: " + r.error().message});
  }
}

std::vector<Component*> KafkaTier::restart_order(Context& ctx, std::vector<Component*> nodes) {
  rolled_.clear();  // a roll begins
  batches_.clear();
  together_.clear();
  ahead_.clear();
  planned_.clear();
  for (Component* n : nodes)
    if (static_cast<const KafkaComponent*>(n)->node().broker) planned_.insert(n->id());
  if (nodes.empty()) return nodes;
  KafkaHealth h = kafka_health(ctx, WithQuorum::yes);
  std::vector<Component*> order, last;
  for (Component* n : nodes) (h.controller && *h.controller == n->id() ? last : order).push_back(n);
  order.insert(order.end(), last.begin(), last.end());
  if (upgrade_.step == KafkaUpgrade::Step::binaries) order = controllers_first(order);
  if (ctx.options().roll_by != RollBy::rack) return order;
  return by_rack(ctx, order, h.controller);
}

std::vector<Component*> KafkaTier::by_rack(Context& ctx, const std::vector<Component*>& order,
                                           std::optional<int> controller) {
  std::vector<const inventory::KafkaNode*> nodes;
  for (Component* c : order) nodes.push_back(&static_cast<const KafkaComponent*>(c)->node());
  const bool any_rack =
      std::any_of(nodes.begin(), nodes.end(), [](const auto* n) { return !n->rack.empty(); });
  if (!any_rack) {
    ctx.progress().report({"", "kafka restart", runner::EventKind::progress,
                           "--by-rack: the inventory names no racks; one broker at a time"});
    return order;
  }
  std::vector<Component*> out;
  for (auto& b : rack_batches(nodes, controller)) {
    for (const auto* n : b.nodes)
      out.push_back(*std::find_if(order.begin(), order.end(), [&](Component* c) {
        return &static_cast<const KafkaComponent*>(c)->node() == n;
      }));
    if (b.nodes.size() > 1) batches_.push_back(std::move(b));
  }
  return out;
}

util::Result<void> KafkaTier::restart_one(Context& ctx, const Component& node) {
  refused_ = false;
  const auto& n = static_cast<const KafkaComponent&>(node).node();
  if (together_.count(n.id)) return {};  // restarted with its rack (by_rack)
  if (ahead_.count(n.id)) return {};     // restarted ahead of its turn (restart_held_leader)
  for (auto it = batches_.begin(); it != batches_.end(); ++it) {
    if (std::find(it->nodes.begin(), it->nodes.end(), &n) == it->nodes.end()) continue;
    RackBatch batch = *it;
    batches_.erase(it);  // tried once: after a refusal its brokers go one at a time
    auto rejoin_batch = [&](const inventory::KafkaNode& m) -> util::Result<void> {
      const KafkaComponent* c = broker_component(m.id);
      if (c == nullptr) return util::fail("broker " + std::to_string(m.id) + " is not in the roll");
      return rejoin(ctx, *c);
    };
    auto together = restart_rack_batch(ctx, batch, node.step("restart"), rolled_, rejoin_batch);
    if (!together) return together.error();
    if (!*together) break;
    for (const auto* m : batch.nodes)
      together_[m->id] = rack_batch_text(batch) + " restarted together";
    return {};
  }
  return restart_alone(ctx, node);
}

util::Result<void> KafkaTier::restart_alone(Context& ctx, const Component& node) {
  if (Connection& c = node.connection(ctx); !c.remote) return util::fail(c.error);
  const auto& n = static_cast<const KafkaComponent&>(node).node();
  // A controller-only node: the cluster whole and the quorum keeping a majority without it
  // before, the controller caught up again after (no partitions of its own).
  if (!n.broker) {
    if (auto before = node.wait_ready(ctx); !before)
      return util::fail("before the restart: " + before.error().message);
    if (auto quorum = await_controller(ctx, n, node.step("restart"), GatePhase::before); !quorum)
      return quorum.error();
  } else {
    // Per partition (gate.hpp): every partition keeps its min.insync.replicas without it.
    auto before = await_gate(ctx, n, node.step("restart"), GatePhase::before, rolled_);
    if (!before) return before.error();
    if (before->kind == GateVerdict::Kind::refuse) {
      if (ctx.options().gate_refusal == GateRefusal::stop) {
        refused_ = true;
        return util::fail(before->why + " (use --force)");
      }
      ctx.progress().report(
          {n.host, node.step("restart"), runner::EventKind::progress, "--force: " + before->why});
    }
  }
  return stop_start_rejoin(ctx, node);
}

util::Result<void> KafkaTier::stop_start_rejoin(Context& ctx, const Component& node) {
  Connection& c = node.connection(ctx);
  if (!c.remote) return util::fail(c.error);
  auto t = node.timeout(ctx);
  const auto& n = static_cast<const KafkaComponent&>(node).node();
  auto was_running = node.stop(*c.remote, ctx.options(), t);
  if (!was_running) return was_running.error();
  if (!*was_running)
    if (auto ready = node.before_start(ctx); !ready) return ready.error();
  if (auto pid = node.start(*c.remote, t); !pid) return pid.error();
  rolled_.insert(n.id);
  if (n.broker) return rejoin(ctx, node);
  // A combined node's broker registers once its raft replica caught up; a controller-only
  // node is read from the quorum.
  if (auto back = await_controller(ctx, n, node.step("restart"), GatePhase::after); !back)
    return back;
  return node.wait_ready(ctx);
}

const KafkaComponent* KafkaTier::broker_component(int id) const {
  for (const auto& c : nodes_)
    if (c->node().broker && c->node().id == id) return c.get();
  return nullptr;
}

util::Result<void> KafkaTier::rejoin(Context& ctx, const Component& node) {
  const auto& n = static_cast<const KafkaComponent&>(node).node();
  // Back in the ISR of every partition it hosts; a leader of this roll that holds it out
  // (a leader no longer expanding ISRs, gate.cpp) is restarted now rather than waited for.
  for (;;) {
    std::set<int> unrolled;
    for (int b : planned_)
      if (!rolled_.count(b)) unrolled.insert(b);
    auto after = await_rejoin(ctx, n, node.step("restart"), unrolled);
    if (!after) return after.error();
    if (!after->restart_first) return {};
    if (auto r = restart_held_leader(ctx, *after->restart_first, n, after->why); !r) return r;
  }
}

// Leader `leader` holds `broker` out of its ISRs (`why`); gate_restart_holding_leader let it
// go. Its controlled shutdown hands each partition it leads to another in-sync replica (acks=all
// wrote every acknowledged record to each of them; the partitions held out stay 1 short of
// their ISR until `broker` rejoins, producers retry), and no partition where it merely follows
// goes below its min ISR. It is one of this roll's brokers not yet restarted: the roll restarts
// no broker it would not have restarted anyway, only sooner; its own turn then only reports.
util::Result<void> KafkaTier::restart_held_leader(Context& ctx, int leader,
                                                  const inventory::KafkaNode& broker,
                                                  const std::string& why) {
  const KafkaComponent* held = broker_component(leader);
  if (held == nullptr)
    return util::fail("broker " + std::to_string(leader) + " is not in the roll");
  ctx.progress().report({broker.host, held->step("restart"), runner::EventKind::progress,
                         why + ": restarting broker " + std::to_string(leader) +
                             " now, ahead of its turn (a leader that no longer expands ISRs)"});
  ahead_[leader] = "restarted ahead of its turn (it held broker " + std::to_string(broker.id) +
                   " out of its ISRs)";
  if (auto r = stop_start_rejoin(ctx, *held); !r)
    return util::fail("broker " + std::to_string(leader) +
                      " restarted ahead of its turn: " + r.error().message);
  return {};
}

util::Result<std::string> KafkaTier::wait_all(Context& ctx) {
  if (auto w = wait_all_registered(ctx, ctx.options().wait_timeout); !w) return w.error();
  return std::to_string(cluster_.brokers().size()) + " registered and serving";
}

std::optional<std::string> KafkaTier::leave_refusal(Context& ctx, const Component& node,
                                                    const std::string& verb) {
  const auto& n = static_cast<const KafkaComponent&>(node).node();
  if (!n.broker) return std::nullopt;
  KafkaHealth h = kafka_health(ctx, WithQuorum::no);
  if (h.under_replicated == 0 && h.offline == 0) return std::nullopt;
  std::string why = h.under_replicated < 0
                        ? "the cluster's partition state cannot be read (" + h.error + ")"
                        : std::to_string(h.under_replicated) + " under-replicated and " +
                              std::to_string(h.offline) + " offline partitions already";
  return verb + " of broker " + std::to_string(n.id) + " on " + n.host + " refused: " + why +
         " (use --force)";
}

std::string KafkaTier::ready_text(Context&, const Component& node) {
  const auto& n = static_cast<const KafkaComponent&>(node).node();
  auto it = together_.find(n.id);
  auto ahead = ahead_.find(n.id);
  return (it != together_.end() ? it->second + ", " : std::string()) +
         (ahead != ahead_.end() ? ahead->second + ", " : std::string()) +
         (n.broker ? "registered, no under-replicated partitions" : "running");
}

std::unique_ptr<TierStatus> KafkaTier::status(Context& ctx, probe::AskMntr) {
  return std::make_unique<KafkaStatusView>(cluster_, collect_kafka_status(ctx));
}

std::vector<Component*> KafkaTier::joining_controllers() {
  std::vector<Component*> out;
  for (auto& n : nodes_)
    if (quorum_.joining.count(n->node().id)) out.push_back(n.get());
  return out;
}

bool is_kraft_controller(const Component& node) {
  const auto* k = dynamic_cast<const KafkaComponent*>(&node);
  return k != nullptr && k->node().controller;
}

util::Result<void> join_controller(Context& ctx, const Component& node) {
  return join_quorum(ctx, static_cast<const KafkaComponent&>(node).node(),
                     node.step("add controller"));
}

util::Result<void> leave_controller(Context& ctx, const Component& node) {
  return leave_quorum(ctx, static_cast<const KafkaComponent&>(node).node(),
                      node.step("remove controller"));
}

std::vector<Tier::StopGroup> KafkaTier::stop_groups(Context&) {
  StopGroup brokers{"stop brokers", 0, {}}, controllers{"stop controllers", 0, {}};
  for (auto& n : nodes_) (n->node().controller ? controllers : brokers).nodes.push_back(n.get());
  return {brokers, controllers};
}

}  // namespace zkctl::ops
