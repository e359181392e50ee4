#include "ops/cluster_control.hpp"

#include <atomic>
#include <mutex>

#include "ops/kafka_health.hpp"
#include "ops/kafka_host.hpp"
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

namespace {
// Kafka first: broker-only nodes, then nodes with a controller (a broker's
// controlled shutdown needs a controller), each group at once.
void stop_kafka_nodes(Context& ctx, ClusterControlReport& report) {
  const auto& cluster = ctx.cluster();
  std::mutex mu;
  for (int pass = 0; pass < 2; ++pass) {
    plan::Stage stage{pass == 0 ? "stop brokers" : "stop controllers", {}};
    for (const auto& n : cluster.kafka_nodes) {
      if (n.controller != (pass == 1)) continue;
      const inventory::KafkaNode* node = &n;
      stage.jobs.push_back(
          {n.host, {{"kafka stop", [&ctx, node, &report, &mu]() -> util::Result<StepOutcome> {
                       Connection& c = ctx.connection(*node);
                       if (!c.remote) return util::fail(c.error);
                       auto r = stop_kafka(*c.remote, *node, ctx.options().kafka_stop_grace,
                                           ctx.command_timeout(*node));
                       if (!r) return r.error();
                       if (!*r) return StepOutcome::skipped;
                       std::lock_guard l(mu);
                       ++report.changed;
                       return StepOutcome::done;
                     }}}});
    }
    plan::Runner runner(ctx.progress(), ctx.options().parallel);
    auto r = runner.run_stage(stage);
    for (const auto& h : r.hosts) {
      if (!h.ok()) {
        report.ok = false;
        report.errors.push_back(h.host + ": " + h.failed_step + ": " + h.error);
      }
    }
  }
}
}  // namespace

ClusterControlReport stop_cluster(Context& ctx) {
  ClusterControlReport kafka_report;
  if (ctx.cluster().kafka) {
    stop_kafka_nodes(ctx, kafka_report);
    if (!kafka_report.ok) return kafka_report;
  }
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
  auto report = collect(runner.run_stage(stage), changed);
  report.changed += kafka_report.changed;
  return report;
}

ClusterControlReport start_cluster(Context& ctx) {
  const auto& cluster = ctx.cluster();
  std::vector<const inventory::Server*> servers;
  for (const auto& s : cluster.servers) servers.push_back(&s);
  ctx.connect(servers);
  std::atomic<int> changed{0};
  plan::Stage stage{"start", {}};
  for (const inventory::Server* s : servers) {
    stage.jobs.push_back({s->host,
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
  auto report = collect(runner.run_stage(stage), changed);
  if (!report.ok || !cluster.kafka) return report;

  // Then Kafka: every node at once, then wait until every broker is registered.
  std::atomic<int> kafka_started{0};
  plan::Stage kstage{"kafka start", {}};
  for (const auto& n : cluster.kafka_nodes) {
    const inventory::KafkaNode* node = &n;
    kstage.jobs.push_back(
        {n.host, {{"kafka start", [&ctx, node, &kafka_started]() -> util::Result<StepOutcome> {
                     Connection& c = ctx.connection(*node);
                     if (!c.remote) return util::fail(c.error);
                     auto running = kafka_pid(*c.remote, *node, ctx.command_timeout(*node));
                     if (!running) return running.error();
                     if (*running) return StepOutcome::skipped;
                     auto pid = start_kafka(*c.remote, *node, ctx.command_timeout(*node));
                     if (!pid) return pid.error();
                     ++kafka_started;
                     return StepOutcome::done;
                   }}}});
  }
  auto kr = runner.run_stage(kstage);
  auto more = collect(kr, kafka_started);
  report.changed += more.changed;
  if (!more.ok) {
    report.ok = false;
    report.errors.insert(report.errors.end(), more.errors.begin(), more.errors.end());
    return report;
  }
  if (auto w = wait_all_registered(ctx, ctx.options().wait_timeout); !w) {
    report.ok = false;
    report.errors.push_back("kafka: " + w.error().message);
  }
  return report;
}

}  // namespace zkctl::ops
