#include "ops/commands/cluster_control.hpp"

#include <atomic>

#include "ops/component.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

using runner::StepOutcome;

namespace {

// Run `stage`; failed jobs go to `report` as "host: step: error".
bool run_into(Context& ctx, const runner::Stage& stage, ClusterControlReport& report) {
  runner::Runner runner(ctx.progress(), ctx.options().parallel);
  auto r = runner.run_stage(stage);
  for (const auto& h : r.hosts) {
    if (h.ok()) continue;
    report.ok = false;
    report.errors.push_back(h.host + ": " + h.failed_step + ": " + h.error);
  }
  return r.ok();
}

util::Result<StepOutcome> stop_step(Context& ctx, const Component& node,
                                    std::atomic<int>& changed) {
  Connection& c = node.connection(ctx);
  if (!c.remote) return util::fail(c.error);
  auto r = node.stop(*c.remote, ctx.options(), node.timeout(ctx));
  if (!r) return r.error();
  if (!*r) return StepOutcome::skipped;
  ++changed;
  return StepOutcome::done;
}

util::Result<StepOutcome> start_step(Context& ctx, const Component& node,
                                     std::atomic<int>& changed) {
  Connection& c = node.connection(ctx);
  if (!c.remote) return util::fail(c.error);
  auto running = node.pid(*c.remote, node.timeout(ctx));
  if (!running) return running.error();
  if (*running) return StepOutcome::skipped;
  if (auto ready = node.before_start(ctx); !ready) return ready.error();
  auto pid = node.start(*c.remote, node.timeout(ctx));
  if (!pid) return pid.error();
  ++changed;
  return StepOutcome::done;
}

}  // namespace

ClusterControlReport stop_cluster(Context& ctx) {
  ClusterControlReport report;
  std::atomic<int> changed{0};
  auto tiers = tiers_of(ctx.cluster());
  for (auto t = tiers.rbegin(); t != tiers.rend() && report.ok; ++t) {
    for (const Tier::StopGroup& group : (*t)->stop_groups(ctx)) {
      runner::Stage stage{group.stage, {}, group.parallel};
      for (Component* n : group.nodes) {
        stage.jobs.push_back({n->host(), {{n->step("stop"), [&ctx, n, &changed] {
                                             return stop_step(ctx, *n, changed);
                                           }}}});
      }
      if (!run_into(ctx, stage, report)) break;
    }
  }
  report.changed = changed;
  return report;
}

ClusterControlReport start_cluster(Context& ctx) {
  ClusterControlReport report;
  std::atomic<int> changed{0};
  for (auto& tier : tiers_of(ctx.cluster())) {
    runner::Stage stage{tier->stage("start"), {}};
    for (Component* n : tier->nodes()) {
      runner::HostJob job{
          n->host(),
          {{n->step("start"), [&ctx, n, &changed] { return start_step(ctx, *n, changed); }}}};
      if (tier->ready_per_node()) {
        job.steps.push_back({n->step("wait for role"), [&ctx, n]() -> util::Result<StepOutcome> {
                               if (auto w = n->wait_ready(ctx); !w) return w.error();
                               return StepOutcome::done;
                             }});
      }
      stage.jobs.push_back(std::move(job));
    }
    if (!run_into(ctx, stage, report)) break;
    if (tier->ready_per_node()) continue;
    if (auto w = tier->wait_all(ctx); !w) {
      report.ok = false;
      report.errors.push_back(std::string(to_string(tier->kind())) + ": " + w.error().message);
      break;
    }
  }
  report.changed = changed;
  return report;
}

}  // namespace zkctl::ops
