#include "ops/zookeeper/server.hpp"

#include "ops/cluster/membership.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/host/launcher.hpp"
#include "ops/host/metrics_agent.hpp"
#include "ops/zookeeper/quorum.hpp"
#include "ops/zookeeper/rolling.hpp"
#include "ops/zookeeper/status.hpp"
#include "ops/zookeeper/status_view.hpp"
#include "ops/zookeeper/wait.hpp"
#include "render/zk_paths.hpp"
#include "render/zookeeper.hpp"

namespace zkctl::ops {

std::string ZooKeeperServer::install_dir() const {
  return render::zk_paths(node_).install_dir;
}

std::vector<OwnedDir> ZooKeeperServer::owned_dirs() const {
  const render::ZkPaths p = render::zk_paths(node_);
  std::vector<OwnedDir> dirs = {{OwnedDir::Holds::install, "zkinstall", p.install_dir},
                                {OwnedDir::Holds::data, "zkdata", p.data_dir}};
  // The separate transaction-log dir is data too, with its own mark and layout.
  if (!p.data_log_dir.empty()) dirs.push_back({OwnedDir::Holds::data, "zklog", p.data_log_dir});
  return dirs;
}

util::Result<std::vector<render::RenderedFile>> ZooKeeperServer::render(const Context& ctx) const {
  auto tls = ctx.tls_material(kZooKeeperIdentity, node_);
  if (!tls) return tls.error();
  auto files = render::render_zookeeper_node(cluster_, node_, ctx.options().templates,
                                             *tls ? &**tls : nullptr);
  if (!files) return files;
  auto agent = zookeeper_agent_files(cluster_, node_);  // [metrics] with TLS: the JMX agent
  if (!agent) return agent.error();
  std::move(agent->begin(), agent->end(), std::back_inserter(*files));
  return files;
}

util::Result<void> ZooKeeperServer::inspect(remote::Remote& remote,
                                            const std::vector<render::RenderedFile>& files,
                                            std::chrono::seconds timeout) {
  auto facts = inspect_host(remote, node_, files, timeout);
  if (!facts) return facts.error();
  facts_ = std::move(facts.value());
  return {};
}

std::vector<std::string> ZooKeeperServer::preflight_problems(const JavaNeed& java) const {
  return ops::preflight_problems(node_, facts_, java);
}

util::Result<void> ZooKeeperServer::configure(
    remote::Remote& remote, const std::vector<render::RenderedFile>& files,
    const std::vector<const render::RenderedFile*>& changed, std::chrono::seconds timeout) const {
  if (auto p = prepare_dirs(remote, node_, timeout); !p) return p.error();
  // The service user owns data and logs first: myid and the marks there are written as it.
  const render::ZkPaths paths = render::zk_paths(node_);
  const std::string& user = node_.service.user;
  if (auto o = own_dirs(remote, user, {paths.data_dir, paths.data_log_dir, paths.log_dir}, timeout);
      !o)
    return o.error();
  if (auto m = mark_owned_dirs(remote, cluster_.name, user, owned_dirs(), timeout); !m)
    return m.error();
  if (auto w = write_files(remote, user, changed, timeout); !w) return w.error();
  if (auto k = prepare_agent_keystore(remote, cluster_, node_, timeout); !k) return k.error();
  // Root owns the configs (the service's group on a secret); systemd: unit enabled.
  return settle_service(remote, node_.service, render::Product::zookeeper, files, timeout);
}

util::Result<void> ZooKeeperServer::wait_ready(Context& ctx) const {
  auto m = wait_for_role(ctx, node_, ctx.options().wait_timeout);
  if (!m) return m.error();
  return {};
}

ZooKeeperTier::ZooKeeperTier(const inventory::Cluster& cluster,
                             const std::vector<inventory::Server>& servers)
    : cluster_(cluster) {
  for (const auto& s : servers) servers_.push_back(std::make_unique<ZooKeeperServer>(s, cluster));
}

std::vector<Component*> ZooKeeperTier::nodes() {
  std::vector<Component*> v;
  for (auto& s : servers_) v.push_back(s.get());
  return v;
}

std::vector<std::string> ZooKeeperTier::cross_problems(const std::string& cluster_name) {
  std::vector<std::pair<const inventory::Server*, const HostFacts*>> facts;
  for (const auto& s : servers_) facts.emplace_back(&s->server(), &s->host_facts());
  return foreign_data_problems(cluster_name, facts);
}

void ZooKeeperTier::preflight_removal(Context& ctx, Tier& removed, DeployReport& report) {
  for (Component* c : removed.nodes()) {
    const auto& s = static_cast<ZooKeeperServer*>(c)->server();
    Connection& conn = c->connection(ctx);
    if (conn.remote) {
      ctx.progress().report({s.host, "pre-flight", runner::EventKind::done, "to be removed"});
      continue;
    }
    probe::NodeProbe p = probe_server(ctx, s);
    if (serves_as_voter(p.mode) || p.mode == probe::Mode::observer) {
      report.preflight.push_back(s.host + ": to be removed, still serving as " +
                                 probe::to_string(p.mode) +
                                 ", but unreachable over SSH: " + conn.error);
    } else {
      report.notes.push_back(s.host + ": to be removed; unreachable and not serving (" +
                             conn.error + "): dropped from the ensemble without stopping it");
    }
  }
}

Tier::Removal ZooKeeperTier::plan_removal(Context& ctx, Tier& removed) {
  Removal r;
  std::vector<inventory::Server> serving;
  for (Component* c : removed.nodes()) {
    const auto& s = static_cast<ZooKeeperServer*>(c)->server();
    probe::NodeProbe p = probe_server(ctx, s);
    if (serves_as_voter(p.mode) || p.mode == probe::Mode::observer) serving.push_back(s);
    if (p.mode == probe::Mode::leader) r.leader = c;
  }
  if (!serving.empty())
    r.view = std::make_unique<inventory::Cluster>(transition_view(ctx.cluster(), serving));
  return r;
}

std::vector<Component*> ZooKeeperTier::restart_order(Context& ctx, std::vector<Component*> nodes) {
  std::vector<Component*> order;
  for (const inventory::Server* s : rolling_order(collect_status(ctx))) {
    for (Component* c : nodes)
      if (c->host() == s->host && c->id() == s->id) order.push_back(c);
  }
  return order;
}

util::Result<void> ZooKeeperTier::restart_one(Context& ctx, const Component& node) {
  // The server as `ctx` names it: during scale-in, the transition view's copy.
  const inventory::Server* s = nullptr;
  for (const auto& m : ctx.cluster().servers)
    if (m.host == node.host() && m.id == node.id()) s = &m;
  if (s == nullptr) return util::fail(node.host() + " is not in the ensemble being rolled");
  auto m = ops::restart_one(ctx, *s);
  if (!m) return m.error();
  return {};
}

std::optional<std::string> ZooKeeperTier::leave_refusal(Context& ctx, const Component& node,
                                                        const std::string& verb) {
  ClusterStatus st = collect_status(ctx);
  const auto& server = static_cast<const ZooKeeperServer&>(node).server();
  auto safe = check_removal_safe(ctx.cluster(), observed(st), server);
  if (safe) return std::nullopt;
  return verb + " refused: " + safe.error().message;
}

std::string ZooKeeperTier::ready_text(Context& ctx, const Component& node) {
  const auto& server = static_cast<const ZooKeeperServer&>(node).server();
  return "serving as " + std::string(probe::to_string(probe_server(ctx, server).mode));
}

std::unique_ptr<TierStatus> ZooKeeperTier::status(Context& ctx, probe::AskMntr detail) {
  ClusterStatus st =
      collect_status(ctx, metrics_need_mntr(ctx.cluster()) ? probe::AskMntr::yes : detail);
  add_metrics(ctx, st);
  return std::make_unique<ZooKeeperStatusView>(ctx.cluster().name, std::move(st));
}

std::vector<Tier::StopGroup> ZooKeeperTier::stop_groups(Context& ctx) {
  return {{"stop", 1, restart_order(ctx, nodes())}};
}

}  // namespace zkctl::ops
