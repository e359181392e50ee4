#pragma once
// `zkctl migrate status`: the phases from the local record and, read from the cluster, what
// the gate of the phase under way (or else of the last one done) waits for; a table for people
// and a JSON document.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "ops/migration/gate.hpp"
#include "ops/migration/phase.hpp"

namespace zkctl::ops {

struct MigrationStatus {
  std::string cluster;
  MigrationRecord record;
  std::vector<MigrationStep> steps;
  MigrationLook look;
  MigrationPhase gate_phase = MigrationPhase::none;  // whose gate was read (none: no gate)
  std::optional<std::string> waiting_for;            // that gate's wait (nullopt: it holds)
};

// Read the cluster for the record's gate (pure but for the look).
MigrationStatus migration_status(Context& ctx, const MigrationRecord& record);
// The status from a record and a look already read (pure; what migration_status returns).
MigrationStatus migration_status_of(const std::string& cluster, const MigrationRecord& record,
                                    const MigrationLook& look, const std::vector<int>& brokers);

std::string migration_status_text(const MigrationStatus& status);
nlohmann::json migration_status_json(const MigrationStatus& status);

}  // namespace zkctl::ops
