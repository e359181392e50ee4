#include "ops/commands/deploy_plan.hpp"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <set>

#include "ops/commands/deploy.hpp"
#include "ops/host/checksum.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/node.hpp"
#include "ops/zookeeper/quorum.hpp"
#include "ops/zookeeper/server.hpp"
#include "ops/zookeeper/wait.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

const char* to_string(StepKind kind) {
  // Indexed by StepKind, in its order.
  static constexpr const char* kNames[] = {
      "upload",          "upload jdk",      "configure",
      "format",          "start",           "wait for role",
      "move leadership", "rolling restart", "stop removed node",
      "wait for role",   "wait for brokers"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(StepKind::wait_tier) + 1);
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

// The tiers of the nodes the inventory dropped (once the removals are known).
void make_removed_tiers(const inventory::Cluster& cluster, DeployPlan& plan) {
  if (!plan.removals.servers.empty())
    plan.removed.push_back(std::make_unique<ZooKeeperTier>(cluster, plan.removals.servers));
  if (!plan.removals.kafka_nodes.empty())
    plan.removed.push_back(std::make_unique<KafkaTier>(cluster, plan.removals.kafka_nodes));
}

// Render every node's files, checksum each distribution and read its version: pure, local.
void render_all(const Context& ctx, DeployPlan& plan, DeployReport& report) {
  for (auto& tier : plan.tiers) {
    for (Component* node : tier->nodes()) {
      NodePlan np{node, tier.get(), {}, {}};
      auto files = node->render(ctx);
      if (files)
        np.files = std::move(files.value());
      else
        preflight_failed(report, node->host() + ": render: " + files.error().message);
      plan.nodes.push_back(std::move(np));
    }
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
    plan.java[tier.get()] = java_need(tier->product(), *version);
    if (auto problem = tier->release_problem(*version)) preflight_failed(report, what + *problem);
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

// Pre-flight for the nodes the inventory dropped: reachable (or provably gone), and
// no broker leading or solely holding a partition.
void preflight_removals(Context& ctx, Removals& removals, DeployReport& report) {
  runner::Progress& progress = ctx.progress();
  std::vector<const inventory::Server*> servers;
  for (const auto& s : removals.servers) servers.push_back(&s);
  auto conns = ctx.connect(servers);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const inventory::Server& s = *servers[i];
    if (conns[i]->remote) {
      progress.report({s.host, "pre-flight", runner::EventKind::done, "to be removed"});
      continue;
    }
    probe::NodeProbe p = probe_server(ctx, s);
    if (serves_as_voter(p.mode) || p.mode == probe::Mode::observer) {
      report.preflight.push_back(s.host + ": to be removed, still serving as " +
                                 probe::to_string(p.mode) +
                                 ", but unreachable over SSH: " + conns[i]->error);
    } else {
      report.notes.push_back(s.host + ": to be removed; unreachable and not serving (" +
                             conns[i]->error + "): dropped from the ensemble without stopping it");
    }
  }
  if (removals.kafka_nodes.empty()) return;
  std::vector<const inventory::KafkaNode*> nodes;
  std::set<int> ids;
  for (const auto& n : removals.kafka_nodes) {
    nodes.push_back(&n);
    ids.insert(n.id);
  }
  auto kconns = ctx.connect(nodes);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!kconns[i]->remote) {
      report.preflight.push_back(nodes[i]->host +
                                 ": kafka node to be removed is unreachable: " + kconns[i]->error);
    }
  }
  auto md = probe::kafka_metadata(kafka_bootstrap(ctx.cluster()), std::chrono::seconds(10));
  if (!md) {
    report.preflight.push_back(
        "kafka: cannot read partition metadata to check the brokers to be removed: " +
        md.error().message);
    return;
  }
  for (auto& line : kafka_removal_problems(*md, ids)) report.refusals.push_back(line);
}

// The whole pre-flight: nothing on any host is changed by it.
void preflight(Context& ctx, Force force, DeployPlan& plan, DeployReport& report) {
  const inventory::Cluster& cluster = ctx.cluster();
  plan.tiers = tiers_of(cluster);
  render_all(ctx, plan, report);
  if (report.outcome == DeployOutcome::ok && !cluster.java.distribution.empty())
    prepare_pushed_jdk(cluster, plan, report);
  if (report.outcome != DeployOutcome::ok) return;
  find_membership_changes(cluster, force, plan, report);
  if (report.outcome != DeployOutcome::ok) return;
  make_removed_tiers(cluster, plan);
  inspect_all(ctx, plan, report);
  if (!plan.removals.empty()) preflight_removals(ctx, plan.removals, report);
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
    d.upload_java = plan.jdk && f.java_release_sha256 != plan.jdk->sha256();
    for (const auto& file : np.files) {
      auto it = f.file_sha256.find(file.path);
      if (it == f.file_sha256.end() || it->second != sha256_hex(file.content))
        d.changed_files.push_back(&file);
    }
    d.running = f.pid.has_value();
    d.wrong_user = d.running && !f.pid_user.empty() && f.pid_user != np.node->service_user();
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

// Scale-in of the ensemble: the view its roll counts members in (removed servers
// still serving count), and the removed leader, if one leads.
Component* plan_transition(Context& ctx, DeployPlan& plan, Tier* removed) {
  if (removed == nullptr || removed->kind() != NodeKind::zookeeper) return nullptr;
  std::vector<inventory::Server> serving;
  Component* leader = nullptr;
  for (Component* c : removed->nodes()) {
    const auto& s = static_cast<ZooKeeperServer*>(c)->server();
    probe::NodeProbe p = probe_server(ctx, s);
    if (serves_as_voter(p.mode) || p.mode == probe::Mode::observer) serving.push_back(s);
    if (p.mode == probe::Mode::leader) leader = c;
  }
  if (!serving.empty())
    plan.transition = std::make_unique<inventory::Cluster>(transition_view(ctx.cluster(), serving));
  return leader;
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
  Component* leader = plan_transition(ctx, plan, removed);
  const View view =
      plan.transition && tier.kind() == NodeKind::zookeeper ? View::transition : View::inventory;
  PlannedStage move = stage_of(tier, "restart", 1, "the removed leader first");
  move.view = view;
  if (leader) move.jobs.push_back({leader, {StepKind::move_leadership}, {}});
  add_stage(plan, std::move(move));
  PlannedStage roll = stage_of(tier, "restart", 1, tier.restart_order_text());
  roll.view = view;
  for (Component* c : tier.restart_order(ctx, changed))
    roll.jobs.push_back({c, {StepKind::restart}, plan.find(c)->decision.reasons()});
  add_stage(plan, std::move(roll));
  PlannedStage take_out = stage_of(tier, "remove", 1, "one at a time");
  if (removed)
    for (Component* c : removed->nodes()) take_out.jobs.push_back({c, {StepKind::take_out}, {}});
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
    plan_roll(ctx, plan, *tier, removed);
    plan_wait(plan, *tier);
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
