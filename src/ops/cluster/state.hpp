#pragma once
// The local record of deployed clusters, so later commands work without the
// inventory path:  $ZKCTL_HOME (default ~/.zkctl)/clusters/<name>/
//   inventory.toml  a copy of the inventory deploy used
//   cluster.json    {name, source, base_dir, sha256, deployed_at}
// and $ZKCTL_HOME/current naming the cluster deployed last. The home is private: directories
// 0700, files 0600 (an inventory copy may hold secrets), each file written atomically.

#include <string>
#include <vector>

#include "util/result.hpp"

namespace zkctl::ops {

struct RecordedCluster {
  std::string name;
  std::string source;          // inventory path deploy was given
  std::string base_dir;        // directory relative paths in it resolve against
  std::string inventory_copy;  // path of the stored copy
  std::string sha256;          // of the inventory text
  std::string deployed_at;     // ISO 8601 UTC
};

// $ZKCTL_HOME, or ~/.zkctl: created 0700 when missing; when it or zkctl's records in it
// (clusters/, current, audit.log) are open to other users, tightened to directories 0700 and
// files 0600 with one warning line on stderr. Links are never followed; a shared home (sticky,
// or another user's) is only warned about.
std::string state_home();

// Store `inventory_text` for cluster `name` (0600, written to a temp file, renamed).
util::Result<void> record_cluster(const std::string& name, const std::string& source_path,
                                  const std::string& inventory_text);

// The recorded cluster called `name`; with an empty name, the current one (or
// the only one).
util::Result<RecordedCluster> find_cluster(const std::string& name);

std::vector<std::string> recorded_cluster_names();

// The KRaft cluster id deploy generated for cluster `name` ("" if none), and recording it.
std::string recorded_kafka_cluster_id(const std::string& name);
util::Result<void> record_kafka_cluster_id(const std::string& name, const std::string& id);

// The security on-ramp's record for cluster `name` (src/ops/security/onramp: "" if none), and
// recording it (file clusters/<name>/security-phase).
std::string recorded_security_phase(const std::string& name);
util::Result<void> record_security_phase(const std::string& name, const std::string& text);

// The migration record of cluster `name` (migration.json, ops/migration/phase's JSON; "" if
// none), and recording it (0600, written whole).
std::string recorded_migration(const std::string& name);
util::Result<void> record_migration(const std::string& name, const std::string& json);

// The Kafka upgrade record of cluster `name` (kafka-upgrade.json, ops/kafka/upgrade's JSON; ""
// if none), and recording it (0600, written whole). #11.
std::string recorded_kafka_upgrade(const std::string& name);
util::Result<void> record_kafka_upgrade(const std::string& name, const std::string& json);

}  // namespace zkctl::ops
