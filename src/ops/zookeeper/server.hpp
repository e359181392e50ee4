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

class ZooKeeperServer final : public NodeComponent<inventory::Server, HostFacts> {
 public:
  using NodeComponent::NodeComponent;

  const inventory::Server& server() const { return node_; }
  const HostFacts& host_facts() const { return facts_; }

  NodeKind kind() const override { return NodeKind::zookeeper; }
  std::string label() const override { return node_.host; }
  std::string step(const std::string& name) const override { return name; }
  render::Product product() const override { return render::Product::zookeeper; }
  int heap_mb() const override { return cluster_.zookeeper.heap_mb; }
  const std::string& distribution() const override { return cluster_.zookeeper.distribution; }
  std::string install_dir() const override;
  std::vector<OwnedDir> owned_dirs() const override;
  util::Result<std::vector<render::RenderedFile>> render(const Context& ctx) const override;
  util::Result<void> inspect(remote::Remote& remote, const std::vector<render::RenderedFile>& files,
                             std::chrono::seconds timeout) override;
  std::vector<std::string> preflight_problems(const JavaNeed& java) const override;
  util::Result<void> configure(remote::Remote& remote,
                               const std::vector<render::RenderedFile>& files,
                               const std::vector<const render::RenderedFile*>& changed,
                               std::chrono::seconds timeout) const override;
  util::Result<void> wait_ready(Context& ctx) const override;

 protected:
  ScriptLaunch launch() const override { return zk_launch(node_); }
  std::chrono::seconds stop_grace(const Options& options) const override {
    return options.stop_grace;
  }
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
  // A removed server unreachable over SSH is refused while it still serves, else dropped.
  void preflight_removal(Context& ctx, Tier& removed, DeployReport& report) override;
  Removal plan_removal(Context& ctx, Tier& removed) override;
  // The table of modes and the quorum line; "serving as follower" for one server.
  std::unique_ptr<TierStatus> status(Context& ctx, probe::AskMntr detail) override;
  std::string ready_text(Context& ctx, const Component& node) override;
  // One at a time, observers, followers, the leader last (leadership never moves).
  std::vector<StopGroup> stop_groups(Context& ctx) override;
  std::vector<Component*> restart_order(Context& ctx, std::vector<Component*> nodes) override;
  util::Result<void> restart_one(Context& ctx, const Component& node) override;
  std::optional<std::string> leave_refusal(Context& ctx, const Component& node,
                                           const std::string& verb) override;
  std::string restart_order_text() const override {
    return "one at a time, observers, followers, the leader last; each only while the ensemble "
           "is in sync, and back in its role before the next";
  }

 private:
  const inventory::Cluster& cluster_;
  std::vector<std::unique_ptr<ZooKeeperServer>> servers_;
};

}  // namespace zkctl::ops
