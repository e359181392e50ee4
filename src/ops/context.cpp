#include "ops/context.hpp"

#include "plan/runner.hpp"

namespace zkctl::ops {

remote::SshOptions ssh_options_for(const inventory::Server& server, const Options& options) {
  remote::SshOptions o;
  o.host = server.host;
  o.port = server.ssh.port;
  o.user = server.ssh.user;
  o.identity_file = server.ssh.identity_file;
  o.known_hosts_file = server.ssh.known_hosts_file;
  o.host_key_policy = options.host_keys;
  o.connect_timeout_s =
      options.connect_timeout_s > 0 ? options.connect_timeout_s : server.ssh.connect_timeout_s;
  return o;
}

Context::Context(const inventory::Cluster& cluster, Options options, plan::Progress& progress)
    : cluster_(cluster), options_(options), progress_(progress) {
  connections_.resize(cluster_.servers.size());
}

std::chrono::seconds Context::command_timeout(const inventory::Server& s) const {
  return std::chrono::seconds(options_.command_timeout_s > 0 ? options_.command_timeout_s
                                                             : s.ssh.command_timeout_s);
}

namespace {
std::size_t index_of(const inventory::Cluster& c, const inventory::Server& s) {
  return static_cast<std::size_t>(&s - c.servers.data());
}
}  // namespace

std::vector<Connection*> Context::connect(const std::vector<const inventory::Server*>& servers) {
  std::vector<Connection*> out(servers.size());
  plan::parallel_for(servers.size(), std::max(1, options_.parallel), [&](std::size_t i) {
    std::size_t idx = index_of(cluster_, *servers[i]);
    if (!connections_[idx]) {
      auto c = std::make_unique<Connection>();
      c->server = servers[i];
      auto r = remote::connect_ssh(ssh_options_for(*servers[i], options_));
      if (r) {
        c->remote = std::move(r.value());
      } else {
        c->error = r.error().message;
      }
      connections_[idx] = std::move(c);
    }
    out[i] = connections_[idx].get();
  });
  return out;
}

Connection& Context::connection(const inventory::Server& server) {
  std::size_t idx = index_of(cluster_, server);
  if (!connections_[idx]) connect({&server});
  return *connections_[idx];
}

}  // namespace zkctl::ops
