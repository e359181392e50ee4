#include "ops/kafka/status.hpp"

#include <future>

#include "ops/kafka/host.hpp"
#include "probe/kafka_client.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

bool KafkaStatus::ok() const {
  for (const auto& n : nodes)
    if (n.node->broker && !n.registered) return false;
  if (health.quorum && health.quorum->leader_id < 0) return false;
  return !nodes.empty();
}

KafkaStatus collect_kafka_status(Context& ctx) {
  const auto& cluster = ctx.cluster();
  KafkaStatus st;
  st.nodes.resize(cluster.kafka_nodes.size());
  // The cluster view and every node's own view at once.
  // (The quorum tool needs an SSH session: it runs after the per-node checks.)
  auto health = std::async(std::launch::async, [&] { return kafka_health(ctx, WithQuorum::no); });
  runner::parallel_for(st.nodes.size(), static_cast<int>(st.nodes.size()) + 1, [&](std::size_t i) {
    const auto& n = cluster.kafka_nodes[i];
    KafkaNodeStatus& ns = st.nodes[i];
    ns.node = &n;
    if (n.broker) {
      auto md = probe::kafka_metadata(kafka_bootstrap(cluster, &n), ctx.options().probe_timeout);
      ns.listener_ok = md.ok();
      if (!md) ns.detail = md.error().message;
    }
    Connection& c = ctx.connection(n);
    if (!c.remote) {
      ns.detail += (ns.detail.empty() ? "" : "; ") + ("ssh: " + c.error);
      return;
    }
    auto pid = kafka_pid(*c.remote, n, ctx.command_timeout(n));
    if (pid) {
      ns.process_up = pid->has_value();
      ns.pid = *pid;
    } else {
      ns.detail += (ns.detail.empty() ? "" : "; ") + pid.error().message;
    }
  });
  st.health = health.get();
  if (cluster.kafka->mode == inventory::KafkaMode::kraft) {
    auto q = read_kraft_quorum(ctx);
    if (q) {
      st.health.quorum = *q;
      if (q->leader_id >= 0) st.health.controller = q->leader_id;
    } else {
      st.health.error += (st.health.error.empty() ? "" : "; ") + q.error().message;
    }
  }
  for (auto& ns : st.nodes) {
    ns.registered = ns.node->broker && st.health.registered.count(ns.node->id) > 0;
    ns.controller = st.health.controller && *st.health.controller == ns.node->id;
  }
  return st;
}

}  // namespace zkctl::ops
