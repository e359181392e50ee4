#pragma once
// `zkctl restart` with no NODE: a rolling restart of the whole ensemble that
// never takes it below a majority. Observers first, then followers, the leader
// last (leadership moves once); before each step the quorum must be healthy
// with every other voter serving, after each step the node must serve in its
// role and the leader must report every learner synced again.

#include <string>
#include <vector>

#include "ops/component.hpp"
#include "ops/context.hpp"
#include "ops/zookeeper/status.hpp"

namespace zkctl::ops {

struct RollingReport {
  bool ok = true;
  std::vector<std::string> restarted;  // hosts, in the order they were restarted
  std::string stopped_at;              // host where the roll stopped; empty if it finished
  std::string error;                   // why it stopped
  bool refused = false;                // stopped by a gate's refusal (exit 4), not a fault
};

// The order the roll visits servers in, from a status snapshot: observers,
// followers (and any voter not serving), the leader last.
std::vector<const inventory::Server*> rolling_order(const ClusterStatus& status);

// True when `status` shows the ensemble fully in sync: quorum ok, every voter
// and observer serving in its role, and the leader's mntr counting every other
// voter as a synced follower, every observer as a synced observer, and no
// pending syncs. `why` gets the reason when false. `except`, if set, is a server
// about to be restarted whose own mode is not checked (its new config may name a
// port it does not listen on yet).
bool fully_synced(const inventory::Cluster& cluster, const ClusterStatus& status, std::string& why,
                  const inventory::Server* except = nullptr);

// One step of a roll: check the ensemble is in sync and `server` may leave,
// restart it, wait for its role and for the ensemble to be in sync again.
util::Result<probe::Mode> restart_one(Context& ctx, const inventory::Server& server);

// The node a roll restarts next among `left` (not yet restarted): for ZooKeeper the first
// of the tier's restart order read now, so that a leadership that moved during the roll
// still goes last; for other tiers the first of `left` (kept in their planned order).
Component* next_in_order(Context& ctx, Tier& tier, const std::vector<Component*>& left);

// Restart every node of every tier one at a time, each tier in its restart order
// (ZooKeeper: re-read before each step, next_in_order); stops at the first step that fails.
RollingReport rolling_restart(Context& ctx);

}  // namespace zkctl::ops
