#pragma once
// What ZooKeeper says of a migration (KIP-866), under the brokers' chroot: the cluster id
// (/cluster/id), the migration state the KRaft controllers keep (/migration), who is the
// controller (/controller: a broker, or a KRaft controller once it claimed it) and the
// brokers registered in ZooKeeper mode (/brokers/ids). Parsers are pure; read_zk_migration
// asks the ensemble with ZooKeeper's C client from this machine.

#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "inventory/model.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// /migration: written by the active KRaft controller in migration mode
// (ZkMigrationLeadershipState).
struct MigrationZnode {
  int kraft_controller_id = -1;
  int kraft_controller_epoch = -1;
  long long kraft_metadata_offset = -1;  // >= 0 once the metadata was copied to KRaft
};

// /controller: {"brokerid": N, ...}; "kraftControllerEpoch" >= 0 when a KRaft controller holds
// it (a ZooKeeper-mode broker of 3.9 writes -1).
struct ControllerZnode {
  int id = -1;
  bool kraft = false;  // a KRaft controller holds it (the migration's controller)
};

util::Result<MigrationZnode> parse_migration_znode(const std::string& json);
util::Result<ControllerZnode> parse_controller_znode(const std::string& json);
// /cluster/id: {"version":"1","id":"<22 characters>"}.
util::Result<std::string> parse_cluster_id_znode(const std::string& json);

struct ZkMigrationView {
  std::string cluster_id;                     // "" when /cluster/id is absent
  std::optional<MigrationZnode> migration;    // nullopt: no /migration
  std::optional<ControllerZnode> controller;  // nullopt: no /controller
  std::set<int> brokers;                      // /brokers/ids
};

// Read the view from `cluster`'s ensemble (kafka_zookeeper_connect: servers and chroot).
util::Result<ZkMigrationView> read_zk_migration(const inventory::Cluster& cluster,
                                                std::chrono::milliseconds timeout);

// Delete /controller and /migration under the chroot (a rollback's ZooKeeper step), in that
// order; returns /migration's data as it was ("" if absent), for the record.
util::Result<std::string> clear_zk_migration(const inventory::Cluster& cluster,
                                             std::chrono::milliseconds timeout);

}  // namespace zkctl::ops
