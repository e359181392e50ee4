#pragma once
// KRaft metadata backups without a host: which controller to read (from
// `kafka-metadata-quorum.sh describe --replication`), which snapshot is the newest (a
// listing of <log dir>/__cluster_metadata-0), and what Kafka's own DumpLogSegments says
// when it reads the snapshot back (record count, last offset, topics, damaged batches).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace zkctl::ops {

// One row of `describe --replication`.
struct QuorumReplica {
  int node_id = -1;
  std::int64_t log_end_offset = -1;
  std::string status;  // "Leader", "Follower", "Observer"
};

// The rows of `kafka-metadata-quorum.sh describe --replication` (header line first);
// an error naming the first line when there is no such table.
util::Result<std::vector<QuorumReplica>> parse_quorum_replication(const std::string& text);

// The controller to back up from, as an index into `replicas`: among the voters that
// follow (status Follower), the highest LogEndOffset (ties: the first); the leader when
// none follows. Observers (brokers only) are never chosen. nullopt when no voter is listed.
std::optional<std::size_t> choose_kraft_source(const std::vector<QuorumReplica>& replicas);

// A metadata snapshot file: <20-digit offset>-<10-digit epoch>.checkpoint.
struct Checkpoint {
  std::string name;
  std::uint64_t offset = 0;  // the snapshot's end offset (exclusive)
  std::uint32_t epoch = 0;
  std::uint64_t size = 0;
};

// `name` as a snapshot file name; nullopt for anything else (.part, .deleted, other names).
std::optional<Checkpoint> checkpoint_of(const std::string& name, std::uint64_t size);

// What backup/kraft_list.sh printed.
struct KraftListing {
  std::vector<Checkpoint> checkpoints;
  std::string cluster_id;  // from meta.properties; "" when absent
};
util::Result<KraftListing> parse_kraft_listing(const std::string& text);

// The newest snapshot: the highest end offset, then the highest epoch. nullopt: none.
std::optional<Checkpoint> newest_checkpoint(const KraftListing& listing);

// What DumpLogSegments --cluster-metadata-decoder printed for one snapshot.
struct SnapshotDump {
  std::uint64_t end_offset = 0;  // "Snapshot end offset: N, epoch: E"
  std::uint32_t epoch = 0;
  long records = 0;                          // metadata records (payload lines)
  long control_records = 0;                  // SnapshotHeader, KRaftVoters, SnapshotFooter, ...
  std::optional<std::uint64_t> last_offset;  // of the last record read
  std::vector<std::string> topics;           // TOPIC_RECORD names, in order
  std::vector<std::string> problems;         // invalid batches, no header or footer
};

// Parse DumpLogSegments' output; problems name what is wrong (an error only when it is
// not a snapshot dump at all).
util::Result<SnapshotDump> parse_snapshot_dump(const std::string& text);

}  // namespace zkctl::ops
