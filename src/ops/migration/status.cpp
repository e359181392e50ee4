#include "ops/migration/status.hpp"

#include "util/table.hpp"

namespace zkctl::ops {

namespace {

// The phase whose gate status shows: the one under way, else the last one done.
MigrationPhase gate_phase_of(const MigrationRecord& r) {
  if (!r.under_way.empty()) {
    if (auto p = parse_migration_phase(r.under_way)) return *p;
  }
  return r.done;
}

std::string next_text(const MigrationStatus& s) {
  if (s.record.done == MigrationPhase::finalized) return "none: the migration is finalized";
  if (s.record.done == MigrationPhase::kraft && s.record.under_way.empty())
    return "zkctl migrate finalize (cannot be undone; zkctl migrate rollback still can)";
  if (!s.record.under_way.empty()) return "zkctl deploy resumes it";
  return "zkctl deploy runs the phases";
}

}  // namespace

MigrationStatus migration_status_of(const std::string& cluster, const MigrationRecord& record,
                                    const MigrationLook& look, const std::vector<int>& brokers) {
  MigrationStatus s;
  s.cluster = cluster;
  s.record = record;
  s.steps = migration_steps(record);
  s.look = look;
  s.gate_phase = gate_phase_of(record);
  s.waiting_for = gate_waits_for(s.gate_phase, look, brokers);
  return s;
}

MigrationStatus migration_status(Context& ctx, const MigrationRecord& record) {
  std::vector<int> brokers;
  for (const auto* b : ctx.cluster().brokers()) brokers.push_back(b->id);
  const bool controllers_up = gate_phase_of(record) >= MigrationPhase::controllers;
  const MigrationLook look =
      look_at_migration(ctx, controllers_up ? WithControllerQuorum::yes : WithControllerQuorum::no);
  return migration_status_of(ctx.cluster().name, record, look, brokers);
}

std::string migration_status_text(const MigrationStatus& s) {
  util::Table t({{"PHASE"}, {"STATE"}, {"GATE"}});
  for (const auto& step : s.steps) t.add_row({step.title, to_string(step.state), step.gate});
  std::string out = "migration of " + s.cluster + " to KRaft: done " + to_string(s.record.done) +
                    (s.record.under_way.empty() ? "" : ", under way " + s.record.under_way) +
                    (s.record.cluster_id.empty() ? "" : ", cluster id " + s.record.cluster_id) +
                    "\n" + t.render();
  if (s.gate_phase != MigrationPhase::none && s.gate_phase != MigrationPhase::prechecked) {
    out += std::string("gate of ") + to_string(s.gate_phase) + ": " +
           (s.waiting_for ? "waiting for " + *s.waiting_for : std::string("holds")) + "\n";
  }
  if (s.look.zk) {
    const auto& zk = *s.look.zk;
    out += "zookeeper: /migration " +
           (zk.migration
                ? "kraft_metadata_offset " + std::to_string(zk.migration->kraft_metadata_offset) +
                      ", kraft controller " + std::to_string(zk.migration->kraft_controller_id)
                : std::string("absent")) +
           "; /controller " +
           (zk.controller ? (zk.controller->kraft ? "KRaft controller " : "broker ") +
                                std::to_string(zk.controller->id)
                          : std::string("absent")) +
           "\n";
  } else if (!s.look.zk_error.empty()) {
    out += "zookeeper: " + s.look.zk_error + "\n";
  }
  if (!s.record.rolled_back_at.empty())
    out += "last rolled back to ZooKeeper mode at " + s.record.rolled_back_at + "\n";
  out += "next: " + next_text(s) + "\n";
  return out;
}

nlohmann::json migration_status_json(const MigrationStatus& s) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : s.steps) {
    steps.push_back({{"phase", to_string(step.phase)},
                     {"title", step.title},
                     {"state", to_string(step.state)},
                     {"gate", step.gate}});
  }
  nlohmann::json j = {{"cluster", s.cluster},
                      {"done", to_string(s.record.done)},
                      {"under_way", s.record.under_way},
                      {"cluster_id", s.record.cluster_id},
                      {"rolled_back_at", s.record.rolled_back_at},
                      {"steps", steps},
                      {"gate",
                       {{"phase", to_string(s.gate_phase)},
                        {"holds", !s.waiting_for.has_value()},
                        {"waiting_for", s.waiting_for.value_or("")}}},
                      {"next", next_text(s)}};
  if (s.look.zk) {
    const auto& zk = *s.look.zk;
    nlohmann::json z = {{"cluster_id", zk.cluster_id},
                        {"brokers", std::vector<int>(zk.brokers.begin(), zk.brokers.end())}};
    z["migration"] =
        zk.migration
            ? nlohmann::json{{"kraft_metadata_offset", zk.migration->kraft_metadata_offset},
                             {"kraft_controller_id", zk.migration->kraft_controller_id}}
            : nlohmann::json();
    z["controller"] =
        zk.controller ? nlohmann::json{{"id", zk.controller->id}, {"kraft", zk.controller->kraft}}
                      : nlohmann::json();
    j["zookeeper"] = z;
  } else {
    j["zookeeper"] = {{"error", s.look.zk_error}};
  }
  if (s.look.quorum)
    j["quorum"] = {{"leader", s.look.quorum->leader_id}, {"voters", s.look.quorum->voters}};
  return j;
}

}  // namespace zkctl::ops
