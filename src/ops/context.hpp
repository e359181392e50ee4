#pragma once
// What every operation needs: the cluster, command-wide options, progress,
// and SSH connections (one per server, opened concurrently, reused by every
// step of the command).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "plan/progress.hpp"
#include "remote/remote.hpp"
#include "remote/ssh.hpp"
#include "render/engine.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

struct Options {
  int parallel = 16;                           // most hosts worked on at once
  remote::HostKeyPolicy host_keys = remote::HostKeyPolicy::strict;
  std::chrono::milliseconds probe_timeout{3000};  // one srvr/mntr exchange
  std::chrono::seconds wait_timeout{120};      // waiting for a node to serve in its role
  std::chrono::seconds stop_grace{30};         // SIGTERM -> SIGKILL
  int connect_timeout_s = 0;                   // >0 overrides the inventory's [ssh]
  int command_timeout_s = 0;                   // >0 overrides the inventory's [ssh]
  render::RenderOptions templates;             // user template overrides ($ZKCTL_TEMPLATES)
};

// One server's connection, or why there is none.
struct Connection {
  const inventory::Server* server = nullptr;
  std::unique_ptr<remote::Remote> remote;  // null when connecting failed
  std::string error;
};

class Context {
 public:
  Context(const inventory::Cluster& cluster, Options options, plan::Progress& progress);

  const inventory::Cluster& cluster() const { return cluster_; }
  const Options& options() const { return options_; }
  plan::Progress& progress() { return progress_; }
  std::chrono::seconds command_timeout(const inventory::Server& s) const;

  // Connect to every server in `servers` not yet connected, concurrently.
  // Returns the connections in the same order (failed ones carry `error`).
  std::vector<Connection*> connect(const std::vector<const inventory::Server*>& servers);
  // The connection for `server` (connecting if needed).
  Connection& connection(const inventory::Server& server);

 private:
  const inventory::Cluster& cluster_;
  Options options_;
  plan::Progress& progress_;
  std::vector<std::unique_ptr<Connection>> connections_;  // parallel to cluster_.servers
};

remote::SshOptions ssh_options_for(const inventory::Server& server, const Options& options);

}  // namespace zkctl::ops
