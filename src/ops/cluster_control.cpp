#include "ops/cluster_control.hpp"

#include <atomic>
#include <mutex>

#include "ops/rolling.hpp"
#include "ops/status.hpp"
#include "ops/wait.hpp"
#include "ops/zk_host.hpp"
#include "plan/runner.hpp"

namespace zkctl::ops {

using plan::StepOutcome;

namespace {
ClusterControlReport collect(const plan::StageResult& r, int changed) {
  ClusterControlReport report;
  report.changed = changed;
  for (const auto& h : r.hosts) {
    if (!h.ok()) {
      report.ok = false;
      report.errors.push_back(h.host + ": " + h.failed_step + ": " + h.error);
    }
  }
  return report;
}
}  // namespace

ClusterControlReport stop_cluster(Context& ctx) {
  ClusterStatus st = collect_status(ctx);
  std::atomic<int> changed{0};
  plan::Stage stage{"stop", {}, 1};  // one at a time, in order
  for (const inventory::Server* s : rolling_order(st)) {
    stage.jobs.push_back({s->host, {{"stop", [&ctx, s, &changed]() -> util::Result<StepOutcome> {
                                       Connection& c = ctx.connection(*s);
                                       if (!c.remote) return util::fail(c.error);
                                       auto r = stop_server(*c.remote, *s, ctx.options().stop_grace,
                                                            ctx.command_timeout(*s));
                                       if (!r) return r.error();
                                       if (!*r) return StepOutcome::skipped;
                                       ++changed;
                                       return StepOutcome::done;
                                     }}}});
  }
  plan::Runner runner(ctx.progress(), 1);
  return collect(runner.run_stage(stage), changed);
}

ClusterControlReport start_cluster(Context& ctx) {
  const auto& cluster = ctx.cluster();
  std::vector<const inventory::Server*> servers;
  for (const auto& s : cluster.servers) servers.push_back(&s);
  ctx.connect(servers);
  std::atomic<int> changed{0};
  plan::Stage stage{"start", {}};
  for (const inventory::Server* s : servers) {
    stage.jobs.push_back(
        {s->host,
         {{"start",
           [&ctx, s, &changed]() -> util::Result<StepOutcome> {
             Connection& c = ctx.connection(*s);
             if (!c.remote) return util::fail(c.error);
             auto running = server_pid(*c.remote, *s, ctx.command_timeout(*s));
             if (!running) return running.error();
             if (*running) return StepOutcome::skipped;
             auto pid = start_server(*c.remote, *s, ctx.command_timeout(*s));
             if (!pid) return pid.error();
             ++changed;
             return StepOutcome::done;
           }},
          {"wait for role", [&ctx, s]() -> util::Result<StepOutcome> {
             auto m = wait_for_role(ctx, *s, ctx.options().wait_timeout);
             if (!m) return m.error();
             return StepOutcome::done;
           }}}});
  }
  plan::Runner runner(ctx.progress(), ctx.options().parallel);
  return collect(runner.run_stage(stage), changed);
}

}  // namespace zkctl::ops
