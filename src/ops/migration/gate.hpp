#pragma once
// The gates of a migration to KRaft, read from the cluster itself: ZooKeeper's /migration,
// /controller and /brokers/ids (zk_view) and the controllers' own quorum
// (kafka-metadata-quorum.sh --bootstrap-controller on a controller's host). What a gate
// waits for is a pure function of what was read, so `migrate status` and deploy say the same.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ops/commands/check.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/context.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/upgrade.hpp"
#include "ops/migration/phase.hpp"
#include "ops/migration/zk_view.hpp"

namespace zkctl::ops {

// One look at the cluster.
struct MigrationLook {
  std::optional<ZkMigrationView> zk;  // nullopt: unreadable (zk_error)
  std::string zk_error;
  std::optional<KraftQuorum> quorum;  // nullopt: unreadable or not asked (quorum_error)
  std::string quorum_error;
};

// What the gate of `phase` still waits for in `look` (nullopt: it passed), one line.
//  controllers: a KRaft leader among the controllers and /migration created by them;
//  dual_write: /migration kraft_metadata_offset >= 0 and a KRaft controller in /controller;
//  kraft: a KRaft leader and the KRaft controller still the cluster's controller (dual-write);
//  finalized: a KRaft leader. `brokers`: the inventory's broker ids, for the wait's text.
std::optional<std::string> gate_waits_for(MigrationPhase phase, const MigrationLook& look,
                                          const std::vector<int>& brokers);

// Read what the gates need from `ctx`'s cluster (the quorum only when `with_quorum`).
enum class WithControllerQuorum { no, yes };
MigrationLook look_at_migration(Context& ctx, WithControllerQuorum with_quorum);

// Poll `phase`'s gate every second until it passes or the wait timeout goes by (an error
// naming what it still waited for); each new wait is shown as progress.
util::Result<void> await_migration_gate(Context& ctx, MigrationPhase phase);

// The least free space a controller's log dir needs for the KRaft metadata log (1 GiB).
inline constexpr long kMigrationControllerDiskKb = 1024L * 1024;

// A controller log dir with less than `min_kb` free in `probe` (host_probe's answer), one
// problem each: "controller 1 on node1: /var/lib/kafka/controller: 12 MiB free, ...".
std::vector<std::string> controller_disk_problems(const inventory::KafkaNode& controller,
                                                  const HostProbe& probe, long min_kb);

// A Kafka upgrade whose second step is still pending (`record`: kafka-upgrade.json as
// parsed): the brokers still speak the old inter.broker.protocol.version, and a migration's
// rolls would raise it without the operator's word. nullopt: none pending.
std::optional<std::string> pending_upgrade_problem(const std::optional<KafkaUpgradeRecord>& record);

// The pre-checks' problems (empty: the migration may begin), from what ZooKeeper says, the
// partitions' state, the release and the plan of the controllers' phase (`plan`: deploy
// plan_only with the brokers rendered as they run): the brokers must need no change.
std::vector<std::string> precheck_problems(Context& ctx, const MigrationRecord& record,
                                           const std::optional<ZkMigrationView>& zk,
                                           const DeployReport& plan);

}  // namespace zkctl::ops
