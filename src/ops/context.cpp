#include "ops/context.hpp"

#include <algorithm>

#include "render/security.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

namespace {
remote::SshOptions ssh_options(const std::string& host, const inventory::SshSettings& ssh,
                               const Options& options) {
  remote::SshOptions o;
  o.host = host;
  o.port = ssh.port;
  o.user = ssh.user;
  o.identity_file = ssh.identity_file;
  o.config_file = ssh.config_file;
  o.become = ssh.become == inventory::Become::sudo ? remote::Become::sudo : remote::Become::none;
  o.known_hosts_file = ssh.known_hosts_file;
  o.host_key_policy = options.host_keys;
  o.local_commands = options.local_commands;
  o.connect_timeout_s =
      options.connect_timeout_s > 0 ? options.connect_timeout_s : ssh.connect_timeout_s;
  return o;
}
}  // namespace

remote::SshOptions ssh_options_for(const inventory::Node& node, const Options& options) {
  return ssh_options(node.host, node.ssh, options);
}

Context::Context(const inventory::Cluster& cluster, Options options, runner::Progress& progress)
    : cluster_(cluster),
      options_(std::move(options)),
      progress_(progress),
      sessions_(std::make_shared<Sessions>()) {}

Context::Context(const inventory::Cluster& view, Context& parent)
    : cluster_(view),
      options_(parent.options_),
      progress_(parent.progress_),
      sessions_(parent.sessions_) {}

std::chrono::seconds Context::command_timeout(const inventory::Server& s) const {
  return std::chrono::seconds(options_.command_timeout_s > 0 ? options_.command_timeout_s
                                                             : s.ssh.command_timeout_s);
}

std::chrono::seconds Context::command_timeout(const inventory::KafkaNode& n) const {
  return std::chrono::seconds(options_.command_timeout_s > 0 ? options_.command_timeout_s
                                                             : n.ssh.command_timeout_s);
}

std::chrono::milliseconds Context::probe_timeout_at_least(std::chrono::milliseconds floor) const {
  return std::max(options_.probe_timeout, floor);
}

std::chrono::milliseconds Context::admin_timeout() const {
  return probe_timeout_at_least(std::chrono::milliseconds(5000));
}

util::Result<ClusterPki*> Context::pki() const {
  std::lock_guard lock(sessions_->mu);
  if (!sessions_->pki && sessions_->pki_error.empty()) {
    auto p = ClusterPki::open(cluster_, options_.pki_use);
    if (p)
      sessions_->pki = std::move(*p);
    else
      sessions_->pki_error = p.error().message;
  }
  if (!sessions_->pki) return util::fail(sessions_->pki_error);
  return sessions_->pki.get();
}

util::Result<std::optional<render::TlsMaterial>> Context::tls_material(
    const char* identity, const inventory::Node& node) const {
  if (!render::holds_tls_files(cluster_)) return std::optional<render::TlsMaterial>();
  auto p = pki();
  if (!p) {
    if (options_.pki_use == PkiUse::issue) return util::fail(p.error().message);
    return std::optional<render::TlsMaterial>();  // plan/check before the first deploy
  }
  auto m = (*p)->node_tls(identity, node);
  if (!m) {
    if (options_.pki_use == PkiUse::issue) return util::fail(m.error().message);
    return std::optional<render::TlsMaterial>();
  }
  return std::optional<render::TlsMaterial>(std::move(*m));
}

Connection& Context::slot(const NodeKey& key) {
  std::lock_guard lock(sessions_->mu);
  auto& c = sessions_->by_node[key];
  if (!c) c = std::make_unique<Connection>();
  return *c;
}

std::vector<Connection*> Context::connect_all(const std::vector<NodeKey>& keys,
                                              const std::vector<remote::SshOptions>& options) {
  std::vector<Connection*> out(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) out[i] = &slot(keys[i]);
  runner::parallel_for(keys.size(), std::max(1, options_.parallel), [&](std::size_t i) {
    Connection& c = *out[i];
    if (c.remote || !c.error.empty()) return;  // connected, or already failed this command
    c.host = options[i].host;
    auto r = options_.connector ? options_.connector(options[i]) : remote::connect_ssh(options[i]);
    if (r) {
      c.remote = std::move(r.value());
    } else {
      c.error = r.error().message;
    }
  });
  return out;
}

std::vector<Connection*> Context::connect_nodes(NodeKind kind,
                                                const std::vector<const inventory::Node*>& nodes) {
  std::vector<NodeKey> keys;
  std::vector<remote::SshOptions> opts;
  for (const auto* n : nodes) {
    keys.push_back({kind, n->host, n->id});
    opts.push_back(ssh_options_for(*n, options_));
  }
  return connect_all(keys, opts);
}

std::vector<Connection*> Context::connect(const std::vector<const inventory::Server*>& servers) {
  return connect_nodes(NodeKind::zookeeper, {servers.begin(), servers.end()});
}

std::vector<Connection*> Context::connect(const std::vector<const inventory::KafkaNode*>& nodes) {
  return connect_nodes(NodeKind::kafka, {nodes.begin(), nodes.end()});
}

Connection& Context::connection(const inventory::Server& server) {
  return *connect(std::vector<const inventory::Server*>{&server})[0];
}

Connection& Context::connection(const inventory::KafkaNode& node) {
  return *connect(std::vector<const inventory::KafkaNode*>{&node})[0];
}

Connection& Context::connection(NodeKind kind, const inventory::Node& node) {
  return *connect_nodes(kind, {&node})[0];
}

std::chrono::seconds Context::command_timeout(const inventory::Node& n) const {
  return std::chrono::seconds(options_.command_timeout_s > 0 ? options_.command_timeout_s
                                                             : n.ssh.command_timeout_s);
}

}  // namespace zkctl::ops
