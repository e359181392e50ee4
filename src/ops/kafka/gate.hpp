#pragma once
// The Kafka roll's gates per partition, as pure functions of the cluster's metadata and
// min.insync.replicas (Strimzi's KafkaAvailability rule): may broker B go now, must the roll
// wait for brokers it already restarted to catch up, or must it stop; and is B back.

#include <set>
#include <string>
#include <vector>

#include "probe/kafka_client.hpp"

namespace zkctl::ops {

struct GateVerdict {
  enum class Kind { go, wait, refuse };
  Kind kind = Kind::go;
  // wait: what is awaited ("waiting for t-3 ISR 1/3 (min 2)"); refuse: the partitions named.
  std::string why;
};

// Before restarting broker `broker`; `rolled`: brokers this roll already restarted.
// For every partition (Strimzi: a partition whose replicas number no more than its
// min.insync.replicas never blocks a roll, as no restart could keep it available; RF=1
// topics are therefore rolled over):
// - below its min ISR now, or left below it by `broker`'s restart (when `broker` is in
//   its ISR): wait if the brokers of this roll that are out of its ISR would make up the
//   difference once back, else refuse (it is below for reasons outside the roll);
// then `broker` must be registered (a ZooKeeper-mode broker registers only after its log
// recovery; in KRaft, metadata lists only unfenced brokers) and in the ISR of everything it
// hosts (not still catching up), else wait.
GateVerdict gate_before_restart(const probe::KafkaMetadata& md, const probe::KafkaMinInsync& min,
                                int broker, const std::set<int>& rolled);

// The same rules for `batch` restarted at once (a rack's brokers, `restart --by-rack`):
// every partition keeps its min ISR without all of them, and each of them is registered
// and in sync; a refusal names "brokers 11, 14 not restarted together".
GateVerdict gate_before_restart_batch(const probe::KafkaMetadata& md,
                                      const probe::KafkaMinInsync& min, const std::set<int>& batch,
                                      const std::set<int>& rolled);

// After restarting `broker`: registered and back in the ISR of every partition it hosts
// (go), else wait with what is awaited.
GateVerdict gate_after_restart(const probe::KafkaMetadata& md, int broker);

// "topic-3" (Kafka's TopicPartition form).
std::string partition_name(const probe::KafkaPartition& p);

}  // namespace zkctl::ops
