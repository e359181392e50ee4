#include "ops/migration/phase.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

namespace zkctl::ops {

namespace {

using inventory::KafkaMode;

struct PhaseText {
  MigrationPhase phase;
  const char* name;
  const char* title;
  const char* action;
  const char* gate;
};

constexpr std::array<PhaseText, 5> kSteps = {{
    {MigrationPhase::prechecked, "prechecked", "pre-checks",
     "read the cluster id from ZooKeeper (<chroot>/cluster/id); check Kafka 3.9.x, the "
     "brokers running what zookeeper mode gives them, the controllers' hosts (pre-flight)",
     "no partition offline; every broker registered in ZooKeeper"},
    {MigrationPhase::controllers, "controllers", "controllers",
     "format the controllers with the ZooKeeper cluster's id; start them in migration mode "
     "(zookeeper.metadata.migration.enable=true, zookeeper.connect; a secure cluster's over "
     "TLS as the brokers', with zookeeper.set.acl, StandardAuthorizer and a TLS CONTROLLER)",
     "a KRaft leader among the controllers (ZkMigrationState PRE_MIGRATION)"},
    {MigrationPhase::dual_write, "dual_write", "brokers into migration",
     "roll the brokers one at a time with controller.quorum.voters, controller.listener.names, "
     "zookeeper.metadata.migration.enable=true, inter.broker.protocol.version=3.9 (AclAuthorizer "
     "kept); then the inventory's users and ACLs, through the KRaft controller",
     "every broker registered with KRaft and the metadata copied (/migration "
     "kraft_metadata_offset >= 0: ZkMigrationState MIGRATION, dual-write)"},
    {MigrationPhase::kraft, "kraft", "brokers into KRaft",
     "roll the brokers one at a time as KRaft brokers (process.roles=broker, node.id, no "
     "zookeeper.connect; StandardAuthorizer for AclAuthorizer)",
     "every broker back in its ISRs and registered with the KRaft controllers"},
    {MigrationPhase::finalized, "finalized", "finalize (zkctl migrate finalize)",
     "roll the controllers without zookeeper.metadata.migration.enable and zookeeper.connect; "
     "cannot be undone",
     "a KRaft leader, every broker registered (ZkMigrationState POST_MIGRATION)"},
}};

}  // namespace

const char* to_string(MigrationPhase phase) {
  if (phase == MigrationPhase::none) return "none";
  for (const auto& s : kSteps)
    if (s.phase == phase) return s.name;
  return "none";
}

std::optional<MigrationPhase> parse_migration_phase(const std::string& text) {
  if (text == "none") return MigrationPhase::none;
  for (const auto& s : kSteps)
    if (text == s.name) return s.phase;
  return std::nullopt;
}

const char* to_string(MigrationStep::State state) {
  switch (state) {
    case MigrationStep::State::done:
      return "done";
    case MigrationStep::State::under_way:
      return "under way";
    case MigrationStep::State::next:
      return "next";
    case MigrationStep::State::pending:
      break;
  }
  return "pending";
}

std::string migration_record_json(const MigrationRecord& r) {
  nlohmann::json j = {{"done", to_string(r.done)},          {"cluster_id", r.cluster_id},
                      {"under_way", r.under_way},           {"begun", r.begun},
                      {"rolled_back_at", r.rolled_back_at}, {"updated_at", r.updated_at}};
  return j.dump(2) + "\n";
}

util::Result<MigrationRecord> parse_migration_record(const std::string& text) {
  MigrationRecord r;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    const auto done = parse_migration_phase(j.value("done", "none"));
    if (!done) return util::fail("'done' is not a migration phase");
    r.done = *done;
    r.cluster_id = j.value("cluster_id", "");
    r.under_way = j.value("under_way", "");
    if (!r.under_way.empty() && !parse_migration_phase(r.under_way))
      return util::fail("'under_way' is not a migration phase");
    r.begun = j.value("begun", false);
    r.rolled_back_at = j.value("rolled_back_at", "");
    r.updated_at = j.value("updated_at", "");
  } catch (const std::exception& e) {
    return util::fail(std::string("not a migration record: ") + e.what());
  }
  return r;
}

bool migration_wanted(const inventory::Cluster& wanted, std::optional<KafkaMode> deployed,
                      const MigrationRecord& record) {
  if (!wanted.kafka || wanted.kafka->mode != KafkaMode::kraft) return false;
  if (record.done == MigrationPhase::finalized) return false;
  if (record.begun || record.done != MigrationPhase::none || !record.under_way.empty()) return true;
  return deployed == KafkaMode::zookeeper;
}

