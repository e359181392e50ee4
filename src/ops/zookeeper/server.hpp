#pragma once
// ZooKeeper servers as components: a server's files, facts, pre-flight and
// lifecycle (zk_host's remote actions), and the ensemble as a tier (foreign data
// across servers, observers/followers/leader-last restart order, quorum-gated
// restarts of rolling.hpp).

#include <memory>
#include <vector>

#include "inventory/model.hpp"
#include "ops/component.hpp"
#include "ops/zookeeper/host.hpp"

namespace zkctl::ops {

class ZooKeeperServer final : public Component {
 public:
  // `server` and `cluster` outlive the component.
  ZooKeeperServer(const inventory::Server& server, const inventory::Cluster& cluster);

  const inventory::Server& server() const { return server_; }
  const HostFacts& host_facts() const { return facts_; }

  NodeKind kind() const override { return NodeKind::zookeeper; }
  const std::string& host() const override { return server_.host; }
  int id() const override { return server_.id; }
  std::string label() const override { return server_.host; }
  std::string step(const std::string& name) const override { return name; }
  Connection& connection(Context& ctx) const override { return ctx.connection(server_); }
  const inventory::ServiceSettings& service() const override { return server_.service; }
  render::Product product() const override { return render::Product::zookeeper; }
  std::vector<OwnedDir> owned_dirs() const override;
  int heap_mb() const override { return cluster_.zookeeper.heap_mb; }
  std::chrono::seconds timeout(const Context& ctx) const override {
    return ctx.command_timeout(server_);
  }
  const std::string& distribution() const override { return cluster_.zookeeper.distribution; }
  std::string install_dir() const override;
  util::Result<std::vector<render::RenderedFile>> render(const Context& ctx) const override;
  util::Result<void> inspect(remote::Remote& remote, const std::vector<render::RenderedFile>& files,
                             std::chrono::seconds timeout) override;
  const CommonFacts& facts() const override { return facts_; }
  std::vector<std::string> preflight_problems(const JavaNeed& java) const override;
  util::Result<void> configure(remote::Remote& remote,
                               const std::vector<render::RenderedFile>& files,
                               const std::vector<const render::RenderedFile*>& changed,
                               std::chrono::seconds timeout) const override;
  util::Result<int> start(remote::Remote& remote, std::chrono::seconds timeout) const override;
  util::Result<bool> stop(remote::Remote& remote, const Options& options,
                          std::chrono::seconds timeout) const override;
  util::Result<std::optional<int>> pid(remote::Remote& remote,
                                       std::chrono::seconds timeout) const override;
  util::Result<void> wait_ready(Context& ctx) const override;

 private:
  const inventory::Server& server_;
  const inventory::Cluster& cluster_;
  HostFacts facts_;
};

class ZooKeeperTier final : public Tier {
 public:
  // One component per server of `servers` (the cluster's, or those taken out).
  ZooKeeperTier(const inventory::Cluster& cluster, const std::vector<inventory::Server>& servers);

  NodeKind kind() const override { return NodeKind::zookeeper; }
  render::Product product() const override { return render::Product::zookeeper; }
  std::string stage(const std::string& name) const override { return name; }
  std::vector<Component*> nodes() override;
  const std::string& distribution() const override { return cluster_.zookeeper.distribution; }
  std::vector<std::string> cross_problems(const std::string& cluster_name) override;
  std::vector<Component*> restart_order(Context& ctx, std::vector<Component*> nodes) override;
  util::Result<void> restart_one(Context& ctx, const Component& node) override;
  std::optional<std::string> leave_refusal(Context& ctx, const Component& node,
                                           const std::string& verb) override;
  std::string ready_text(Context& ctx, const Component& node) override;
  // One at a time, observers, followers, the leader last (leadership never moves).
  std::vector<StopGroup> stop_groups(Context& ctx) override;
  std::string restart_order_text() const override {
    return "one at a time, observers, followers, the leader last; each only while the ensemble "
           "is in sync, and back in its role before the next";
  }

 private:
  const inventory::Cluster& cluster_;
  std::vector<std::unique_ptr<ZooKeeperServer>> servers_;
};

}  // namespace zkctl::ops
