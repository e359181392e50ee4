#pragma once
// The Kafka roll's gates per partition, as pure functions of the cluster's metadata and
// min.insync.replicas (Strimzi's KafkaAvailability rule): may broker B go now, must the roll
// wait for brokers it already restarted to catch up, or must it stop; and is B back.

#include <chrono>
#include <map>
#include <optional>
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

// A leader that keeps a restarted broker out of its ISRs: `broker` is a replica of
// `partitions` (named), which `leader` leads, and in none of their ISRs.
struct HeldOut {
  int leader = -1;
  std::vector<std::string> partitions;
  bool operator==(const HeldOut&) const = default;
};

// While the after-restart gate waits for `broker`: the leaders holding it out, when every
// partition it is missing from is led by a registered broker of `unrolled` (this roll's
// brokers not restarted yet) that has taken it back into none of the partitions it leads;
// empty otherwise (it is still catching up, or a leader this roll restarted is involved,
// or it is not registered yet: the ordinary wait). Leaders in id order. A leader has taken
// `broker` back only into a partition it led while `broker` was missing from its ISR
// (`missing_under`, note_missing): a leadership moved onto an ISR that already held `broker`
// (a preferred election, another broker's shutdown) says nothing of the new leader.
std::vector<HeldOut> leaders_holding_out(const probe::KafkaMetadata& md, int broker,
                                         const std::set<int>& unrolled,
                                         const std::map<std::string, int>& missing_under = {});

// Records, for each partition `broker` is missing from the ISR of, its leader then.
void note_missing(const probe::KafkaMetadata& md, int broker,
                  std::map<std::string, int>& missing_under);

// Whether `held.leader` may be restarted now, ahead of its turn, to let `broker` back in
// (go), or why not (refuse). Its controlled shutdown hands each partition it leads to a
// member of the ISR, so: every partition `broker` is held out of keeps an in-sync replica
// besides the leader (all registered) and is not below its min.insync.replicas now; every
// other partition keeps its min ISR without it (rf <= min never blocks, as in
// gate_before_restart). A partition it holds `broker` out of with no other in-sync replica
// (its ISR can never grow while it runs) does not refuse it unless the topic allows unclean
// elections: the verdict is go with `why` naming the partitions offline while it restarts.
// An empty `why` on go: nothing goes offline.
GateVerdict gate_restart_holding_leader(const probe::KafkaMetadata& md,
                                        const probe::KafkaMinInsync& min, int broker,
                                        const HeldOut& held);

// How long the same leaders have held a broker out, over the after-restart gate's looks: the
// leader to restart once the same holding (leaders_holding_out, unchanged) has lasted `bound`
// (replica.lag.time.max.ms: a follower not caught up by then would leave an ISR it was in).
class HoldWatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit HoldWatch(std::chrono::milliseconds bound) : bound_(bound) {}
  // One look at `now`; the first holding leader once due, else nullopt (a change restarts
  // the count).
  std::optional<HeldOut> observe(const std::vector<HeldOut>& held, Clock::time_point now);
  std::chrono::milliseconds bound() const { return bound_; }

 private:
  std::chrono::milliseconds bound_;
  std::vector<HeldOut> held_;
  Clock::time_point since_{};
};

// The first `at_most` of `names` joined by `sep`, then, when some are left out, `last_sep` and
// "and N more": ({"a", "b", "c"}, 2, ", ", " ") -> "a, b and 1 more".
std::string some_of(const std::vector<std::string>& names, std::size_t at_most,
                    const std::string& sep, const std::string& last_sep);

// "topic-3" (Kafka's TopicPartition form).
std::string partition_name(const probe::KafkaPartition& p);

}  // namespace zkctl::ops
