#include "ops/commands/deploy_plan.hpp"

#include <algorithm>
#include <iterator>
#include <mutex>

#include "ops/commands/deploy.hpp"
#include "ops/host/checksum.hpp"
#include "ops/host/metrics_agent.hpp"
#include "ops/kafka/node.hpp"
#include "ops/kafka/upgrade.hpp"
#include "ops/zookeeper/server.hpp"
#include "ops/zookeeper/upgrade.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

const char* to_string(StepKind kind) {
  // Indexed by StepKind, in its order.
  static constexpr const char* kNames[] = {"upload",
                                           "upload jdk",
                                           "configure",
                                           "format",
                                           "start",
                                           "wait for role",
                                           "move leadership",
                                           "rolling restart",
                                           "stop removed node",
                                           "wait for role",
                                           "wait for brokers",
                                           "users and ACLs",
                                           "add controller",
                                           "remove controller",
                                           "upgrade"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(StepKind::upgrade) + 1);
  return kNames[static_cast<int>(kind)];
}

const NodePlan* DeployPlan::find(const Component* node) const {
  for (const auto& n : nodes)
    if (n.node == node) return &n;
  return nullptr;
}

namespace {

void preflight_failed(DeployReport& report, std::string problem) {
  report.outcome = DeployOutcome::preflight_failed;
  report.preflight.push_back(std::move(problem));
}

// "host: problem" for ZooKeeper, "host: kafka: problem" for a Kafka node.
std::string problem_line(const Component& node, const std::string& problem) {
  return node.host() + ": " + (node.kind() == NodeKind::kafka ? "kafka: " : "") + problem;
}

// The tiers of the nodes the inventory dropped (once the removals are known): the
// cluster's settings with only those nodes, made into tiers like any cluster.
void make_removed_tiers(const inventory::Cluster& cluster, DeployPlan& plan) {
  plan.dropped = std::make_unique<inventory::Cluster>(cluster);
  plan.dropped->servers = plan.removals.servers;
  plan.dropped->kafka_nodes = plan.removals.kafka_nodes;
  plan.dropped->metrics.enabled = false;  // the monitoring daemons follow the inventory's hosts
  plan.dropped->monitoring = {};
  for (auto& tier : tiers_of(*plan.dropped))
    if (!tier->nodes().empty()) plan.removed.push_back(std::move(tier));
}

// Render every node's files, checksum each distribution and read its version: pure, local.
void render_all(const Context& ctx, DeployPlan& plan, DeployReport& report) {
  for (auto& tier : plan.tiers) {
    for (Component* node : tier->nodes()) {
      NodePlan np{node, tier.get(), {}, {}, {}};
      auto files = node->render(ctx);
      if (files)
        np.files = std::move(files.value());
      else
        preflight_failed(report, node->host() + ": render: " + files.error().message);
      plan.nodes.push_back(std::move(np));
    }
    if (tier->distribution().empty()) continue;  // a Debian binary on the host (monitoring)
    const char* what = tier->kind() == NodeKind::kafka ? "kafka distribution: " : "distribution: ";
    auto sha = sha256_file(tier->distribution());
    if (!sha) {
      preflight_failed(report, what + sha.error().message);
      continue;
    }
    plan.dist_sha[tier.get()] = *sha;
    auto version = distribution_version(tier->distribution(), tier->product());
    if (!version) {
      preflight_failed(report, what + version.error().message);
      continue;
    }
    plan.version[tier.get()] = *version;
    plan.java[tier.get()] = java_need(tier->product(), *version);
    if (auto problem = tier->release_problem(*version)) preflight_failed(report, what + *problem);
    if (auto problem = metrics_problem(ctx.cluster(), *tier))
      preflight_failed(report, what + *problem);
  }
}

// Pack the JDK of [java] once and check it is new enough for every product it runs.
void prepare_pushed_jdk(const inventory::Cluster& cluster, DeployPlan& plan, DeployReport& report) {
  auto j = prepare_jdk(cluster.java.distribution);
  if (!j) return preflight_failed(report, j.error().message);
  plan.jdk = std::move(*j);
  JavaNeed most{0, ""};
  for (const auto& [tier, need] : plan.java)
    if (need.min_major > most.min_major) most = need;
  auto major = jdk_major(cluster.java.distribution);
  if (!major) return preflight_failed(report, major.error().message);
  if (*major < most.min_major) {
    preflight_failed(report, "java.distribution is Java " + std::to_string(*major) + "; " +
                                 most.product + " needs Java " + std::to_string(most.min_major) +
                                 " or newer: name a newer JDK in [java]");
  }
}

// What the last deploy had that this inventory dropped, and whether that may go.
void find_membership_changes(const inventory::Cluster& cluster, Force force, DeployPlan& plan,
                             DeployReport& report) {
  if (auto found = find_removals(cluster); !found) {
    report.preflight.push_back(found.error().message);
  } else {
    plan.removals = std::move(found.value());
  }
  for (const auto& e : plan.removals.errors) report.preflight.push_back(e);
  if (!report.preflight.empty()) {
    report.outcome = DeployOutcome::preflight_failed;
    return;
  }
  report.refusals = removal_refusals(cluster, plan.removals, force);
  if (!report.refusals.empty()) report.outcome = DeployOutcome::refused;
  report.removals_planned =
      static_cast<int>(plan.removals.servers.size() + plan.removals.kafka_nodes.size());
}

// Connect to and inspect every node at once; each node's own pre-flight problems.
void inspect_all(Context& ctx, DeployPlan& plan, DeployReport& report) {
  ctx.progress().report(
      {"", "pre-flight", runner::EventKind::started, std::to_string(plan.nodes.size()) + " nodes"});
  std::vector<std::string> errors(plan.nodes.size());
  runner::parallel_for(plan.nodes.size(), ctx.options().parallel, [&](std::size_t i) {
    NodePlan& np = plan.nodes[i];
    Connection& c = np.node->connection(ctx);
    if (!c.remote) {
      errors[i] = c.error;
      return;
    }
    if (auto r = np.node->inspect(*c.remote, np.files, np.node->timeout(ctx)); !r)
      errors[i] = r.error().message;
  });
  for (auto& tier : plan.tiers) tier->settle(ctx, report);
  // Settling may change what a Kafka node renders (the KRaft quorum's kind, #15).
  for (NodePlan& np : plan.nodes) {
    if (np.node->kind() != NodeKind::kafka) continue;
    if (auto files = np.node->render(ctx)) np.files = std::move(files.value());
  }
  for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
    const Component& node = *plan.nodes[i].node;
    std::vector<std::string> problems;
    if (!errors[i].empty())
      problems.push_back(errors[i]);
    else
      problems = node.preflight_problems(plan.java[plan.nodes[i].tier]);
    for (const auto& p : problems) {
      report.preflight.push_back(problem_line(node, p));
      ctx.progress().report({node.host(), node.step("pre-flight"), runner::EventKind::failed, p});
    }
    if (problems.empty()) {
      ctx.progress().report({node.host(), node.step("pre-flight"), runner::EventKind::done,
                             node.facts().java_version});
    }
  }
}

