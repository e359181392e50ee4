#include "ops/kafka/status.hpp"

#include <future>

#include "ops/kafka/host.hpp"
#include "probe/kafka_client.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

namespace {
struct Seen {
  std::string problem;
  Health health;
};

// What is wrong with node `n`, worst first: the broker side fails the tier (clients lose it),
// a controller-only node or an unknown process degrades it (the quorum covers).
std::vector<Seen> node_problems(const KafkaNodeStatus& n) {
  std::vector<Seen> out;
  const std::string who = n.node->host + " (" + std::to_string(n.node->id) + ")";
  const Health down = n.node->broker ? Health::failed : Health::degraded;
  if (n.process_up && !*n.process_up) out.push_back({who + " process down", down});
  if (!n.process_up) out.push_back({who + " process not checked (ssh)", Health::degraded});
  if (n.node->broker && !n.listener_ok)
    out.push_back({who + " listener :" + std::to_string(n.node->listener_port) + " unreachable",
                   Health::failed});
  if (n.node->broker && !n.registered) out.push_back({who + " not registered", Health::failed});
  return out;
}

std::vector<Seen> everything_seen(const KafkaStatus& st) {
  std::vector<Seen> out;
  if (st.nodes.empty()) out.push_back({"no Kafka nodes", Health::failed});
  for (const auto& n : st.nodes)
    for (auto& p : node_problems(n)) out.push_back(std::move(p));
  if (st.health.quorum && st.health.quorum->leader_id < 0)
    out.push_back({"no quorum leader", Health::failed});
  return out;
}
}  // namespace

std::vector<std::string> KafkaStatus::problems() const {
  std::vector<std::string> out;
  for (auto& p : everything_seen(*this)) out.push_back(std::move(p.problem));
  return out;
}

Health KafkaStatus::overall() const {
  Health h = Health::ok;
  for (const auto& p : everything_seen(*this)) h = worst(h, p.health);
  return h;
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
      auto md = probe::kafka_metadata(kafka_access(cluster, &n), ctx.options().probe_timeout);
      ns.listener_ok = md.ok();
      if (!md) ns.detail = md.error().message;
    }
    ns.metrics = kafka_node_metrics(ctx, n);
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
