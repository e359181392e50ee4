#pragma once
// The libssh implementation of Remote.

#include <memory>
#include <string>

#include "remote/remote.hpp"
#include "util/result.hpp"

namespace zkctl::remote {

enum class HostKeyPolicy {
  strict,      // unknown or changed key: refuse
  accept_new,  // unknown key: accept and record in known_hosts; changed key: refuse
};

struct SshOptions {
  std::string host;              // name or address to connect to
  int port = 22;
  std::string user = "root";
  std::string identity_file;     // empty: ssh-agent, then ~/.ssh/id_* defaults
  std::string known_hosts_file;  // empty: ~/.ssh/known_hosts
  HostKeyPolicy host_key_policy = HostKeyPolicy::strict;
  int connect_timeout_s = 10;    // bound on TCP connect, key exchange and auth
};

// Connect and authenticate. Errors are one line naming the host, e.g.
// "node3: host key unknown (SHA256:...); re-run with --accept-new-host-keys to trust it".
util::Result<std::unique_ptr<Remote>> connect_ssh(const SshOptions& options);

}  // namespace zkctl::remote