// ZooKeeper servers whose installed release is another version than the distribution's:
// "upgrade A -> B" in their plan; a downgrade to an older minor line is refused unless forced.
void judge_versions(DeployPlan& plan, Force force, DeployReport& report) {
  for (NodePlan& np : plan.nodes) {
    auto target = plan.version.find(np.tier);
    if (np.node->kind() != NodeKind::zookeeper || target == plan.version.end()) continue;
    const auto& facts = static_cast<const ZooKeeperServer*>(np.node)->host_facts();
    auto installed = parse_zk_version(facts.installed_version);
    if (!installed) continue;
    np.version_change = version_change_text(*installed, target->second);
    auto why = version_change_refusal(*installed, target->second);
    if (why && force == Force::no) report.refusals.push_back(np.node->host() + ": " + *why);
  }
}

// The tier of `kind` among `tiers` (null when there is none).
Tier* tier_of_kind(std::vector<std::unique_ptr<Tier>>& tiers, NodeKind kind) {
  for (auto& t : tiers)
    if (t->kind() == kind) return t.get();
  return nullptr;
}

// Pre-flight for the nodes the inventory dropped: each tier judges its own. The removed
// nodes are connected to all at once first.
void preflight_removals(Context& ctx, DeployPlan& plan, DeployReport& report) {
  std::vector<Component*> removed;
  for (auto& r : plan.removed)
    for (Component* c : r->nodes()) removed.push_back(c);
  runner::parallel_for(removed.size(), ctx.options().parallel,
                       [&](std::size_t i) { removed[i]->connection(ctx); });
  for (auto& r : plan.removed)
    if (Tier* live = tier_of_kind(plan.tiers, r->kind())) live->preflight_removal(ctx, *r, report);
}

