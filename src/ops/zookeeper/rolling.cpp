#include "ops/zookeeper/rolling.hpp"

#include <algorithm>
#include <thread>

#include "ops/component.hpp"
#include "ops/zookeeper/host.hpp"
#include "ops/zookeeper/quorum.hpp"
#include "ops/zookeeper/wait.hpp"
#include "runner/interrupt.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

using probe::Mode;

std::vector<const inventory::Server*> rolling_order(const ClusterStatus& status) {
  std::vector<const inventory::Server*> observers, followers, leaders;
  for (const auto& n : status.nodes) {
    if (n.server->role == inventory::Role::observer) {
      observers.push_back(n.server);
    } else if (n.probe.mode == Mode::leader) {
      leaders.push_back(n.server);
    } else {
      followers.push_back(n.server);
    }
  }
  observers.insert(observers.end(), followers.begin(), followers.end());
  observers.insert(observers.end(), leaders.begin(), leaders.end());
  return observers;
}

bool fully_synced(const inventory::Cluster& cluster, const ClusterStatus& status, std::string& why,
                  const inventory::Server* except) {
  if (!status.quorum.ok()) {
    why = status.quorum.describe();
    return false;
  }
  int voters = static_cast<int>(cluster.voters().size());
  int observers = static_cast<int>(cluster.servers.size()) - voters;
  for (const auto& n : status.nodes) {
    if (n.server == except) continue;
    if (!mode_matches_role(n.probe.mode, n.server->role, voters)) {
      why = n.server->host + " is " + probe::to_string(n.probe.mode) + ", not serving as " +
            inventory::to_string(n.server->role);
      return false;
    }
  }
  if (voters == 1) return true;
  const NodeStatus* leader = nullptr;
  for (const auto& n : status.nodes)
    if (n.probe.mode == Mode::leader) leader = &n;
  if (leader == nullptr || !leader->probe.mntr) {
    why = "the leader's mntr is not available";
    return false;
  }
  const auto& m = *leader->probe.mntr;
  // zk_synced_followers counts voting followers (and non-voting ones); observers separately.
  long followers = m.synced_followers.value_or(-1);
  long synced_observers = m.synced_observers.value_or(0);
  long pending = m.pending_syncs.value_or(0);
  if (followers < voters - 1 || synced_observers < observers || pending != 0) {
    why = "leader " + leader->server->host + " reports " + std::to_string(followers) + "/" +
          std::to_string(voters - 1) + " followers and " + std::to_string(synced_observers) + "/" +
          std::to_string(observers) + " observers synced, " + std::to_string(pending) +
          " pending syncs";
    return false;
  }
  return true;
}

namespace {

// Poll status until fully_synced (not counting `except`) or `timeout`; the last
// status seen goes to `last`.
util::Result<void> wait_synced(Context& ctx, std::chrono::seconds timeout,
                               const inventory::Server* except = nullptr,
                               ClusterStatus* last = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string why;
  for (;;) {
    ClusterStatus st = collect_status(ctx);
    const bool synced = fully_synced(ctx.cluster(), st, why, except);
    if (last != nullptr) *last = std::move(st);
    if (synced) return {};
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return util::fail("ensemble not in sync after " + std::to_string(timeout.count()) + "s: " + why);
}

}  // namespace

util::Result<probe::Mode> restart_one(Context& ctx, const inventory::Server& server) {
  // Every other server in sync (so the quorum survives this one leaving); a learner
  // still catching up after the previous step (or an election) is waited for.
  ClusterStatus now;
  if (auto synced = wait_synced(ctx, ctx.options().wait_timeout, &server, &now); !synced) {
    return util::fail("before restarting: " + synced.error().message);
  }
  if (server.role == inventory::Role::voter) {
    int others = 0;
    for (const auto& n : now.nodes) {
      if (n.server != &server && n.server->role == inventory::Role::voter &&
          serves_as_voter(n.probe.mode)) {
        ++others;
      }
    }
    if (others < now.quorum.majority) {
      return util::fail("restarting " + server.host + " would leave " + std::to_string(others) +
                        " of " + std::to_string(now.quorum.voters) +
                        " voters serving; a quorum needs " + std::to_string(now.quorum.majority));
    }
  }
  Connection& conn = ctx.connection(server);
  if (!conn.remote) return util::fail(conn.error);
  auto timeout = ctx.command_timeout(server);
  if (auto stopped = stop_server(*conn.remote, server, ctx.options().stop_grace, timeout);
      !stopped) {
    return util::fail("stop: " + stopped.error().message);
  }
  auto pid = start_server(*conn.remote, server, timeout);
  if (!pid) return util::fail("start: " + pid.error().message);
  auto mode = wait_for_role(ctx, server, ctx.options().wait_timeout);
  if (!mode) return mode.error();
  if (auto synced = wait_synced(ctx, ctx.options().wait_timeout); !synced) return synced.error();
  return *mode;
}

Component* next_in_order(Context& ctx, Tier& tier, const std::vector<Component*>& left) {
  if (left.size() > 1 && tier.kind() == NodeKind::zookeeper) {
    auto order = tier.restart_order(ctx, left);
    if (!order.empty()) return order.front();
  }
  return left.front();
}

RollingReport rolling_restart(Context& ctx) {
  RollingReport report;
  runner::Progress& progress = ctx.progress();
  for (auto& tier : tiers_of(ctx.cluster())) {
    std::vector<Component*> left = tier->nodes();
    if (tier->kind() != NodeKind::zookeeper) left = tier->restart_order(ctx, left);
    while (!left.empty()) {
      Component* n = next_in_order(ctx, *tier, left);
      if (runner::stop_requested()) {  // between nodes: the one in flight has finished
        report.ok = false;
        report.stopped_at = n->label();
        report.error = runner::kStepInterrupted;
        progress.report({n->host(), n->step("restart"), runner::EventKind::failed, report.error});
        return report;
      }
      progress.report({n->host(), n->step("restart"), runner::EventKind::started, ""});
      if (auto r = tier->restart_one(ctx, *n); !r) {
        report.ok = false;
        report.stopped_at = n->label();
        report.error = r.error().message;
        report.refused = tier->roll_refused();
        progress.report({n->host(), n->step("restart"), runner::EventKind::failed, report.error});
        return report;
      }
      progress.report({n->host(), n->step("restart"), runner::EventKind::done,
                       tier->ready_text(ctx, *n) + ", cluster in sync"});
      report.restarted.push_back(n->label());
      // A restart a deploy still owed it is done now (a failure only means one more later).
      (void)mark_restart(ctx, *n, RestartOwed::clear);
      left.erase(std::find(left.begin(), left.end(), n));
    }
  }
  return report;
}

}  // namespace zkctl::ops
