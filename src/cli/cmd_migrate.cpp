// `zkctl migrate status|rollback|finalize`, and deploy and plan on a cluster moving from
// ZooKeeper mode to KRaft (ops/migration).
#include <cstdio>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/confirm.hpp"
#include "cli/exit_codes.hpp"
#include "ops/cluster/membership.hpp"
#include "ops/cluster/state.hpp"
#include "ops/migration/driver.hpp"
#include "ops/migration/status.hpp"
#include "ops/security/onramp.hpp"
#include "runner/interrupt.hpp"

namespace zkctl::cli {

namespace {

std::string at(const inventory::SourcePos& pos) {
  if (pos.line == 0) return "";
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": ";
}

// The inventory's refusals, each at the entry it is about (else at the file).
std::vector<std::string> refusals_at(const LoadedCluster& loaded,
                                     const std::vector<std::string>& refusals) {
  const auto& c = loaded.cluster;
  inventory::SourcePos where =
      c.kafka_nodes.empty() ? inventory::SourcePos{} : c.kafka_nodes[0].pos;
  if (c.security.pos.line != 0) where = c.security.pos;
  std::vector<std::string> out;
  for (const auto& r : refusals) {
    inventory::SourcePos pos = where;
    for (const auto& n : c.kafka_nodes) {
      if (r.find("on " + n.host + " ") != std::string::npos &&
          r.find(" " + std::to_string(n.id) + " ") != std::string::npos)
        pos = n.pos;
    }
    out.push_back((pos.line ? at(pos) : loaded.path + ": ") + r);
  }
  return out;
}

int print_run(const ops::MigrationRun& run, const char* what) {
  for (const auto& d : run.done) std::printf("migration: %s\n", d.c_str());
  using Outcome = ops::MigrationRun::Outcome;
  if (run.outcome == Outcome::ok) return kOk;
  const char* header = run.outcome == Outcome::preflight_failed
                           ? "pre-checks failed; nothing was changed on any host"
                       : run.outcome == Outcome::refused ? "refused; nothing was changed"
                                                         : "failed (a rerun resumes)";
  std::fprintf(stderr, "zkctl: %s %s:\n", what, header);
  for (const auto& p : run.problems) std::fprintf(stderr, "  %s\n", p.c_str());
  if (runner::stop_requested()) return kInterrupted;
  return run.outcome == Outcome::preflight_failed ? kPreflightFailed
         : run.outcome == Outcome::refused        ? kRefused
                                                  : kFailed;
}

// The migration's state, or why it cannot be read (printed).
std::optional<MigrationState> state_of(const LoadedCluster& loaded) {
  MigrationState s;
  auto record = ops::load_migration_record(loaded.cluster.name);
  if (!record) {
    std::fprintf(stderr, "zkctl: %s\n", record.error().message.c_str());
    return std::nullopt;
  }
  s.record = *record;
  auto deployed = ops::recorded_inventory(loaded.cluster.name);
  if (!deployed) {
    std::fprintf(stderr, "zkctl: %s\n", deployed.error().message.c_str());
    return std::nullopt;
  }
  s.deployed = std::move(*deployed);
  return s;
}

}  // namespace

util::Result<std::optional<MigrationState>> migration_for(const LoadedCluster& loaded) {
  if (!loaded.cluster.kafka || loaded.cluster.kafka->mode != inventory::KafkaMode::kraft)
    return std::optional<MigrationState>();
  auto s = state_of(loaded);
  if (!s) return util::fail("the migration's state is unreadable");
  const auto mode =
      s->deployed && s->deployed->kafka ? std::optional(s->deployed->kafka->mode) : std::nullopt;
  if (!ops::migration_wanted(loaded.cluster, mode, s->record))
    return std::optional<MigrationState>();
  return std::optional<MigrationState>(std::move(*s));
}

int cmd_migrate_deploy(GlobalOptions& g, const LoadedCluster& loaded, MigrationState& state,
                       ops::Force force, ops::MigrationPhase until) {
  const auto* deployed = state.deployed ? &*state.deployed : nullptr;
  if (auto r = ops::migration_refusals(loaded.cluster, deployed,
                                       ops::onramp_unfinished(loaded.cluster.name));
      !r.empty()) {
    for (const auto& line : refusals_at(loaded, r)) std::fprintf(stderr, "%s\n", line.c_str());
    return kUsage;
  }
  auto progress = make_progress(g);
  g.ops.pki_use = ops::PkiUse::issue;  // a secure cluster's new controllers get certificates
  ops::Context ctx(loaded.cluster, g.ops, *progress);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) {
    ops::MigrationRun run = ops::run_migration(ctx, state.record, deployed, force, until);
    // Hosts changed from the controllers' phase on: the KRaft inventory is the deployed one.
    if (run.record.done >= ops::MigrationPhase::controllers || !run.record.under_way.empty()) {
      if (auto r = ops::record_cluster(loaded.cluster.name, loaded.path, loaded.text); !r)
        std::fprintf(stderr, "zkctl: warning: could not record the cluster: %s\n",
                     r.error().message.c_str());
    }
    const int code = print_run(run, "migration");
    for (const auto& p : run.problems) audit.hosts.push_back({"", p});
    audit.summary = std::string("migration: done ") + ops::to_string(run.record.done);
    if (code == kOk && run.record.done < ops::MigrationPhase::kraft) {
      std::printf(
          "migration of %s: done %s; `zkctl deploy` goes on, `zkctl migrate rollback` "
          "undoes it\n",
          loaded.cluster.name.c_str(), ops::to_string(run.record.done));
    } else if (code == kOk) {
      std::printf(
          "migrated %s: brokers in KRaft mode, ZooKeeper still written (dual-write); "
          "`zkctl migrate finalize` ends it, `zkctl migrate rollback` undoes it\n",
          loaded.cluster.name.c_str());
    }
    return code;
  });
}

