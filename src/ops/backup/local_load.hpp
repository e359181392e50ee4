#pragma once
// Load a backed-up state on this machine with ZooKeeper's own code from the inventory's
// distribution (java on PATH): SnapshotFormatter reads the snapshot (its znode count
// and zxid), then a standalone ZooKeeperServerMain on a loopback port replays the logs
// over a private copy, and its srvr/mntr give the last zxid and the znode count. The
// copy and the unpacked distribution are removed afterwards.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/backup/kraft_meta.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// A state file to load: `size` bytes at `offset` of local file `path` (an archive or
// a raw tar), placed as version-2/`name`.
struct LoadMember {
  std::string name;  // "snapshot.1c6", "log.128"
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct LoadResult {
  long snapshot_znodes = -1;        // SnapshotFormatter's count
  std::uint64_t snapshot_zxid = 0;  // SnapshotFormatter's "Last zxid"
  long znode_count = -1;            // after the logs were replayed (mntr)
  long ephemeral_count = -1;        // of those (mntr zk_ephemerals_count)
  std::uint64_t last_zxid = 0;      // the loaded server's zxid (srvr)
  std::string zookeeper_version;    // the distribution's, "3.8.0"
};

// Load `members` with the ZooKeeper of local tarball `distribution`; the whole load
// within `timeout`.
util::Result<LoadResult> load_locally(const std::vector<LoadMember>& members,
                                      const std::string& distribution,
                                      std::chrono::seconds timeout);

// "ZNode Details (count=N):" and "Last zxid: 0x..." from SnapshotFormatter's output.
util::Result<LoadResult> parse_snapshot_formatter(const std::string& output);

// Read KRaft metadata snapshot `member` (named <offset>-<epoch>.checkpoint) with Kafka's
// own DumpLogSegments --cluster-metadata-decoder from local tarball `distribution` (its
// libs/, java on PATH), within `timeout`. An error when it printed no snapshot at all
// (a damaged file it cannot parse); damaged batches are the dump's problems.
util::Result<SnapshotDump> dump_kraft_snapshot(const LoadMember& member,
                                               const std::string& distribution,
                                               std::chrono::seconds timeout);

}  // namespace zkctl::ops
