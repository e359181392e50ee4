#pragma once
// Moving replicas between brokers (#15): `zkctl drain`, `zkctl rebalance`, and deploy's
// removal of a broker that still holds data. The plan comes from reassign_plan.hpp; it runs
// with the distribution's own kafka-reassign-partitions.sh on a broker's host
// (remote-scripts/kafka/reassign.sh, the plan uploaded as a file), throttled, polled for
// partitions and bytes left, and recorded under the cluster's state dir until done, so a
// rerun after an interruption continues it; then the throttles go and preferred leaders
// are elected.

#include <string>
#include <vector>

#include "ops/context.hpp"
#include "ops/kafka/reassign_plan.hpp"

namespace zkctl::ops {

// [kafka] reassign_throttle's default, bytes/s.
inline constexpr long long kDefaultReassignThrottle = 50'000'000;

enum class MoveKind { drain, rebalance };

struct MoveRequest {
  MoveKind kind = MoveKind::drain;
  int broker = -1;             // drain: the broker emptied
  std::vector<int> remaining;  // drain: where its replicas go (empty: every other broker)
  long long throttle = 0;      // bytes/s; 0: [kafka] reassign_throttle
};

struct PlannedMoves {
  std::string what;        // "drain broker 11" / "rebalance": names the local record
  MovePlan plan;           // the moves (resumed: the recorded ones not yet done)
  long long throttle = 0;  // bytes/s
  bool resumed = false;    // the plan came from the record of an interrupted run
  int recorded_moves = 0;  // resumed: moves the record holds in all
};

// Read metadata, racks and sizes and plan `req`; a record of the same request left by an
// interrupted run is taken instead (resumed). A record of another request is an error
// naming it.
util::Result<PlannedMoves> plan_moves(Context& ctx, const MoveRequest& req);

struct MoveOutcome {
  enum class Kind { done, refused, failed };
  Kind kind = Kind::done;
  std::string message;  // done: what was moved; else why not
};

// Run `planned`: refused when it has refusals or a partition is below its min ISR; else
// recorded, submitted (resubmitted with --additional when resumed), polled every two seconds
// (progress on `host`'s `step` line: partitions and bytes left) until each moved partition
// has exactly its new replicas, all in sync; then verified (the tool removes the throttles),
// the record removed, preferred leaders elected. Fails when nothing changes for the wait
// timeout (a rerun resumes).
MoveOutcome run_moves(Context& ctx, const PlannedMoves& planned, const std::string& host,
                      const std::string& step);

// run_moves of `first` (planned for `req`); for a drain, then again while the cluster's
// metadata, read after each round, still shows replicas on the broker (a topic created
// meanwhile, or one the asked broker had not seen yet): at most three rounds, then failed.
// The outcome is the last round's (each earlier round's shown as progress).
MoveOutcome run_until_drained(Context& ctx, const MoveRequest& req, const PlannedMoves& first,
                              const std::string& host, const std::string& step);

// Deploy's removal of broker `id` (on `host`): drained to the inventory's brokers
// (run_until_drained; a failure means the broker must not be stopped); nothing to do when it
// holds none.
util::Result<void> drain_before_removal(Context& ctx, int id, const std::string& host,
                                        const std::string& step);

// `planned` as the JSON `--dry-run --json` prints.
std::string planned_json(const PlannedMoves& planned);
// `planned` in words, one move a line.
std::string planned_text(const PlannedMoves& planned);

}  // namespace zkctl::ops
