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

// How commands and uploads get root rights on the host.
enum class Become {
  none,  // the SSH user does everything itself (usually root)
  sudo,  // every command runs through `sudo -n`; uploads are staged by the SSH user and
         // moved into place by root (temp name beside the destination, then rename)
};

// Whether an ssh config may make zkctl run a command on this machine.
enum class LocalCommands {
  refuse,  // a config with ProxyCommand or `Match exec` is refused (ProxyJump is fine)
  allow,   // --allow-proxy-command: libssh runs them, as OpenSSH would
};

// One host's connection settings. Values left empty/0 here come from the ssh
// config file (OpenSSH's ssh_config(5) format) if it has them, else from zkctl's defaults.
struct SshOptions {
  std::string host;           // name or address as the inventory names it; matched against `Host`
                              // lines of the ssh config, whose `HostName` then replaces it
  int port = 0;               // 0: the config's Port, else 22
  std::string user;           // empty: the config's User, else root
  std::string identity_file;  // empty: the config's IdentityFile, else ssh-agent, then
                              // ~/.ssh/id_* defaults
  std::string config_file;    // empty: ~/.ssh/config if it exists; "none": no config file
  std::string known_hosts_file;  // empty: ~/.ssh/known_hosts; a leading ~ is expanded
  HostKeyPolicy host_key_policy = HostKeyPolicy::strict;  // also applies to a jump host
  Become become = Become::none;
  int connect_timeout_s = 10;  // bound on TCP connect, key exchange and auth together
                               // (a jump host's included)
  int io_timeout_s = 60;       // bound on one blocking SSH/SFTP step after connect
                               // (run() has its own per-command timeout)
  std::string label;           // name used in messages and Remote::host(); empty: `host`
  LocalCommands local_commands = LocalCommands::refuse;  // ProxyCommand / Match exec
};

// Connect and authenticate. Errors are one line naming the host, e.g.
// "node3: host key not known (ED25519 SHA256:...); re-run with --accept-new-host-keys ...".
// A ProxyJump in the ssh config is followed natively: the jump host gets the same
// known_hosts file and host-key policy as the target. With Become::sudo, `sudo -n true`
// must succeed or connecting fails ("sudo on node1 needs a password; ...").
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
