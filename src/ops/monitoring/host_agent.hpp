#pragma once
// The host agent: Debian's prometheus-node-exporter on every distinct host of the cluster
// ([metrics] host_port, bound to the host's address), only the collectors the alert rules and
// operators need (filesystem, cpu, meminfo, loadavg); TLS with the host's certificate and
// client certificates from zkctl's CA required (--web.config.file) unless the cluster is open.

#include <memory>
#include <string>
#include <vector>

#include "ops/monitoring/daemon.hpp"

namespace zkctl::ops {

// The identity of the host agents' certificates (CN=host-agent,OU=<cluster>,O=zkctl).
inline constexpr const char* kHostAgentIdentity = "host-agent";

class HostAgent : public DaemonComponent {
 public:
  using DaemonComponent::DaemonComponent;
  NodeKind kind() const override { return NodeKind::host_agent; }
  std::string label() const override { return host() + " (host agent)"; }
  std::string step(const std::string& name) const override { return "host-agent " + name; }
  render::Product product() const override { return render::Product::host_agent; }
  std::vector<OwnedDir> owned_dirs() const override;
  util::Result<std::vector<render::RenderedFile>> render(const Context& ctx) const override;
  int port() const override { return cluster_.metrics.host_port; }

 protected:
  std::string binary() const override { return "/usr/bin/prometheus-node-exporter"; }
  std::string package() const override { return "prometheus-node-exporter"; }
  std::vector<std::string> args() const override;
  std::vector<std::string> root_dirs() const override { return {}; }
  std::vector<std::string> user_dirs() const override;
  std::string log_file() const override;
};

class HostAgentTier : public DaemonTier {
 public:
  explicit HostAgentTier(const inventory::Cluster& cluster);
  NodeKind kind() const override { return NodeKind::host_agent; }
  render::Product product() const override { return render::Product::host_agent; }
  std::string stage(const std::string& name) const override { return "host-agent " + name; }
  std::vector<Component*> nodes() override;
  std::unique_ptr<TierStatus> status(Context& ctx, probe::AskMntr detail) override;

 protected:
  std::vector<DaemonComponent*> daemons() override;

 private:
  const inventory::Cluster& cluster_;
  std::vector<inventory::Node> hosts_;  // one per distinct host; agents_ point into it
  std::vector<std::unique_ptr<HostAgent>> agents_;
};

// The host agents' inventory nodes (one per distinct host of `cluster`, id 0).
std::vector<inventory::Node> host_agent_nodes(const inventory::Cluster& cluster);

}  // namespace zkctl::ops
