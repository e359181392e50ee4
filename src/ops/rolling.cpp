#include "ops/rolling.hpp"

#include <thread>

#include "ops/kafka_health.hpp"
#include "ops/kafka_host.hpp"
#include "ops/quorum.hpp"
#include "ops/wait.hpp"
#include "ops/zk_host.hpp"

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

namespace {

// Kafka after the ensemble: one node at a time, the active controller (or KRaft
// quorum leader) last; each must leave the cluster with every broker registered
// and no under-replicated partition before the next.
void roll_kafka(Context& ctx, RollingReport& report) {
  const auto& cluster = ctx.cluster();
  plan::Progress& progress = ctx.progress();
  KafkaHealth h = kafka_health(ctx, WithQuorum::yes);
  std::vector<const inventory::KafkaNode*> order, last;
  for (const auto& n : cluster.kafka_nodes) {
    (h.controller && *h.controller == n.id ? last : order).push_back(&n);
  }
  order.insert(order.end(), last.begin(), last.end());
  for (const auto* n : order) {
    const std::string label = n->host + " (kafka " + std::to_string(n->id) + ")";
    auto fail = [&](const std::string& msg) {
      report.ok = false;
      report.stopped_at = label;
      report.error = msg;
      progress.report({n->host, "kafka restart", plan::EventKind::failed, msg});
    };
    KafkaHealth before = kafka_health(ctx, WithQuorum::no);
    if (before.under_replicated != 0 || before.offline != 0) {
      return fail("before restarting: " + std::to_string(before.under_replicated) +
                  " under-replicated, " + std::to_string(before.offline) + " offline partitions" +
                  (before.error.empty() ? "" : " (" + before.error + ")"));
    }
    progress.report({n->host, "kafka restart", plan::EventKind::started, ""});
    Connection& c = ctx.connection(*n);
    if (!c.remote) return fail(c.error);
    auto t = ctx.command_timeout(*n);
    if (auto s = stop_kafka(*c.remote, *n, ctx.options().kafka_stop_grace, t); !s) {
      return fail("stop: " + s.error().message);
    }
    if (auto p = start_kafka(*c.remote, *n, t); !p) return fail("start: " + p.error().message);
    if (auto w = wait_broker_healthy(ctx, *n, ctx.options().wait_timeout); !w) {
      return fail(w.error().message);
    }
    progress.report({n->host, "kafka restart", plan::EventKind::done, "registered, in sync"});
    report.restarted.push_back(label);
  }
}

}  // namespace

RollingReport rolling_restart(Context& ctx) {
  RollingReport report;
  plan::Progress& progress = ctx.progress();
  if (ctx.cluster().servers.empty()) {
    if (ctx.cluster().kafka) roll_kafka(ctx, report);
    return report;
  }
  ClusterStatus st;
  if (auto synced = wait_synced(ctx, ctx.options().wait_timeout, nullptr, &st); !synced) {
    report.ok = false;
    report.error = "not starting the roll: " + synced.error().message;
    return report;
  }
  for (const inventory::Server* s : rolling_order(st)) {
    progress.report({s->host, "restart", plan::EventKind::started, ""});
    auto mode = restart_one(ctx, *s);
    if (!mode) {
      report.ok = false;
      report.stopped_at = s->host;
      report.error = mode.error().message;
      progress.report({s->host, "restart", plan::EventKind::failed, report.error});
      return report;
    }
    progress.report({s->host, "restart", plan::EventKind::done,
                     std::string("serving as ") + probe::to_string(*mode) + ", ensemble in sync"});
    report.restarted.push_back(s->host);
  }
  if (ctx.cluster().kafka) roll_kafka(ctx, report);
  return report;
}

}  // namespace zkctl::ops
