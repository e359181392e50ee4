#pragma once
// Prometheus on the monitoring host ([monitoring]): Debian's binary run by zkctl from
// install_dir with its own config, rules and data dir (the package's unit is not used); its
// scrape targets and alert rules rendered from the inventory, re-read on SIGHUP when a deploy
// changes them (no restart); a client certificate from the cluster's PKI when it is secure.

#include <memory>
#include <string>
#include <vector>

#include "ops/monitoring/daemon.hpp"
#include "render/prometheus.hpp"

namespace zkctl::ops {

// The identity of Prometheus' client certificate (CN=prometheus,OU=<cluster>,O=zkctl).
inline constexpr const char* kPrometheusIdentity = "prometheus";

class PrometheusServer : public DaemonComponent {
 public:
  using DaemonComponent::DaemonComponent;
  NodeKind kind() const override { return NodeKind::prometheus; }
  std::string label() const override { return host() + " (prometheus)"; }
  std::string step(const std::string& name) const override { return "prometheus " + name; }
  render::Product product() const override { return render::Product::prometheus; }
  std::vector<OwnedDir> owned_dirs() const override;
  util::Result<std::vector<render::RenderedFile>> render(const Context& ctx) const override;
  int port() const override { return cluster_.monitoring.port; }

 protected:
  std::string binary() const override { return "/usr/bin/prometheus"; }
  std::string package() const override { return "prometheus"; }
  std::vector<std::string> args() const override;
  std::vector<std::string> root_dirs() const override;
  std::vector<std::string> user_dirs() const override;
  std::string log_file() const override;
  util::Result<void> reload(remote::Remote& remote, std::chrono::seconds timeout) const override;
};

class PrometheusTier : public DaemonTier {
 public:
  explicit PrometheusTier(const inventory::Cluster& cluster);
  NodeKind kind() const override { return NodeKind::prometheus; }
  render::Product product() const override { return render::Product::prometheus; }
  std::string stage(const std::string& name) const override { return "prometheus " + name; }
  std::vector<Component*> nodes() override { return {server_.get()}; }
  std::unique_ptr<TierStatus> status(Context& ctx, probe::AskMntr detail) override;

 protected:
  std::vector<DaemonComponent*> daemons() override { return {server_.get()}; }

 private:
  inventory::Node node_;
  std::unique_ptr<PrometheusServer> server_;
};

// The deadline of every node certificate zkctl issued for `ctx`'s cluster (servers, Kafka
// nodes, host agents, Prometheus' own): what the expiry rules fire on. Empty without TLS or
// before the first deploy issued them.
util::Result<std::vector<render::CertDeadline>> cert_deadlines(const Context& ctx,
                                                               const inventory::Node& prometheus);

}  // namespace zkctl::ops
