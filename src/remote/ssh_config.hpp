#pragma once
// One host's SSH settings after the ssh config file (OpenSSH's ssh_config(5) format,
// read with libssh's own parser), with the precedence OpenSSH users expect: values
// given explicitly in SshOptions > the config file > zkctl's defaults (root, port 22,
// ssh-agent and ~/.ssh default keys).

#include <libssh/libssh.h>

#include <optional>
#include <string>

#include "remote/ssh.hpp"
#include "util/result.hpp"

namespace zkctl::remote {

// The jump host of a `ProxyJump [user@]host[:port]` line.
struct JumpHost {
  std::string host;  // as written: may itself be a Host alias of the config
  std::string user;  // empty: not given (the jump host's own config, else root)
  int port = 0;      // 0: not given (the jump host's own config, else 22)
};

// Where one host's connection goes.
struct ResolvedSsh {
  std::string hostname;          // what is connected to and looked up in known_hosts
                                 // (the config's HostName, else the host)
  int port = 22;                 // explicit > config > 22
  std::string user;              // explicit > config > root
  std::string identity_file;     // explicit > config; empty: ssh-agent and default keys
  std::string config_file;       // the config file read; empty: none
  std::optional<JumpHost> jump;  // the config's ProxyJump (a single jump host)
  std::string proxy_command;     // the config's ProxyCommand (run by libssh); empty: none
};

// Resolve `options` against its ssh config file without connecting. Fails (one line
// naming the host) when a config file named explicitly cannot be read, when a
// ProxyJump lists more than one jump host, or, unless `options.local_commands` allows
// it, when the config (or a file it Includes) has a `Match exec` line anywhere or gives
// this host a ProxyCommand: both run a command on this machine (libssh runs `Match exec`
// while parsing, so that check comes first).
util::Result<ResolvedSsh> resolve_ssh_config(const SshOptions& options);

namespace detail {

// A config line that runs a command on this machine.
struct LocalCommandLine {
  std::string file;  // the config file or a file it Includes
  int line = 0;      // 1-based
  std::string what;  // "ProxyCommand" or "Match exec"
};
enum class LocalCommandKind { proxy_command, match_exec };

// The first line of `kind` in config `path` or the files it Includes (globs; relative
// names under ~/.ssh and /etc/ssh; at most 16 levels), whatever Host or Match block it
// is in: keywords in any case, `=` or blanks before the value, quoted or not; a
// `ProxyCommand none` does not count. nullopt when there is none.
std::optional<LocalCommandLine> find_local_command(const std::string& path, LocalCommandKind kind);

// Apply `options` to the fresh session `s` (host, config file, explicit values,
// known_hosts files) and return what it resolved to. A ProxyJump is taken out of the
// session (libssh 0.10 would run `ssh -W` for it): the caller tunnels through the jump.
util::Result<ResolvedSsh> configure_session(ssh_session s, const SshOptions& options);

// "~", "~/x" and a leading "%d/" become paths under $HOME; anything else is unchanged.
std::string expand_home(const std::string& path);

}  // namespace detail
}  // namespace zkctl::remote
