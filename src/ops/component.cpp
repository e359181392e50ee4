#include "ops/component.hpp"

#include "ops/kafka/node.hpp"
#include "ops/monitoring/host_agent.hpp"
#include "ops/monitoring/prometheus.hpp"
#include "ops/zookeeper/server.hpp"
#include "remote/scripts.hpp"

namespace zkctl::ops {

std::string_view to_string(Health health) {
  switch (health) {
    case Health::ok:
      return "ok";
    case Health::degraded:
      return "degraded";
    case Health::failed:
      return "failed";
  }
  return "?";
}

Health worst(Health a, Health b) {
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

std::unique_ptr<Tier> tier_of(const inventory::Cluster& cluster, NodeKind kind) {
  for (auto& t : tiers_of(cluster))
    if (t->kind() == kind) return std::move(t);
  return nullptr;
}

std::vector<Component*> nodes_named(Tier& tier, const std::string& name) {
  std::vector<Component*> named;
  for (Component* c : tier.nodes())
    if (c->host() == name || (tier.ids_name_nodes() && std::to_string(c->id()) == name))
      named.push_back(c);
  return named;
}

std::vector<std::unique_ptr<Tier>> tiers_of(const inventory::Cluster& cluster) {
  std::vector<std::unique_ptr<Tier>> tiers;
  if (!cluster.servers.empty())
    tiers.push_back(std::make_unique<ZooKeeperTier>(cluster, cluster.servers));
  if (cluster.kafka) tiers.push_back(std::make_unique<KafkaTier>(cluster, cluster.kafka_nodes));
  // The host agents (disk, CPU) serve the monitoring host only: without one, no host needs
  // Debian's prometheus-node-exporter.
  if (cluster.monitoring.enabled()) {
    if (cluster.metrics.enabled) tiers.push_back(std::make_unique<HostAgentTier>(cluster));
    tiers.push_back(std::make_unique<PrometheusTier>(cluster));
  }
  return tiers;
}

util::Result<void> mark_owned_dirs(remote::Remote& remote, const std::string& cluster,
                                   const std::string& user, const std::vector<OwnedDir>& dirs,
                                   std::chrono::seconds timeout) {
  std::vector<std::string> args = {cluster, user};
  for (const OwnedDir& d : dirs) args.push_back(d.path);
  auto r = remote::run_script(remote, "mark dirs", remote::scripts::host_mark, args, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<void> mark_restart(Context& ctx, const Component& node, RestartOwed owed) {
  Connection& c = node.connection(ctx);
  if (!c.remote) return util::fail(c.error);
  auto r = remote::run_script(*c.remote, "restart mark", remote::scripts::host_restart_pending,
                              {owed == RestartOwed::set ? "set" : "clear", node.install_dir()},
                              node.timeout(ctx));
  if (!r) return r.error();
  return {};
}

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::zookeeper:
      return "zookeeper";
    case NodeKind::kafka:
      return "kafka";
    case NodeKind::host_agent:
      return "host-agent";
    case NodeKind::prometheus:
      return "prometheus";
  }
  return "?";
}

std::string Decision::action() const {
  if (!running) return format ? "format, start" : "start";
  return needs_restart() ? "restart" : "none";
}

std::vector<std::string> Decision::reasons() const {
  std::vector<std::string> why;
  if (!needs_restart()) return why;
  if (upload) why.push_back("new distribution");
  if (upload_java) why.push_back("new JDK");
  for (const auto* f : changed_files) {
    if (f->read_by != render::ReadBy::service) continue;
    const auto slash = f->path.rfind('/');
    why.push_back((slash == std::string::npos ? f->path : f->path.substr(slash + 1)) + " changed");
  }
  if (wrong_user) why.push_back("runs as another user than [service] user");
  if (owed) why.push_back("restart left undone by an interrupted deploy");
  return why;
}

}  // namespace zkctl::ops