// The whole pre-flight: nothing on any host is changed by it.
void preflight(Context& ctx, Force force, DeployPlan& plan, DeployReport& report) {
  const inventory::Cluster& cluster = ctx.cluster();
  plan.tiers = tiers_of(cluster);
  render_all(ctx, plan, report);
  if (report.outcome == DeployOutcome::ok && !cluster.java.distribution.empty())
    prepare_pushed_jdk(cluster, plan, report);
  if (report.outcome != DeployOutcome::ok) return;
  // A migration's deploys change the Kafka nodes' roles themselves: nothing is taken out.
  if (ctx.options().membership == Membership::recorded)
    find_membership_changes(cluster, force, plan, report);
  if (report.outcome != DeployOutcome::ok) return;
  make_removed_tiers(cluster, plan);
  inspect_all(ctx, plan, report);
  judge_versions(plan, force, report);
  judge_kafka_upgrade(ctx, plan, report);
  if (!plan.removals.empty()) preflight_removals(ctx, plan, report);
  if (report.preflight.empty()) {
    for (auto& tier : plan.tiers)
      for (auto& p : tier->cross_problems(cluster.name)) report.preflight.push_back(p);
  }
  if (!report.preflight.empty())
    report.outcome = DeployOutcome::preflight_failed;
  else if (!report.refusals.empty())
    report.outcome = DeployOutcome::refused;
}

// What changes on each node.
void decide(DeployPlan& plan) {
  for (auto& np : plan.nodes) {
    const CommonFacts& f = np.node->facts();
    Decision& d = np.decision;
    d.upload = f.release_sha256 != plan.dist_sha[np.tier];
    d.upload_java = plan.jdk && !np.tier->distribution().empty() &&  // no JVM: no JDK pushed
                    f.java_release_sha256 != plan.jdk->sha256();
    for (const auto& file : np.files) {
      auto it = f.file_sha256.find(file.path);
      if (it == f.file_sha256.end() || it->second != sha256_hex(file.content))
        d.changed_files.push_back(&file);
    }
    d.running = f.pid.has_value();
    d.wrong_user = d.running && !f.pid_user.empty() && f.pid_user != np.node->service_user();
    d.owed = f.restart_pending;
    d.format = np.node->needs_format();
  }
}

PlannedStage stage_of(Tier& tier, const std::string& name, int parallel = 0,
                      std::string order = "") {
  PlannedStage st;
  st.name = tier.stage(name);
  st.tier = &tier;
  st.parallel = parallel;
  st.order = std::move(order);
  return st;
}

void add_stage(DeployPlan& plan, PlannedStage stage) {
  if (!stage.jobs.empty()) plan.stages.push_back(std::move(stage));
}

// The install and start stages of one tier: every node at once.
void plan_install(DeployPlan& plan, Tier& tier) {
  PlannedStage install = stage_of(tier, "install");
  PlannedStage start = stage_of(tier, "start");
  for (const auto& np : plan.nodes) {
    if (np.tier != &tier) continue;
    const Decision& d = np.decision;
    PlannedJob job{np.node, {}, {}};
    if (d.upload) job.steps.push_back(StepKind::upload);
    if (d.upload_java) job.steps.push_back(StepKind::upload_java);
    job.steps.push_back(StepKind::configure);
    if (d.format) job.steps.push_back(StepKind::format);
    install.jobs.push_back(std::move(job));
    if (!d.running) start.jobs.push_back({np.node, {StepKind::start}, {}});
  }
  add_stage(plan, std::move(install));
  add_stage(plan, std::move(start));
}

// Why a node restarts; a new distribution of another version says which, and a Kafka
// upgrade's step what it keeps or raises.
std::vector<std::string> restart_reasons(const NodePlan& np) {
  std::vector<std::string> why = np.decision.reasons();
  if (!np.version_change.empty() && !why.empty() && np.decision.upload) {
    for (auto& w : why)
      if (w == "new distribution") w = np.version_change;
  }
  if (auto pinned = kafka_upgrade_restart_text(*np.tier); !pinned.empty() && !why.empty())
    why.push_back(pinned);
  return why;
}

