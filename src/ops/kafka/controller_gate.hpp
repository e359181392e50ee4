#pragma once
// The roll's gates for a KRaft controller (its own quorum, not partitions): before its restart
// the other voters that serve are a majority of all voters; after it, the restarted
// controller has caught up with the quorum leader since it started. Read from
// `kafka-metadata-quorum.sh describe --replication` (LastCaughtUpTimestamp is the leader's clock).

#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/context.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/quorum.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// Before restarting controller `id`: go when the voters other than it that caught up within
// 5 s of the leader's clock are a majority of all voters; else wait, with why.
GateVerdict controller_restart_gate(const std::vector<ReplicaRow>& rows, int id);

// After restarting controller `id`: go once its row shows a catch-up later than `since` (the
// leader's clock read after the old process had stopped); else wait, with its lag.
GateVerdict controller_back_gate(const std::vector<ReplicaRow>& rows, int id, long long since);

// Polls controller_restart_gate (phase before) or controller_back_gate (phase after) through
// poll_gate (wait_timeout, progress on `step`); an unreadable quorum is a wait.
util::Result<void> await_controller(Context& ctx, const inventory::KafkaNode& node,
                                    const std::string& step, GatePhase phase);

}  // namespace zkctl::ops
