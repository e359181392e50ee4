#include "ops/commands/deploy.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

#include "ops/commands/deploy_plan.hpp"
#include "ops/host/checksum.hpp"
#include "ops/kafka/node.hpp"
#include "ops/kafka/reassign.hpp"
#include "ops/kafka/upgrade.hpp"
#include "ops/security/onramp.hpp"
#include "ops/zookeeper/host.hpp"
#include "ops/zookeeper/rolling.hpp"
#include "remote/scripts.hpp"
#include "render/rendered_file.hpp"
#include "util/diff.hpp"

namespace zkctl::ops {

using runner::StepOutcome;

util::Result<std::string> read_remote_file(remote::Remote& remote, const std::string& path,
                                           const std::string& user, std::chrono::seconds timeout) {
  auto r = remote.run(
      zkctl::remote::script_command(zkctl::remote::scripts::host_read_file, {user, path}), timeout);
  if (!r) return r.error();
  if (r->exit_status != 0) return util::fail("cannot read " + path + ": " + r->err);
  return r->out;
}

std::vector<FileChange> describe_files(remote::Remote& remote,
                                       const std::vector<const render::RenderedFile*>& changed,
                                       const std::string& host, const std::string& user,
                                       std::chrono::seconds timeout) {
  std::vector<FileChange> out;
  for (const auto* f : changed) {
    if (f->content.find("PRIVATE KEY-----") != std::string::npos) {
      out.push_back({f->path, "holds a private key: its content is not shown\n"});
      continue;
    }
    if (f->content.find('\0') != std::string::npos) {  // a jar (the metrics agent)
      out.push_back({f->path, "binary, " + std::to_string(f->content.size()) + " bytes, sha256 " +
                                  sha256_hex(f->content) + "\n"});
      continue;
    }
    auto before = read_remote_file(remote, f->path, user, timeout);
    std::string old = before ? *before : "";
    out.push_back({f->path, util::unified_diff(old, f->content, host + ":" + f->path + " (now)",
                                               host + ":" + f->path + " (rendered)")});
  }
  return out;
}

namespace {

// What apply counts, per kind of node.
struct Tally {
  std::atomic<int> uploaded{0}, configured{0}, formatted{0}, started{0}, restarted{0};
};

// Everything the steps of a running plan share.
struct Apply {
  Context& ctx;
  Context& roll;  // the transition view during scale-in, else ctx
  DeployPlan& plan;
  DeployReport& report;
  std::map<NodeKind, Tally> tally;
  std::atomic<int> removed{0};
  std::mutex notes_mu;  // guards report.notes while steps run
};

// Upload progress of `step` on `host` as "1.5 / 42.0 MiB" events.
remote::ProgressFn bytes_progress(runner::Progress& progress, const std::string& host,
                                  const std::string& step) {
  return [&progress, host, step](std::uint64_t sent, std::uint64_t total) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f / %.1f MiB", sent / 1048576.0, total / 1048576.0);
    progress.report({host, step, runner::EventKind::progress, buf});
  };
}

util::Result<StepOutcome> done_if(util::Result<void> r) {
  if (!r) return r.error();
  return StepOutcome::done;
}

// The node's session; pre-flight made sure every node of the inventory has one.
util::Result<remote::Remote*> session(Apply& a, const Component& node) {
  Connection& c = node.connection(a.ctx);
  if (!c.remote) return util::fail(c.error);
  return c.remote.get();
}

// Step `kind` of the node's install `job`.
util::Result<StepOutcome> install_step(Apply& a, const NodePlan& np, const PlannedJob& job,
                                       StepKind kind) {
  const Component& n = *np.node;
  auto r = session(a, n);
  if (!r) return r.error();
  const auto t = n.timeout(a.ctx);
  Tally& tally = a.tally[n.kind()];
  // Before the running node's install or configs change (its job's first step, run before the
  // others): the restart is owed from here on.
  if (np.decision.needs_restart() && kind == job.steps.front())
    if (auto m = mark_restart(a.ctx, n, RestartOwed::set); !m) return m.error();
  switch (kind) {
    case StepKind::upload: {
      auto up = upload_release(**r, n.install_dir(), n.distribution(), a.plan.dist_sha[np.tier],
                               bytes_progress(a.ctx.progress(), n.host(), n.step("upload")), t);
      if (up) ++tally.uploaded;
      return done_if(up);
    }
    case StepKind::upload_java:
      return done_if(push_jdk(**r, n.install_dir(), *a.plan.jdk,
                              bytes_progress(a.ctx.progress(), n.host(), n.step("upload jdk")), t));
    case StepKind::configure: {
      if (auto c = n.configure(**r, np.files, np.decision.changed_files, t); !c) return c.error();
      if (np.decision.changed_files.empty()) return StepOutcome::skipped;
      ++tally.configured;
      return StepOutcome::done;
    }
    case StepKind::format: {
      auto f = n.format(**r, t);
      if (!f) return f.error();
      if (!*f) return StepOutcome::skipped;
      ++tally.formatted;
      return StepOutcome::done;
    }
    default:
      return util::fail("not an install step");
  }
}

util::Result<StepOutcome> start_step(Apply& a, const Component& n) {
  auto r = session(a, n);
  if (!r) return r.error();
  if (auto ready = n.before_start(a.ctx); !ready) return ready.error();
  auto pid = n.start(**r, n.timeout(a.ctx));
  if (!pid) return pid.error();
  ++a.tally[n.kind()].started;
  return StepOutcome::done;
}

util::Result<StepOutcome> take_out_step(Apply& a, const Component& n) {
  // A broker that still holds replicas is drained onto the inventory's brokers first (#15).
  if (n.kind() == NodeKind::kafka)
    if (auto d = drain_before_removal(a.ctx, n.id(), n.host(), n.step("drain")); !d)
      return d.error();
  Connection& c = n.connection(a.ctx);
  ++a.removed;
  if (!c.remote) return StepOutcome::skipped;  // pre-flight: unreachable and not serving
  auto st = n.stop(*c.remote, a.ctx.options(), n.timeout(a.ctx));
  if (!st) return st.error();
  return StepOutcome::done;
}

util::Result<StepOutcome> run_step(Apply& a, const PlannedStage& stage, const PlannedJob& job,
                                   StepKind kind) {
  Context& view = stage.view == View::transition ? a.roll : a.ctx;
  switch (kind) {
    case StepKind::upload:
    case StepKind::upload_java:
    case StepKind::configure:
    case StepKind::format:
      return install_step(a, *a.plan.find(job.node), job, kind);
    case StepKind::start:
      return start_step(a, *job.node);
    case StepKind::join:
    case StepKind::wait_ready:
      return done_if(job.node->wait_ready(a.ctx));
    case StepKind::move_leadership:
      return done_if(stage.tier->restart_one(view, *job.node));
    case StepKind::restart: {
      if (auto r = stage.tier->restart_one(view, *job.node); !r) return r.error();
      ++a.tally[job.node->kind()].restarted;
      if (auto m = mark_restart(a.ctx, *job.node, RestartOwed::clear); !m) return m.error();
      return StepOutcome::done;
    }
    case StepKind::take_out:
      return take_out_step(a, *job.node);
    case StepKind::join_quorum:
      return done_if(join_controller(a.ctx, *job.node));
    case StepKind::leave_quorum:
      return done_if(leave_controller(a.ctx, *job.node));
    case StepKind::wait_tier: {
      auto w = stage.tier->wait_all(a.ctx);
      if (!w) return w.error();
      a.ctx.progress().report({stage.name, to_string(kind), runner::EventKind::progress, *w});
      return StepOutcome::done;
    }
    case StepKind::upgrade:  // a Kafka upgrade's step (#11)
    case StepKind::reconcile: {
      auto w = kind == StepKind::upgrade ? run_kafka_upgrade_step(a.ctx, *stage.tier)
                                         : stage.tier->reconcile(a.ctx);
      if (!w) return w.error();
      std::lock_guard lock(a.notes_mu);  // what it did stays in the summary (progress thins out)
      a.report.notes.push_back(stage.name + ": " + *w);
      return StepOutcome::done;
    }
  }
  return util::fail("unknown step");
}

// The runner's stage for a planned one: the same jobs and steps, as closures.
runner::Stage runnable(Apply& a, const PlannedStage& stage) {
  runner::Stage out{stage.name, {}, stage.parallel};
  for (const PlannedJob& job : stage.jobs) {
    runner::HostJob hj{job.node ? job.node->host() : stage.name, {}};
    for (StepKind kind : job.steps) {
      std::string name = job.node ? job.node->step(to_string(kind)) : to_string(kind);
      hj.steps.push_back(
          {name, [&a, &stage, &job, kind] { return run_step(a, stage, job, kind); }});
    }
    out.jobs.push_back(std::move(hj));
  }
  return out;
}

void copy_tally(const Apply& a, DeployReport& report) {
  auto get = [&](NodeKind k) -> const Tally* {
    auto it = a.tally.find(k);
    return it == a.tally.end() ? nullptr : &it->second;
  };
  if (const Tally* z = get(NodeKind::zookeeper)) {
    report.uploaded = z->uploaded;
    report.configs_written = z->configured;
    report.started = z->started;
    report.restarted = z->restarted;
  }
  if (const Tally* k = get(NodeKind::kafka)) {
    report.kafka_uploaded = k->uploaded;
    report.kafka_configs_written = k->configured;
    report.kafka_formatted = k->formatted;
    report.kafka_started = k->started;
    report.kafka_restarted = k->restarted;
  }
  report.removed = a.removed;
}

// A roll run one job at a time, the next chosen when it is due (next_in_order: for
// ZooKeeper, the leader of that moment goes last).
runner::StageResult run_roll(Apply& a, runner::Runner& runner, const PlannedStage& stage) {
  Context& view = stage.view == View::transition ? a.roll : a.ctx;
  std::vector<Component*> left;
  for (const PlannedJob& job : stage.jobs) left.push_back(job.node);
  runner::StageResult all{stage.name, {}};
  while (!left.empty()) {
    Component* next = next_in_order(view, *stage.tier, left);
    PlannedStage one = stage;
    one.jobs.clear();
    for (const PlannedJob& job : stage.jobs)
      if (job.node == next) one.jobs.push_back(job);
    runner::StageResult r = runner.run_stage(runnable(a, one));
    all.hosts.insert(all.hosts.end(), r.hosts.begin(), r.hosts.end());
    if (!r.ok()) break;
    left.erase(std::find(left.begin(), left.end(), next));
  }
  return all;
}

// Run the plan's stages in order; stop at the first that fails.
void apply(Context& ctx, DeployPlan& plan, DeployReport& report) {
  Context transition(plan.transition ? *plan.transition : ctx.cluster(), ctx);
  Apply a{ctx, plan.transition ? transition : ctx, plan, report, {}, {}};
  a.tally[NodeKind::zookeeper];
  a.tally[NodeKind::kafka];
  runner::Runner runner(ctx.progress(), ctx.options().parallel);
  const Tier* previous = nullptr;
  for (const PlannedStage& stage : plan.stages) {
    if (stage.tier != previous) stage.tier->before_apply(ctx);
    previous = stage.tier;
    runner::StageResult result =
        stage.reread_order ? run_roll(a, runner, stage) : runner.run_stage(runnable(a, stage));
    if (!result.ok()) {
      report.outcome = DeployOutcome::failed;
      for (const auto& h : result.hosts)
        if (!h.ok()) report.failures.push_back(h);
      break;
    }
  }
  copy_tally(a, report);
}

// "node1: configure, restart"; the node's label ("node1 (kafka 14)") when the stage has
// another node on its host.
std::string summary_of(const PlannedJob& job, const PlannedStage& stage) {
  const bool shared = job.node && std::any_of(stage.jobs.begin(), stage.jobs.end(), [&](auto& o) {
                        return o.node && o.node != job.node && o.node->host() == job.node->host();
                      });
  std::string line =
      (job.node ? (shared ? job.node->label() : job.node->host()) : stage.name) + ":";
  for (std::size_t i = 0; i < job.steps.size(); ++i)
    line += (i ? ", " : " ") + std::string(to_string(job.steps[i]));
  std::string why;
  for (const auto& r : job.reasons) why += (why.empty() ? "" : ", ") + r;
  return why.empty() ? line : line + " (" + why + ")";
}

// `zkctl plan`: per node what changes (with file diffs), then the stages as planned.
void describe(Context& ctx, DeployPlan& plan, DeployReport& report) {
  for (const NodePlan& np : plan.nodes) {
    const Component& n = *np.node;
    const Decision& d = np.decision;
    HostChange c{n.host(), to_string(n.kind()), d.upload || d.upload_java, {}, d.action()};
    c.id = n.id();
    c.files = describe_files(*n.connection(ctx).remote, d.changed_files, n.host(), n.service_user(),
                             n.timeout(ctx));
    report.changes.push_back(std::move(c));
  }
  for (const auto& s : plan.removals.servers)
    report.changes.push_back(
        {s.host, "zookeeper", false, {}, "take out of the ensemble (members rolled), stop"});
  for (const auto& n : plan.removals.kafka_nodes)
    report.changes.push_back({n.host,
                              "kafka",
                              false,
                              {},
                              "stop (controlled shutdown), its replicas drained first if any",
                              n.id});
  for (const PlannedStage& stage : plan.stages) {
    StageSummary s{stage.name, stage.order, {}};
    for (const PlannedJob& job : stage.jobs) {
      s.jobs.push_back(summary_of(job, stage));
      s.upgrade = s.upgrade || std::find(job.steps.begin(), job.steps.end(), StepKind::upgrade) !=
                                   job.steps.end();
    }
    report.stages.push_back(std::move(s));
  }
}

}  // namespace