// The roll of one tier: nodes just started join first, a removed leader hands over,
// then changed nodes restart one at a time in the tier's order, then removed nodes stop.
void plan_roll(Context& ctx, DeployPlan& plan, Tier& tier, Tier* removed) {
  std::vector<Component*> changed, started;
  for (const auto& np : plan.nodes) {
    if (np.tier != &tier) continue;
    if (np.decision.needs_restart()) changed.push_back(np.node);
    if (!np.decision.running) started.push_back(np.node);
  }
  if (tier.ready_per_node() && !changed.empty()) {
    PlannedStage join = stage_of(tier, "join");
    for (Component* c : started) join.jobs.push_back({c, {StepKind::join}, {}});
    add_stage(plan, std::move(join));
  }
  Tier::Removal removal = removed ? tier.plan_removal(ctx, *removed) : Tier::Removal{};
  const View view = removal.view ? View::transition : View::inventory;
  if (removal.view) plan.transition = std::move(removal.view);
  Component* leader = removal.leader;
  PlannedStage move = stage_of(tier, "restart", 1, "the removed leader first");
  move.view = view;
  if (leader) move.jobs.push_back({leader, {StepKind::move_leadership}, {}});
  add_stage(plan, std::move(move));
  PlannedStage roll = stage_of(tier, "restart", 1, tier.restart_order_text());
  roll.view = view;
  roll.reread_order = true;
  for (Component* c : tier.restart_order(ctx, changed))
    roll.jobs.push_back({c, {StepKind::restart}, restart_reasons(*plan.find(c))});
  add_stage(plan, std::move(roll));
  PlannedStage take_out = stage_of(tier, "remove", 1, "one at a time");
  if (removed)
    for (Component* c : removed->nodes()) {
      if (is_kraft_controller(
              *c))  // out of the voters first (#15: only a dynamic quorum gets here)
        take_out.jobs.push_back({c, {StepKind::leave_quorum, StepKind::take_out}, {}});
      else
        take_out.jobs.push_back({c, {StepKind::take_out}, {}});
    }
  add_stage(plan, std::move(take_out));
}

// Every node serving (or the tier as a whole, when readiness is the tier's).
void plan_wait(DeployPlan& plan, Tier& tier) {
  PlannedStage wait = stage_of(tier, "wait");
  if (!tier.ready_per_node()) {
    wait.jobs.push_back({nullptr, {StepKind::wait_tier}, {}});
  } else {
    for (const auto& np : plan.nodes)
      if (np.tier == &tier) wait.jobs.push_back({np.node, {StepKind::wait_ready}, {}});
  }
  add_stage(plan, std::move(wait));
}

// The stages, tier after tier (ZooKeeper healthy before Kafka is touched).
void plan_stages(Context& ctx, DeployPlan& plan) {
  for (auto& tier : plan.tiers) {
    Tier* removed = nullptr;
    for (auto& r : plan.removed)
      if (r->kind() == tier->kind()) removed = r.get();
    plan_install(plan, *tier);
    if (auto* kafka = dynamic_cast<KafkaTier*>(tier.get())) {  // #15: new voters, one at a time
      PlannedStage join =
          stage_of(*tier, "quorum", 1, "one at a time: caught up as an observer, then a voter");
      for (Component* c : kafka->joining_controllers())
        join.jobs.push_back({c, {StepKind::join_quorum}, {}});
      add_stage(plan, std::move(join));
    }
    plan_roll(ctx, plan, *tier, removed);
    plan_wait(plan, *tier);
    if (auto what = tier->reconcile_text(ctx); !what.empty()) {
      PlannedStage users = stage_of(*tier, "users");
      users.jobs.push_back({nullptr, {StepKind::reconcile}, {what}});
      add_stage(plan, std::move(users));
    }
    if (auto what = kafka_upgrade_stage_text(*tier); !what.empty()) {
      PlannedStage upgrade = stage_of(*tier, "upgrade");
      upgrade.jobs.push_back({nullptr, {StepKind::upgrade}, {what}});
      add_stage(plan, std::move(upgrade));
    }
  }
}

}  // namespace

DeployPlan build_deploy_plan(Context& ctx, DeployMode mode, Force force, DeployReport& report) {
  DeployPlan plan;
  preflight(ctx, force, plan, report);
  if (report.outcome != DeployOutcome::ok || mode == DeployMode::preflight_only) return plan;
  decide(plan);
  plan_stages(ctx, plan);
  return plan;
}

}  // namespace zkctl::ops
