#include "ops/migration/driver.hpp"

#include <memory>

#include "ops/cluster/state.hpp"
#include "ops/kafka/node.hpp"
#include "ops/kafka/users.hpp"
#include "ops/security/onramp.hpp"
#include "remote/scripts.hpp"
#include "render/kafka.hpp"
#include "render/kafka_paths.hpp"
#include "util/clock.hpp"

namespace zkctl::ops {

namespace {

using render::KafkaMigration;

// How the deploy of a phase renders the controllers and the brokers, and where it keeps the
// users: brokers rolled into migration start the metadata's copy, and a user or ACL written
// meanwhile through a ZooKeeper-mode controller could miss it, so that phase reconciles them
// once its gate saw the KRaft controller holding the metadata (they are forwarded to it then).
struct Renders {
  KafkaMigration controllers = KafkaMigration::none;
  KafkaMigration brokers = KafkaMigration::none;
  KafkaUsersStage users = KafkaUsersStage::in_deploy;
};

Renders renders_of(MigrationPhase phase) {
  switch (phase) {
    case MigrationPhase::none:
    case MigrationPhase::prechecked:
    case MigrationPhase::controllers:
      return {KafkaMigration::controller, KafkaMigration::broker_zookeeper};
    case MigrationPhase::dual_write:
      return {KafkaMigration::controller, KafkaMigration::broker, KafkaUsersStage::later};
    case MigrationPhase::kraft:
      return {KafkaMigration::controller, KafkaMigration::none};
    case MigrationPhase::finalized:
      break;
  }
  return {};
}

// A context over `view` (its own copy) with `renders`, sharing nothing but the progress.
struct PhaseContext {
  inventory::Cluster cluster;
  std::unique_ptr<Context> ctx;
};

std::unique_ptr<PhaseContext> phase_context(Context& ctx, const inventory::Cluster& view,
                                            const std::string& cluster_id, Renders renders) {
  auto pc = std::make_unique<PhaseContext>();
  pc->cluster = view;
  if (pc->cluster.kafka && !cluster_id.empty()) pc->cluster.kafka->cluster_id = cluster_id;
  Options options = ctx.options();
  options.kafka_controllers_as = renders.controllers;
  options.kafka_brokers_as = renders.brokers;
  options.kafka_users = renders.users;
  options.membership = Membership::fixed;  // the refusals keep the brokers; controllers are added
  pc->ctx = std::make_unique<Context>(pc->cluster, options, ctx.progress());
  return pc;
}

void warn(Context& ctx, const std::string& host, const std::string& text) {
  ctx.progress().report({host, "migration", runner::EventKind::progress, "warning: " + text});
}

}  // namespace

void save_migration_record(Context& ctx, MigrationRecord& record) {
  record.updated_at = util::utc_now_iso8601();
  const std::string json = migration_record_json(record);
  if (auto r = record_migration(ctx.cluster().name, json); !r)
    warn(ctx, "", "could not record the migration locally: " + r.error().message);
  for (const auto& n : ctx.cluster().kafka_nodes) {
    Connection& c = ctx.connection(n);
    if (!c.remote) continue;
    const std::string dir = render::kafka_paths(n).install_dir;
    if (auto r = c.remote->write_file(json, dir + "/.zkctl-migration", 0644); !r && n.broker)
      warn(ctx, n.host, "could not record the migration on the host: " + r.error().message);
  }
}

namespace {

void save(Context& ctx, MigrationRecord& record) {
  save_migration_record(ctx, record);
}

void take_deploy_problems(const DeployReport& d, MigrationRun& run) {
  run.deploy = d;
  if (d.outcome == DeployOutcome::preflight_failed) {
    run.outcome = MigrationRun::Outcome::preflight_failed;
    run.problems = d.preflight;
  } else if (d.outcome == DeployOutcome::refused) {
    run.outcome = MigrationRun::Outcome::refused;
    run.problems = d.refusals;
  } else if (d.outcome == DeployOutcome::failed) {
    run.outcome = MigrationRun::Outcome::failed;
    for (const auto& f : d.failures)
      run.problems.push_back(f.host + ": " + f.failed_step + ": " + f.error);
  }
}

// (a): nothing changes on a host; the cluster id is read from ZooKeeper.
bool precheck(Context& ctx, MigrationRecord& record, Force force, MigrationRun& run) {
  auto pc = phase_context(ctx, ctx.cluster(), "", renders_of(MigrationPhase::controllers));
  DeployReport plan = deploy(*pc->ctx, DeployMode::plan_only, force);
  const auto timeout = ctx.admin_timeout();
  auto zk = read_zk_migration(ctx.cluster(), timeout);
  std::vector<std::string> problems =
      precheck_problems(*pc->ctx, record, zk ? std::optional(*zk) : std::nullopt, plan);
  if (!zk) problems.insert(problems.begin(), "zookeeper: " + zk.error().message);
  const std::string& fixed = ctx.cluster().kafka->cluster_id;
  if (zk && !fixed.empty() && fixed != zk->cluster_id)
    problems.push_back("kafka.cluster_id " + fixed + " is not the ZooKeeper cluster's id " +
                       zk->cluster_id + ": leave it out (the controllers take ZooKeeper's)");
  if (!problems.empty()) {
    run.outcome = MigrationRun::Outcome::preflight_failed;
    run.problems = problems;
    run.deploy = plan;
    return false;
  }
  record.cluster_id = zk->cluster_id;
  record.done = MigrationPhase::prechecked;
  record.under_way.clear();
  save(ctx, record);
  run.done.push_back("pre-checks: cluster id " + record.cluster_id + ", brokers " +
                     std::to_string(zk->brokers.size()) + " registered, no partition offline");
  return true;
}

// The users a phase's deploy left for after its gate (Renders::users), reconciled now; false
// (the problem in `run`) when that fails.
bool users_after_gate(Context& ctx, MigrationRun& run) {
  if (ctx.options().kafka_users != KafkaUsersStage::later || users_plan_text(ctx).empty())
    return true;
  auto r = reconcile_users(ctx);
  if (r) {
    run.done.push_back("users (after the gate): " + *r);
    return true;
  }
  run.outcome = MigrationRun::Outcome::failed;
  run.problems.push_back("users: " + r.error().message);
  return false;
}

// (b)..(d) and finalize: the phase's deploy, then its gate; recorded before and after.
bool run_phase(Context& ctx, MigrationRecord& record, MigrationPhase phase, Force force,
               MigrationRun& run) {
  record.under_way = to_string(phase);
  save(ctx, record);
  auto pc = phase_context(ctx, ctx.cluster(), record.cluster_id, renders_of(phase));
  take_deploy_problems(deploy(*pc->ctx, DeployMode::apply, force), run);
  if (run.outcome != MigrationRun::Outcome::ok) return false;
  if (auto g = await_migration_gate(*pc->ctx, phase); !g) {
    run.outcome = MigrationRun::Outcome::failed;
    run.problems.push_back(g.error().message);
    return false;
  }
  if (!users_after_gate(*pc->ctx, run)) return false;
  record.done = phase;
  record.under_way.clear();
  save(ctx, record);
  for (const auto& step : migration_steps(record))
    if (step.phase == phase) run.done.push_back(step.title + ": " + step.gate);
  return true;
}

}  // namespace

std::vector<std::string> current_migration_refusals(Context& ctx,
                                                    const inventory::Cluster* deployed) {
  return migration_refusals(ctx.cluster(), deployed, onramp_unfinished(ctx.cluster().name));
}

util::Result<MigrationRecord> load_migration_record(const std::string& name) {
  const std::string text = recorded_migration(name);
  if (text.empty()) return MigrationRecord{};
  auto r = parse_migration_record(text);
  if (!r)
    return util::fail(state_home() + "/clusters/" + name + "/migration.json: " + r.error().message);
  return r;
}

MigrationRun run_migration(Context& ctx, MigrationRecord record, const inventory::Cluster* deployed,
                           Force force, MigrationPhase until) {
  MigrationRun run;
  run.problems = current_migration_refusals(ctx, deployed);
  if (!run.problems.empty()) {
    run.outcome = MigrationRun::Outcome::refused;
    run.record = record;
    return run;
  }
  record.begun = true;
  for (const auto phase : {MigrationPhase::prechecked, MigrationPhase::controllers,
                           MigrationPhase::dual_write, MigrationPhase::kraft}) {
    if (phase <= record.done) continue;
    if (phase > until) break;
    const bool ok = phase == MigrationPhase::prechecked ? precheck(ctx, record, force, run)
                                                        : run_phase(ctx, record, phase, force, run);
    if (!ok) break;
  }
  run.record = record;
  return run;
}

MigrationRun plan_migration(Context& ctx, const MigrationRecord& record,
                            const inventory::Cluster* deployed) {
  MigrationRun run;
  run.record = record;
  run.problems = current_migration_refusals(ctx, deployed);
  if (!run.problems.empty()) {
    run.outcome = MigrationRun::Outcome::refused;
    return run;
  }
  auto next = next_migration_step(record);
  MigrationPhase phase = next ? next->phase : MigrationPhase::finalized;
  // The pre-checks plan the controllers' deploy; deploy stops before finalize.
  if (phase == MigrationPhase::prechecked) phase = MigrationPhase::controllers;
  if (phase == MigrationPhase::finalized && record.done != MigrationPhase::finalized)
    phase = MigrationPhase::kraft;
  auto pc = phase_context(ctx, ctx.cluster(), record.cluster_id, renders_of(phase));
  take_deploy_problems(deploy(*pc->ctx, DeployMode::plan_only), run);
  return run;
}

MigrationRun finalize_migration(Context& ctx, MigrationRecord record) {
  MigrationRun run;
  if (record.done != MigrationPhase::kraft) {
    run.outcome = MigrationRun::Outcome::refused;
    run.problems.push_back(
        record.done == MigrationPhase::finalized
            ? std::string("the migration is finalized already")
            : std::string("finalize comes after every broker runs in KRaft mode; the migration "
                          "has done: ") +
                  to_string(record.done) + " (run `zkctl deploy` to go on)");
    run.record = record;
    return run;
  }
  run_phase(ctx, record, MigrationPhase::finalized, Force::no, run);
  run.record = record;
  return run;
}

}  // namespace zkctl::ops