// A secure cluster's CA and zkctl's own certificate, before anything renders or probes with
// them (deploy issues; plan and check use what is kept). False: the pre-flight failed.
static bool settle_pki(Context& ctx, DeployReport& report) {
  if (!ctx.cluster().security.tls || ctx.options().pki_use != PkiUse::issue) return true;
  auto pki = ctx.pki();
  util::Result<void> admin = pki ? (*pki)->ensure_admin() : util::Result<void>(pki.error());
  if (!admin) {
    report.preflight.push_back("certificates: " + admin.error().message);
    report.outcome = DeployOutcome::preflight_failed;
    return false;
  }
  for (const auto& n : (*pki)->notes()) report.notes.push_back(n);
  return true;
}

DeployReport deploy(Context& ctx, DeployMode mode, Force force) {
  DeployReport report;
  if (!settle_pki(ctx, report)) return report;
  if (mode != DeployMode::preflight_only) {  // an open cluster made secure, or back (#13)
    if (auto onramp = deploy_onramp(ctx, mode, force)) return std::move(*onramp);
  }
  DeployPlan plan = build_deploy_plan(ctx, mode, force, report);
  if (report.outcome != DeployOutcome::ok || mode == DeployMode::preflight_only) return report;
  if (mode == DeployMode::plan_only)
    describe(ctx, plan, report);
  else
    apply(ctx, plan, report);
  return report;
}

}  // namespace zkctl::ops
