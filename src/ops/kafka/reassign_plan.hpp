#pragma once
// Which replicas move where when a broker is drained or the cluster is rebalanced, as pure
// functions of the cluster's metadata, the brokers' racks and the partitions' sizes; Kafka's
// reassignment and election files; a reassignment's progress. No I/O (reassign.hpp runs it).

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "probe/kafka_client.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One partition's replica list before and after (preferred leader first in both).
struct ReplicaMove {
  std::string topic;
  int partition = 0;
  std::vector<int> from;  // replicas now
  std::vector<int> to;    // replicas wanted
  long long bytes = -1;   // the partition's size on its leader (-1: unknown)
};

struct MovePlan {
  std::vector<ReplicaMove> moves;
  std::vector<std::string> refusals;  // why some replicas cannot move, one line per topic
};

// broker id -> broker.rack ("" or absent: none).
using BrokerRacks = std::map<int, std::string>;

// Every replica on `broker` moved to one of `remaining` (which must not hold `broker`): per
// partition the broker that keeps its replicas in the most racks, then holds the fewest
// replicas (counting the plan so far), then leads the fewest, then the lowest id. The
// drained broker's place in the list goes to its replacement, except the first (preferred
// leader): that goes to the kept replica that is preferred leader of the fewest partitions,
// the replacement last. A topic whose replication factor exceeds what `remaining` can hold
// is refused, named.
MovePlan plan_drain(const probe::KafkaMetadata& md, int broker, const std::vector<int>& remaining,
                    const BrokerRacks& racks);

// Replicas spread over `brokers` so that any two hold counts at most one apart, moving from
// the fullest to the emptiest only where a partition keeps as many racks as it had; then
// preferred leaders (first replicas) spread the same way by reordering replica lists.
// Replicas on brokers outside `brokers` stay where they are.
MovePlan plan_rebalance(const probe::KafkaMetadata& md, const std::vector<int>& brokers,
                        const BrokerRacks& racks);

// Kafka's reassignment file: {"version":1,"partitions":[{"topic","partition","replicas"}]}.
std::string reassignment_json(const std::vector<ReplicaMove>& moves);
// kafka-leader-election.sh's file: {"partitions":[{"topic","partition"}]}.
std::string election_json(const std::vector<ReplicaMove>& moves);

// A plan as JSON (`--dry-run --json`, and the local record): moves with from/to/bytes.
nlohmann::json moves_to_json(const std::vector<ReplicaMove>& moves);
util::Result<std::vector<ReplicaMove>> moves_from_json(const nlohmann::json& j);

// Partition sizes per broker: {broker, "topic-p"} -> bytes (future replicas' logs included
// under their broker, as a copy's progress).
using LogDirSizes = std::map<std::pair<int, std::string>, long long>;
// The JSON line of `kafka-log-dirs.sh --describe` among its other output lines.
util::Result<LogDirSizes> parse_log_dirs(const std::string& text);
// Each move's bytes from its leader's size in `sizes` (else the largest replica's).
void size_moves(std::vector<ReplicaMove>& moves, const probe::KafkaMetadata& md,
                const LogDirSizes& sizes);

// Done: the partition's replicas are exactly `to`, and every one of them is in sync.
bool move_done(const ReplicaMove& m, const probe::KafkaPartition& now);

struct MoveProgress {
  int partitions_left = 0;   // moves not done
  long long bytes_left = 0;  // bytes the new replicas of those still lack
  long long bytes_total = 0;
};
// Where `moves` stand by `md` and `sizes` (the new replicas' sizes against the leader's).
MoveProgress progress_of(const std::vector<ReplicaMove>& moves, const probe::KafkaMetadata& md,
                         const LogDirSizes& sizes);

// Partitions below their min.insync.replicas now ("t-0 ISR 1/3 (min 2)"): a reassignment
// starts only without any.
std::vector<std::string> under_min_isr(const probe::KafkaMetadata& md,
                                       const probe::KafkaMinInsync& min);

// "1.5 MB" (powers of 1000, one decimal).
std::string human_bytes(long long bytes);

}  // namespace zkctl::ops
