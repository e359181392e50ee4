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
  std::string host;  // name or address to connect to
  int port = 22;
  std::string user = "root";
  std::string identity_file;     // empty: ssh-agent, then ~/.ssh/id_* defaults
  std::string known_hosts_file;  // empty: ~/.ssh/known_hosts; a leading ~ is expanded
  HostKeyPolicy host_key_policy = HostKeyPolicy::strict;
  int connect_timeout_s = 10;  // bound on TCP connect, key exchange and auth together
  int io_timeout_s = 60;       // bound on one blocking SSH/SFTP step after connect
                               // (run() has its own per-command timeout)
  std::string label;           // name used in messages and Remote::host(); empty: `host`
};

// Connect and authenticate. Errors are one line naming the host, e.g.
// "node3: host key not known (ED25519 SHA256:...); re-run with --accept-new-host-keys ...".
// On the returned Remote: run() kills a timed-out command's process group
// (SIGTERM) and reports exit_status -1 for a command ended by a signal; uploads
// need the destination directory to exist.
util::Result<std::unique_ptr<Remote>> connect_ssh(const SshOptions& options);

// A server's host key as OpenSSH prints it.
struct HostKey {
  std::string type;         // "ED25519", "ECDSA", "RSA", ...
  std::string fingerprint;  // "SHA256:<base64 without padding>"
};

// "ED25519 SHA256:..." for messages.
std::string to_string(const HostKey& key);

// Connect and run the key exchange only (no host-key check, no authentication,
// known_hosts untouched) and return the server's host key, like ssh-keyscan.
util::Result<HostKey> scan_host_key(const SshOptions& options);

}  // namespace zkctl::remote