util::Result<ops::DeployReport> migrate_plan_report(GlobalOptions& g, const LoadedCluster& loaded,
                                                    const MigrationState& state, Output output) {
  const auto* deployed = state.deployed ? &*state.deployed : nullptr;
  runner::NullProgress progress;
  ops::Context ctx(loaded.cluster, g.ops, progress);
  ops::MigrationRun run = ops::plan_migration(ctx, state.record, deployed);
  if (run.outcome == ops::MigrationRun::Outcome::refused &&
      run.deploy.outcome == ops::DeployOutcome::ok) {
    std::string lines;
    for (const auto& l : refusals_at(loaded, run.problems))
      lines += (lines.empty() ? "" : "\n") + l;
    return util::fail(lines);
  }
  if (output == Output::text) {
    std::printf(
        "migration to KRaft (KIP-866) of %s; deploy runs the phases not done, each "
        "only once the one before passed its gate:\n",
        loaded.cluster.name.c_str());
    for (const auto& step : ops::migration_steps(state.record)) {
      std::printf("  %-34s %s\n    does: %s\n    gate: %s\n", step.title.c_str(),
                  ops::to_string(step.state), step.action.c_str(), step.gate.c_str());
    }
    std::printf("the next phase's changes:\n");
  }
  return run.deploy;
}

int cmd_migrate_run(GlobalOptions& g, const std::string& until, ops::Force force) {
  const auto phase = ops::parse_migration_phase(until);
  if (!phase || *phase == ops::MigrationPhase::none || *phase == ops::MigrationPhase::finalized) {
    std::fprintf(stderr,
                 "zkctl: --until %s: not one of prechecked, controllers, dual_write, kraft\n",
                 until.c_str());
    return kUsage;
  }
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto migration = migration_for(*loaded);
  if (!migration) return kUsage;
  if (!*migration) {
    std::fprintf(stderr,
                 "zkctl: %s: no migration to KRaft asked for (kafka.mode \"kraft\" over brokers "
                 "deployed in zookeeper mode)\n",
                 loaded->path.c_str());
    return kUsage;
  }
  return cmd_migrate_deploy(g, *loaded, **migration, force, *phase);
}

int cmd_migrate_status(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto state = state_of(*loaded);
  if (!state) return kUsage;
  runner::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  const ops::MigrationStatus s = ops::migration_status(ctx, state->record);
  if (output == Output::json) {
    std::printf("%s\n", ops::migration_status_json(s).dump(2).c_str());
  } else {
    std::printf("%s", ops::migration_status_text(s).c_str());
  }
  return kOk;
}

namespace {

// Loads the cluster and its migration record, then runs `step(loaded, state, ctx, audit)`
// (rollback or finalize) as a change of the cluster: locked and audited.
template <typename Step>
int run_migration_step(GlobalOptions& g, Step step) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto state = state_of(*loaded);
  if (!state) return kUsage;
  auto progress = make_progress(g);
  ops::Context ctx(loaded->cluster, g.ops, *progress);
  return run_changing(g, ctx,
                      [&](ops::AuditRecord& audit) { return step(*loaded, *state, ctx, audit); });
}

}  // namespace

int cmd_migrate_rollback(GlobalOptions& g) {
  return run_migration_step(g, [](const LoadedCluster& loaded, const MigrationState& state,
                                  ops::Context& ctx, ops::AuditRecord& audit) {
    ops::MigrationRun run = ops::rollback_migration(ctx, state.record);
    const int code = print_run(run, "rollback");
    audit.summary = code == kOk ? "migration rolled back to ZooKeeper mode" : "rollback failed";
    if (code == kOk)
      std::printf(
          "rolled back %s: brokers in ZooKeeper mode, controllers stopped; a deploy of "
          "the KRaft inventory migrates again, a deploy of the ZooKeeper-mode one "
          "stays\n",
          loaded.cluster.name.c_str());
    return code;
  });
}

int cmd_migrate_finalize(GlobalOptions& g, Confirm confirm) {
  return run_migration_step(g, [confirm](const LoadedCluster& loaded, const MigrationState& state,
                                         ops::Context& ctx, ops::AuditRecord& audit) {
    const std::string& name = loaded.cluster.name;
    if (state.record.done == ops::MigrationPhase::kraft && confirm == Confirm::ask &&
        !confirm_by_name("Finalizing takes ZooKeeper out of " + name +
                             "'s controllers: there is no way back to ZooKeeper mode after it.",
                         name)) {
      std::fprintf(stderr, "zkctl: finalize not confirmed; nothing was changed (use --yes)\n");
      audit.summary = "refused: not confirmed";
      return static_cast<int>(kRefused);
    }
    ops::MigrationRun run = ops::finalize_migration(ctx, state.record);
    const int code = print_run(run, "finalize");
    audit.summary = code == kOk ? "migration finalized" : "finalize failed";
    if (code == kOk)
      std::printf(
          "finalized %s: KRaft only; the inventory's ZooKeeper ensemble no longer serves "
          "Kafka (it keeps running while the inventory lists it)\n",
          name.c_str());
    return code;
  });
}

}  // namespace zkctl::cli