std::vector<MigrationStep> migration_steps(const MigrationRecord& record) {
  std::vector<MigrationStep> out;
  bool next_given = false;
  for (const auto& s : kSteps) {
    MigrationStep step{s.phase, s.title, s.action, s.gate};
    if (s.phase <= record.done) {
      step.state = MigrationStep::State::done;
    } else if (!next_given) {
      next_given = true;
      step.state =
          record.under_way == s.name ? MigrationStep::State::under_way : MigrationStep::State::next;
    }
    out.push_back(std::move(step));
  }
  return out;
}

std::optional<MigrationStep> next_migration_step(const MigrationRecord& record) {
  for (auto& step : migration_steps(record))
    if (step.state != MigrationStep::State::done) return step;
  return std::nullopt;
}

namespace {

void broker_changes(const inventory::Cluster& wanted, const inventory::Cluster& deployed,
                    std::vector<std::string>& out) {
  const auto brokers = wanted.brokers();
  for (const auto& old : deployed.kafka_nodes) {
    if (!old.broker) continue;  // an earlier (rolled back) migration's controller
    const auto same = std::find_if(brokers.begin(), brokers.end(), [&](const auto* n) {
      return n->id == old.id && n->host == old.host;
    });
    if (same == brokers.end()) {
      out.push_back("broker " + std::to_string(old.id) + " on " + old.host +
                    " is not a broker of the inventory: a migration keeps the brokers as they "
                    "are (same id, same host); change them before or after it");
    }
  }
  for (const auto* n : brokers) {
    const bool known = std::any_of(deployed.kafka_nodes.begin(), deployed.kafka_nodes.end(),
                                   [&](const auto& old) { return old.broker && old.id == n->id; });
    if (!known) {
      out.push_back("broker " + std::to_string(n->id) + " on " + n->host +
                    " is new: add brokers before or after the migration, not during it");
    }
  }
}

// [security] differs from the deployed cluster's: the on-ramp or a change of authentication
// would roll the brokers as well, under the migration's renders.
void security_change(const inventory::Cluster& wanted, const inventory::Cluster& deployed,
                     std::vector<std::string>& out) {
  const auto& now = wanted.security;
  const auto& was = deployed.security;
  if (now.tls == was.tls && now.authentication == was.authentication &&
      now.authorization == was.authorization)
    return;
  const auto text = [](const inventory::SecuritySettings& s) {
    return std::string("tls = ") + (s.tls ? "true" : "false") + ", authentication = \"" +
           inventory::to_string(s.authentication) +
           "\", authorization = " + (s.authorization ? "true" : "false");
  };
  out.push_back("[security] (" + text(now) + ") is not what the cluster was deployed with (" +
                text(was) +
                "): a migration keeps the security as it is; change it before or "
                "after the migration");
}

}  // namespace

std::vector<std::string> migration_refusals(const inventory::Cluster& wanted,
                                            const inventory::Cluster* deployed,
                                            const std::string& onramp) {
  std::vector<std::string> out;
  if (!onramp.empty()) {
    out.push_back("the security on-ramp stands at " + onramp +
                  ": finish it (zkctl deploy, with --drop-plaintext to end Kafka's PLAINTEXT) "
                  "before the migration");
  }
  if (deployed != nullptr) security_change(wanted, *deployed, out);
  if (wanted.servers.empty()) {
    out.push_back(
        "a migration needs the ZooKeeper ensemble the brokers use: keep [[zookeeper.servers]] "
        "in the inventory until `zkctl migrate finalize`");
  }
  if (wanted.controllers().empty()) {
    out.push_back(
        "kafka.mode = \"kraft\" on a ZooKeeper-mode cluster needs controllers: add "
        "[[kafka.nodes]] with roles = [\"controller\"]");
  }
  for (const auto& n : wanted.kafka_nodes) {
    if (n.broker && n.controller) {
      out.push_back("node " + std::to_string(n.id) + " on " + n.host +
                    " is broker and controller: a migration needs dedicated controllers "
                    "(roles = [\"controller\"], on their own hosts or ports and dirs)");
    }
  }
  if (deployed != nullptr) broker_changes(wanted, *deployed, out);
  return out;
}

std::optional<std::string> migration_release_problem(const DistVersion& v) {
  if (v.major == 3 && v.minor == 9) return std::nullopt;
  return "Kafka " + v.text +
         ": a migration to KRaft needs Kafka 3.9.x on every node (upgrade the brokers to 3.9 in "
         "ZooKeeper mode first; Kafka 4 has no ZooKeeper mode)";
}

}  // namespace zkctl::ops
