#pragma once
// Kafka upgrades as an inventory edit (#11 item 2): `[kafka] distribution` pointed at a newer
// release makes deploy roll it in (the first step: brokers one at a time behind the roll's
// gates, KRaft controllers first), and the version the cluster speaks is raised only in a
// second, separate step once every node runs the new release: ZooKeeper mode keeps
// inter.broker.protocol.version pinned to the old release through the roll and raises it in a
// second roll; KRaft raises metadata.version with `kafka-features upgrade --metadata` (no roll).
// `deploy --finalize-upgrade` runs the second step. Here: the decision (pure, from the nodes'
// installed releases, the cluster's level and the local record), the record
// ($ZKCTL_HOME/clusters/<name>/kafka-upgrade.json) and what is read from or done to the cluster.

#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/context.hpp"
#include "ops/host/java.hpp"
#include "render/kafka.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

class Component;
class Tier;
struct DeployPlan;
struct DeployReport;

// A Kafka release line or feature level as major.minor: "3.8" of 3.8.1, of "3.8-IV0", of "3.8".
struct KafkaLine {
  int major = 0;
  int minor = 0;
  auto operator<=>(const KafkaLine&) const = default;
};

// The line of a version or level text ("3.8.1", "3.8-IV0", "3.8", "0.10.2-IV0" -> 0.10);
// nullopt when it does not start with X.Y.
std::optional<KafkaLine> parse_kafka_line(const std::string& text);
std::string to_string(const KafkaLine& line);

// What the last upgrade recorded (kafka-upgrade.json).
struct KafkaUpgradeRecord {
  std::string from;    // the oldest release the roll began from ("3.8.1")
  std::string to;      // the release rolled in ("3.9.2")
  std::string pinned;  // zookeeper mode: inter.broker.protocol.version kept ("3.8"); "": none
  std::string step;    // "binaries" (first step under way or done), "finalized"
  std::string raised;  // finalized: the level read from the cluster ("3.9-IV0")
};

std::optional<KafkaUpgradeRecord> parse_kafka_upgrade_record(const std::string& json);
std::string kafka_upgrade_record_json(const KafkaUpgradeRecord& record);

// Everything the decision is made from.
struct KafkaUpgradeFacts {
  inventory::KafkaMode mode = inventory::KafkaMode::zookeeper;
  DistVersion target;                    // the distribution's release
  std::vector<DistVersion> installed;    // each node's installed release (known ones)
  bool restart_owed = false;             // a node still owes a restart (an interrupted roll)
  std::optional<std::string> level;      // read from the cluster: zookeeper mode the lowest
                                         // effective inter.broker.protocol.version, KRaft the
                                         // finalized metadata.version
  std::optional<std::string> kraft_max;  // KRaft: the highest metadata.version all nodes support
  std::optional<KafkaUpgradeRecord> record;
  bool inventory_pins = false;  // [kafka.config] sets inter.broker.protocol.version itself
  FinalizeUpgrade finalize = FinalizeUpgrade::no;
};

// What deploy does about versions.
struct KafkaUpgrade {
  enum class Step {
    none,      // nothing to do with versions
    binaries,  // the first step: new binaries rolled in (pinned in zookeeper mode)
    awaiting,  // the first step is done; the second waits for --finalize-upgrade
    finalize,  // the second step: raise the version (zookeeper mode: a roll; KRaft: features)
  };
  Step step = Step::none;
  inventory::KafkaMode mode = inventory::KafkaMode::zookeeper;
  bool inventory_pins = false;        // [kafka.config] sets inter.broker.protocol.version itself
  std::string from;                   // the oldest installed release ("3.8.1"); "": unknown
  std::string to;                     // the distribution's release
  render::KafkaVersionPins pins;      // zookeeper mode: what server.properties keeps
  std::string raise_from;             // the level before the second step ("3.8", "3.9-IV0")
  std::string raise_to;               // the second step's level ("3.9"; KRaft: --metadata's value)
  std::vector<std::string> refusals;  // why deploy must not go ahead (each with the reason)

  // For `plan`'s stage and the roll's reasons.
  std::string stage_text() const;
  std::string restart_text() const;  // "inter.broker.protocol.version kept at 3.8", ...
};

// The decision (pure): refusals (a downgrade below a level already raised, Kafka 4 over a
// cluster below 3.3, a finalize before every node runs the release), the pins and the step.
KafkaUpgrade decide_kafka_upgrade(const KafkaUpgradeFacts& facts);

// The Kafka tier's part of build_deploy_plan, after the inspection: reads the cluster's level
// and the record when versions are in play, decides, sets the tier's pins and re-renders its
// nodes when they change, names each node's change, adds the refusals.
void judge_kafka_upgrade(Context& ctx, DeployPlan& plan, DeployReport& report);

// The "kafka upgrade" stage's text for `tier` ("" when it is not Kafka or has no upgrade step),
// and what its roll's restarts add to their reasons ("inter.broker.protocol.version kept at 3.8").
std::string kafka_upgrade_stage_text(Tier& tier);
std::string kafka_upgrade_restart_text(Tier& tier);

// The "kafka upgrade" stage's step on Kafka tier `tier`: the first step recorded with the level
// read from the cluster (still the old one), or the second step run (KRaft: kafka-features
// upgrade) and the raised level read back and recorded. Returns what it did, for the summary.
util::Result<std::string> run_kafka_upgrade_step(Context& ctx, Tier& tier);

// Record the first step before the roll begins, so an interrupted roll keeps its pin.
util::Result<void> record_upgrade_start(const std::string& cluster, const KafkaUpgrade& upgrade);

// A KRaft upgrade's roll order: the controllers first (keeping `order` among them, so the active
// one stays last of them), then the brokers. `order` holds Kafka nodes only.
std::vector<Component*> controllers_first(std::vector<Component*> order);

// `kafka-features describe` output -> (finalized, supported max) of metadata.version.
struct MetadataVersion {
  std::string finalized;      // "3.9-IV0"; "" when not finalized
  std::string supported_max;  // "4.4-IV0"
};
std::optional<MetadataVersion> parse_metadata_version(const std::string& describe_output);

}  // namespace zkctl::ops
