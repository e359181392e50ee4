// `zkctl migrate rollback`: Kafka's "Reverting to ZooKeeper mode During the Migration", for the
// last phase completed, after backing out a phase under way (the table's note: "back out
// whatever you have done and then follow revert directions for the last fully completed step").

#include "ops/cluster/state.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/node.hpp"
#include "ops/migration/driver.hpp"
#include "ops/migration/zk_view.hpp"
#include "remote/scripts.hpp"
#include "render/kafka.hpp"
#include "render/kafka_paths.hpp"
#include "util/clock.hpp"

namespace zkctl::ops {

namespace {

using render::KafkaMigration;

// How far the hosts got: a phase under way counts as reached (its steps are backed out too).
struct Reached {
  bool controllers = false;  // controllers were (or may have been) started
  bool migrating = false;    // brokers were (or may have been) rolled into migration
  bool kraft = false;        // brokers were (or may have been) rolled into KRaft
};

Reached reached(const MigrationRecord& r) {
  auto at_least = [&](MigrationPhase p) {
    return r.done >= p || (!r.under_way.empty() && parse_migration_phase(r.under_way) >= p);
  };
  return {at_least(MigrationPhase::controllers), at_least(MigrationPhase::dual_write),
          at_least(MigrationPhase::kraft)};
}

void note(Context& ctx, const std::string& host, const std::string& text) {
  ctx.progress().report({host, "rollback", runner::EventKind::progress, text});
}

// A deploy of `view` with `controllers`/`brokers` renders; false (problems in `run`) on failure.
bool roll(Context& ctx, const inventory::Cluster& view, const std::string& cluster_id,
          KafkaMigration controllers, KafkaMigration brokers, MigrationRun& run) {
  inventory::Cluster cluster = view;
  if (cluster.kafka && !cluster_id.empty()) cluster.kafka->cluster_id = cluster_id;
  Options options = ctx.options();
  options.kafka_controllers_as = controllers;
  options.kafka_brokers_as = brokers;
  options.membership = Membership::fixed;  // the controllers are stopped here, not taken out
  Context pctx(cluster, options, ctx.progress());
  run.deploy = deploy(pctx, DeployMode::apply, Force::no);
  if (run.deploy.outcome == DeployOutcome::ok) return true;
  run.outcome = MigrationRun::Outcome::failed;
  for (const auto& p : run.deploy.preflight) run.problems.push_back(p);
  for (const auto& p : run.deploy.refusals) run.problems.push_back(p);
  for (const auto& f : run.deploy.failures)
    run.problems.push_back(f.host + ": " + f.failed_step + ": " + f.error);
  return false;
}

// After /controller was removed: one of the brokers took it (Kafka's revert steps: "so that one
// of the brokers can become the new old-style controller"), so the last roll knows its active
// controller and restarts it last. Polled as the roll's gates are (--wait-timeout).
bool await_broker_controller(Context& ctx, const inventory::Cluster& c, MigrationRun& run) {
  auto v = poll_gate(ctx, "", "rollback", GatePhase::before, [&]() -> GateVerdict {
    auto view = read_zk_migration(c, ctx.admin_timeout());
    if (!view) return {GateVerdict::Kind::wait, "waiting for ZooKeeper: " + view.error().message};
    const auto& ctl = view->controller;
    const bool broker = ctl && !ctl->kraft && view->brokers.count(ctl->id);
    if (broker) return {};
    return {GateVerdict::Kind::wait, "waiting for a broker to take /controller"};
  });
  if (v && v->kind == GateVerdict::Kind::go) return true;
  run.outcome = MigrationRun::Outcome::failed;
  run.problems.push_back(v ? v->why : v.error().message);
  return false;
}

// "Deprovision the KRaft controller quorum": stop every controller and remove its log dirs
// (its metadata log), so a later migration formats them anew.
bool deprovision_controllers(Context& ctx, const MigrationRecord& record, MigrationRun& run) {
  for (const auto* n : ctx.cluster().controllers()) {
    Connection& c = ctx.connection(*n);
    if (!c.remote) {
      run.problems.push_back(n->host + ": controller " + std::to_string(n->id) +
                             " unreachable: " + c.error);
      continue;
    }
    KafkaComponent controller(*n, ctx.cluster(), record.cluster_id);
    const auto t = ctx.command_timeout(*n);
    auto stopped = controller.stop(*c.remote, ctx.options(), t);
    if (!stopped) {
      run.problems.push_back(n->host + ": stop controller: " + stopped.error().message);
      continue;
    }
    note(ctx, n->host, "controller " + std::to_string(n->id) + " stopped");
    for (const auto& dir : render::kafka_paths(*n).log_dirs) {
      auto r = remote::run_script(*c.remote, "remove " + dir, remote::scripts::host_remove,
                                  {"kafkadata", ctx.cluster().name, "force", dir}, t);
      if (!r)
        run.problems.push_back(n->host + ": " + r.error().message);
      else
        note(ctx, n->host, r->out);
    }
  }
  if (run.problems.empty()) return true;
  run.outcome = MigrationRun::Outcome::failed;
  return false;
}

}  // namespace

MigrationRun rollback_migration(Context& ctx, MigrationRecord record) {
  MigrationRun run;
  run.record = record;
  if (record.done == MigrationPhase::finalized) {
    run.outcome = MigrationRun::Outcome::refused;
    run.problems.push_back(
        "the migration is finalized: ZooKeeper no longer holds the cluster's "
        "metadata, there is no way back");
    return run;
  }
  if (!record.begun && record.done == MigrationPhase::none && record.under_way.empty()) {
    run.outcome = MigrationRun::Outcome::refused;
    run.problems.push_back("no migration of cluster '" + ctx.cluster().name + "' is recorded");
    return run;
  }
  const Reached r = reached(record);
  const inventory::Cluster& c = ctx.cluster();
  // Migrating brokers to KRaft: back to ZooKeeper mode with the migration flag kept (first roll).
  if (r.kraft &&
      !roll(ctx, c, record.cluster_id, KafkaMigration::controller, KafkaMigration::broker, run))
    return run;
  if (r.kraft) run.done.push_back("brokers rolled back to ZooKeeper mode (migration flag kept)");
  if (r.controllers && !deprovision_controllers(ctx, record, run)) return run;
  if (r.controllers) run.done.push_back("controllers stopped, their metadata log removed");
  if (r.migrating) {
    const auto timeout = ctx.admin_timeout();
    auto was = clear_zk_migration(c, timeout);
    if (!was) {
      run.outcome = MigrationRun::Outcome::failed;
      run.problems.push_back(was.error().message);
      return run;
    }
    note(ctx, "", "removed /controller and /migration (was: " + *was + ")");
    run.done.push_back("ZooKeeper: /controller and /migration removed (/migration was " +
                       (was->empty() ? std::string("absent") : *was) + ")");
    if (!await_broker_controller(ctx, c, run)) return run;
    // Every broker without the migration's settings (the last roll; controllers taken out).
    // Kafka 3.9.2 may leave a broker here whose AlterPartition channel died as the controller
    // moved back to a ZooKeeper broker (ops/kafka/gate.cpp). Nothing the cluster reports shows
    // it before an ISR needs to grow, so it is not looked for up front: the roll restarts such
    // a leader ahead of its turn once it holds a restarted broker out (KafkaTier::restart_one).
    const inventory::Cluster view = render::kafka_zookeeper_mode_view(c);
    if (!roll(ctx, view, "", KafkaMigration::none, KafkaMigration::none, run)) return run;
    run.done.push_back("brokers rolled back to plain ZooKeeper mode");
  }
  record.done = MigrationPhase::none;
  record.under_way.clear();
  record.cluster_id.clear();
  record.rolled_back_at = util::utc_now_iso8601();
  save_migration_record(ctx, record);
  run.record = record;
  return run;
}

}  // namespace zkctl::ops
