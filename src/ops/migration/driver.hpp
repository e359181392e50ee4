#pragma once
// A migration to KRaft run over the component model: each phase is a deploy of the
// inventory with the Kafka nodes rendered as that phase wants them (Options::kafka_*_as:
// controllers in migration mode, brokers in ZooKeeper mode, in migration, in KRaft), so
// install, format, start and the gated one-at-a-time roll are deploy's own; then the phase's
// gate is read from the cluster and the phase recorded (locally and on every Kafka node), so a
// rerun resumes from the first phase not done. Rollback follows Kafka's "Reverting to
// ZooKeeper mode During the Migration"; finalize takes ZooKeeper out of the controllers.

#include <optional>
#include <string>
#include <vector>

#include "ops/commands/control.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/context.hpp"
#include "ops/migration/gate.hpp"
#include "ops/migration/phase.hpp"

namespace zkctl::ops {

// What a migration command did (or, planning, would do).
struct MigrationRun {
  enum class Outcome {
    ok,
    refused,           // the migration cannot go on as asked: `problems`; nothing changed
    preflight_failed,  // a phase's pre-checks or pre-flight failed: `problems`; nothing changed
    failed,            // a phase's deploy or gate failed: `problems`; rerun resumes
  };
  Outcome outcome = Outcome::ok;
  std::vector<std::string> problems;
  std::vector<std::string> done;  // one line per phase completed by this run
  DeployReport deploy;            // the last deploy this run made or planned
  MigrationRecord record;         // as it stands after the run
};

// migration_refusals of `ctx`'s cluster against `deployed` (null: none recorded), with the
// security on-ramp's unfinished phase from the local record.
std::vector<std::string> current_migration_refusals(Context& ctx,
                                                    const inventory::Cluster* deployed);

// The record of cluster `name` (none recorded: a record of nothing done), or why it is unreadable.
util::Result<MigrationRecord> load_migration_record(const std::string& name);

// Write `record` (updated_at set now) locally and into every reachable Kafka node's install dir
// (<install_dir>/.zkctl-migration); a failure is a warning on the progress.
void save_migration_record(Context& ctx, MigrationRecord& record);

// deploy on a migrating cluster: from the record's first phase not done through brokers into
// KRaft (d), or only up to `until`; finalize is its own command. `deployed`: the recorded
// inventory (null: none).
MigrationRun run_migration(Context& ctx, MigrationRecord record, const inventory::Cluster* deployed,
                           Force force, MigrationPhase until = MigrationPhase::kraft);

// plan: the refusals, or the deploy plan of the next phase (pre-checks: the controllers').
MigrationRun plan_migration(Context& ctx, const MigrationRecord& record,
                            const inventory::Cluster* deployed);

// finalize: only once the brokers run in KRaft (d); rolls the controllers without ZooKeeper.
MigrationRun finalize_migration(Context& ctx, MigrationRecord record);

// rollback: back to ZooKeeper mode from any phase before finalize (Kafka's documented
// reverting steps for the last phase completed, after backing out a phase under way).
MigrationRun rollback_migration(Context& ctx, MigrationRecord record);

}  // namespace zkctl::ops
