#pragma once
// What the two monitoring kinds of node share: a daemon zkctl runs from a Debian binary (no
// distribution, no JVM) as the service user, with its files under one dir, found by a mark in
// its command line, started in its own session and never through its package's unit. The host
// agent (host_agent) and Prometheus (prometheus) each say which binary, files and arguments.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/component.hpp"

namespace zkctl::ops {

// What a daemon's inspect finds: the common facts and whether its binary is there.
struct DaemonFacts : CommonFacts {
  bool binary_missing = false;
};

// Parse the `key=value` lines of remote-scripts/monitoring/inspect.sh.
DaemonFacts parse_daemon_facts(const std::string& out);

class DaemonComponent : public Component {
 public:
  // `node` (host, ssh, service, install_dir) and `cluster` outlive the component.
  DaemonComponent(const inventory::Node& node, const inventory::Cluster& cluster)
      : node_(node), cluster_(cluster) {}

  const inventory::Node& node() const { return node_; }
  const std::string& host() const override { return node_.host; }
  int id() const override { return node_.id; }
  Connection& connection(Context& ctx) const override;
  const inventory::ServiceSettings& service() const override { return node_.service; }
  int heap_mb() const override { return 0; }
  std::chrono::seconds timeout(const Context& ctx) const override;
  const std::string& distribution() const override;
  std::string install_dir() const override { return node_.install_dir; }

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

  // The port it serves on.
  virtual int port() const = 0;

 protected:
  // The Debian binary it runs and the package that ships it (pre-flight names it).
  virtual std::string binary() const = 0;
  virtual std::string package() const = 0;
  // Its command line's arguments; the first names it uniquely on its host (the mark).
  virtual std::vector<std::string> args() const = 0;
  // Dirs under install_dir(): root's (configs) and the service user's (data, log).
  virtual std::vector<std::string> root_dirs() const = 0;
  virtual std::vector<std::string> user_dirs() const = 0;
  // Its log file, in one of user_dirs().
  virtual std::string log_file() const = 0;
  // After a running daemon's files changed that it re-reads on a signal (ReadBy::zkctl).
  virtual util::Result<void> reload(remote::Remote&, std::chrono::seconds) const { return {}; }
  // The file recording its arguments: a change restarts it (ReadBy::service).
  render::RenderedFile args_file() const;

  const inventory::Node& node_;
  const inventory::Cluster& cluster_;
  DaemonFacts facts_;
};

// The nodes of one monitoring kind: no gates (nothing serves clients), restarted one at a time,
// stopped all at once.
class DaemonTier : public Tier {
 public:
  std::string restart_order_text() const override { return "one at a time, no gate"; }
  util::Result<void> restart_one(Context& ctx, const Component& node) override;
  std::vector<StopGroup> stop_groups(Context& ctx) override;
  std::optional<std::string> leave_refusal(Context&, const Component&,
                                           const std::string&) override {
    return std::nullopt;
  }
  std::string ready_text(Context&, const Component& node) override;
  const std::string& distribution() const override;

 protected:
  // The daemons, in inventory order.
  virtual std::vector<DaemonComponent*> daemons() = 0;
};

// The inventory node a daemon on `host` runs as: the cluster's [ssh] (with the overrides of the
// first ZooKeeper server or Kafka node on that host), [service], `install_dir`, id `id`.
inventory::Node daemon_node(const inventory::Cluster& cluster, const std::string& host,
                            const std::string& install_dir, int id);

}  // namespace zkctl::ops
