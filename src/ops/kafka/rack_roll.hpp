#pragma once
// `restart --by-rack` (and deploy --by-rack): a Kafka roll that restarts every broker of one
// rack at once when the per-partition gate allows it for the whole rack
// (gate_before_restart_batch), rack after rack, the active controller's rack last; nodes
// with the controller role (KRaft voters) stay one at a time, after the racks.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/context.hpp"

namespace zkctl::ops {

// One step of a roll by rack: a rack's broker-only nodes together, or one node alone.
struct RackBatch {
  std::string rack;                                // "" for a node rolled alone
  std::vector<const inventory::KafkaNode*> nodes;  // in the order given
};

// The roll's steps for `nodes` (the roll's order so far): broker-only nodes grouped by rack,
// racks in order of first appearance with the rack of `active_controller` last, then each
// node with the controller role alone, `active_controller` last. Nodes without a rack are
// rolled alone too (pure).
std::vector<RackBatch> rack_batches(const std::vector<const inventory::KafkaNode*>& nodes,
                                    std::optional<int> active_controller);

// "rack r1 (brokers 11, 14)": ids sorted.
std::string rack_batch_text(const RackBatch& batch);

// Waits until a restarted broker is back in the ISR of everything it hosts (the roll's
// after-restart gate, which may restart first a leader holding it out).
using RejoinWait = std::function<util::Result<void>(const inventory::KafkaNode&)>;

// Restart `batch` (one rack's brokers, none restarted yet) at once, if the batch gate lets
// them go: each stopped and started concurrently on its own session, their ids put into
// `rolled`, then `rejoin` for each. False, with the gate's reason shown as progress of
// `step` on the first node's host, when the gate refuses the batch: the caller rolls them
// one at a time. An error when a wait timed out or a node failed.
util::Result<bool> restart_rack_batch(Context& ctx, const RackBatch& batch, const std::string& step,
                                      std::set<int>& rolled, const RejoinWait& rejoin);

}  // namespace zkctl::ops
