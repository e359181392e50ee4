#include "ops/status.hpp"

#include "ops/wait.hpp"
#include "plan/runner.hpp"

namespace zkctl::ops {

ClusterStatus collect_status(Context& ctx) {
  const auto& cluster = ctx.cluster();
  ClusterStatus st;
  st.nodes.resize(cluster.servers.size());
  // Every host at once: status of N hosts should cost about what one costs.
  plan::parallel_for(cluster.servers.size(), static_cast<int>(cluster.servers.size()),
                     [&](std::size_t i) {
                       st.nodes[i].server = &cluster.servers[i];
                       st.nodes[i].probe = probe_server(ctx, cluster.servers[i]);
                     });
  st.quorum = summarize(cluster, observed(st));
  return st;
}

std::vector<Observed> observed(const ClusterStatus& status) {
  std::vector<Observed> out;
  for (const auto& n : status.nodes) out.push_back({n.server, n.probe.mode});
  return out;
}

}  // namespace zkctl::ops
