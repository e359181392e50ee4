#pragma once
// A move of ZooKeeper-mode Kafka to KRaft (KIP-866) as data: its phases in order, what each
// does and what its gate waits for, which phase comes next from the local record, and the
// refusals that stop a migration before any host is touched. Pure: no host, no file.

#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/host/java.hpp"

namespace zkctl::ops {

// The phases, in the order they complete; each names the last one done.
enum class MigrationPhase {
  none,         // not begun, or rolled back to ZooKeeper mode
  prechecked,   // (a) 3.9.x everywhere, the ZooKeeper cluster's id read, controllers reachable,
                //     no partition offline, disk enough
  controllers,  // (b) controllers formatted with that id, running in migration mode
  dual_write,   // (c) brokers rolled into migration; the controllers copied the metadata
                //     (ZkMigrationState MIGRATION) with every broker registered with KRaft
  kraft,        // (d) brokers rolled into KRaft mode; ZooKeeper still written (revertible)
  finalized,    // controllers rolled without ZooKeeper: no way back
};

// "none", "prechecked", ... as records and JSON hold them; parse is its inverse.
const char* to_string(MigrationPhase phase);
std::optional<MigrationPhase> parse_migration_phase(const std::string& text);

// What the local record ($ZKCTL_HOME/clusters/<name>/migration.json) holds about a migration.
struct MigrationRecord {
  MigrationPhase done = MigrationPhase::none;  // the last phase completed
  std::string cluster_id;                      // the ZooKeeper cluster's /cluster/id, once read
  std::string under_way;                       // the phase started and not completed ("": none)
  bool begun = false;          // a migration began on this cluster (kept by a rollback, so
                               // a deploy of the KRaft inventory migrates again)
  std::string rolled_back_at;  // the last rollback's end, ISO 8601 UTC ("": none)
  std::string updated_at;      // ISO 8601 UTC
};

// The record as JSON text, and back (a malformed text is an error naming what is wrong).
std::string migration_record_json(const MigrationRecord& record);
util::Result<MigrationRecord> parse_migration_record(const std::string& json);

// One phase in `plan` and `migrate status`.
struct MigrationStep {
  MigrationPhase phase = MigrationPhase::none;  // the phase this step completes
  std::string title;                            // "pre-checks", "controllers", ...
  std::string action;                           // what it does, one line
  std::string gate;                             // what must hold before it counts as done
  enum class State { done, under_way, next, pending } state = State::pending;
};
const char* to_string(MigrationStep::State state);

// Whether `wanted` (the inventory) asks for a migration given the mode the last deploy used
// (`deployed`, nullopt: never deployed) and the record: kraft wanted, not finalized, and
// zookeeper deployed or a migration begun (a rollback included).
bool migration_wanted(const inventory::Cluster& wanted,
                      std::optional<inventory::KafkaMode> deployed, const MigrationRecord& record);

// The phases (a)..(d) and finalize with their state from `record`.
std::vector<MigrationStep> migration_steps(const MigrationRecord& record);
// The first step not done, if any.
std::optional<MigrationStep> next_migration_step(const MigrationRecord& record);

// Why `wanted` cannot be migrated from the deployed ZooKeeper-mode cluster `deployed`
// (null: none recorded), each with its fix; empty: it can. An open or a secure cluster is
// migrated; refused: a security on-ramp not finished (`onramp`: the phase it stands at,
// onramp_unfinished; "": none), [security] other than the deployed cluster's, no
// [[zookeeper.servers]], no controllers, a controller that is also a broker, a broker added,
// dropped or moved during the migration.
std::vector<std::string> migration_refusals(const inventory::Cluster& wanted,
                                            const inventory::Cluster* deployed,
                                            const std::string& onramp = "");

// Why Kafka `version` cannot be migrated (KIP-866 needs 3.9.x on every node); nullopt: it can.
std::optional<std::string> migration_release_problem(const DistVersion& version);

}  // namespace zkctl::ops
