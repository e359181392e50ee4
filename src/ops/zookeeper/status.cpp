#include "ops/zookeeper/status.hpp"

#include "ops/zookeeper/wait.hpp"
#include "render/metrics.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

std::vector<std::string> ClusterStatus::problems() const {
  std::vector<std::string> out;
  for (const auto& n : nodes) {
    if (!mode_matches_role(n.probe.mode, n.server->role, quorum.voters))
      out.push_back(n.server->host + " " + probe::to_string(n.probe.mode));
  }
  return out;
}

Health ClusterStatus::overall() const {
  if (!quorum.ok()) return Health::failed;
  return problems().empty() ? Health::ok : Health::degraded;
}

std::string ClusterStatus::verdict() const {
  if (!quorum.ok()) return quorum.describe();
  auto bad = problems();
  if (bad.empty()) return quorum.describe();
  std::string line = "quorum DEGRADED: " + quorum.facts() + ";";
  for (std::size_t i = 0; i < bad.size(); ++i) line += (i ? ", " : " ") + bad[i];
  return line;
}

ClusterStatus collect_status(Context& ctx, probe::AskMntr ask_mntr) {
  const auto& cluster = ctx.cluster();
  ClusterStatus st;
  st.nodes.resize(cluster.servers.size());
  // Every server at once over TCP from this thread (one poll loop, no thread per server:
  // status of N hosts should cost about what one costs); then, concurrently, SSH for the
  // servers whose client port TCP could not reach.
  std::vector<std::pair<std::string, int>> targets;
  for (const auto& s : cluster.servers) targets.emplace_back(s.host, s.ports.client);
  std::vector<probe::NodeProbe> tcp = probe::probe_nodes_tcp(targets, ctx.options().probe_timeout,
                                                             ask_mntr, zkctl_client_tls(cluster));
  std::vector<std::size_t> retry;
  for (std::size_t i = 0; i < cluster.servers.size(); ++i) {
    st.nodes[i].server = &cluster.servers[i];
    st.nodes[i].probe = std::move(tcp[i]);
    const auto& p = st.nodes[i].probe;
    if (p.mode == probe::Mode::down &&
        (p.failure == probe::Failure::timeout || p.failure == probe::Failure::unreachable ||
         p.failure == probe::Failure::resolve))
      retry.push_back(i);
  }
  runner::parallel_for(retry.size(), static_cast<int>(retry.size()), [&](std::size_t k) {
    const std::size_t i = retry[k];
    st.nodes[i].probe = fall_back_to_ssh(ctx, cluster.servers[i], std::move(st.nodes[i].probe));
  });
  st.quorum = summarize(cluster, observed(st));
  return st;
}

bool metrics_need_mntr(const inventory::Cluster& cluster) {
  return render::any_zk_metrics_source(cluster, render::ZkMetricsSource::agent);
}

void with_synced_followers(NodeMetrics& metrics, const probe::NodeProbe& probe) {
  // The JMX exporter agent cannot serve the leader's synced_followers (no MBean has it): the
  // leader's mntr, already read, says the same.
  if (!metrics.enabled || !metrics.error.empty() || !probe.mntr || !probe.mntr->synced_followers)
    return;
  for (const auto& [key, value] : metrics.values)
    if (key == "synced_followers") return;
  metrics.values.emplace_back("synced_followers",
                              static_cast<double>(*probe.mntr->synced_followers));
}

void add_metrics(Context& ctx, ClusterStatus& status) {
  runner::parallel_for(status.nodes.size(), static_cast<int>(status.nodes.size()) + 1,
                       [&](std::size_t i) {
                         NodeStatus& n = status.nodes[i];
                         n.metrics = zookeeper_node_metrics(ctx, *n.server);
                         with_synced_followers(n.metrics, n.probe);
                       });
}

std::vector<Observed> observed(const ClusterStatus& status) {
  std::vector<Observed> out;
  for (const auto& n : status.nodes) out.push_back({n.server, n.probe.mode});
  return out;
}

}  // namespace zkctl::ops
