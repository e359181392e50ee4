#include "remote/ssh_config.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "remote/ssh_handles.hpp"

namespace zkctl::remote {
namespace detail {

namespace {

std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    return pw->pw_dir;
  }
  return "";
}

std::string label_of(const SshOptions& o) {
  return o.label.empty() ? o.host : o.label;
}

util::Result<void> set_option(ssh_session s, ssh_options_e opt, const void* value,
                              const std::string& label, const char* what) {
  if (ssh_options_set(s, opt, value) != SSH_OK) {
    return util::fail(label + ": invalid SSH option " + what + ": " + session_error(s));
  }
  return {};
}

// A string option of `s`; empty when unset.
std::string get_option(ssh_session s, ssh_options_e opt) {
  char* value = nullptr;
  if (ssh_options_get(s, opt, &value) != SSH_OK || value == nullptr) return "";
  std::string out = value;
  ssh_string_free_char(value);
  return out;
}

bool readable(const std::string& path) {
  std::ifstream in(path);
  return static_cast<bool>(in);
}

// libssh 0.10 turns `ProxyJump [user@]host[:port][,more]` into the ProxyCommand
// "ssh [-l user] [-p port] [-J more] -W '[%h]:%p' host". Recognise exactly that form;
// nullopt for anything else (a ProxyCommand the user wrote). `more_hops` is set when
// the line named several jump hosts.
std::optional<JumpHost> parse_jump_command(const std::string& command, bool* more_hops) {
  std::istringstream in(command);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() < 4 || words[0] != "ssh") return std::nullopt;
  JumpHost jump;
  bool saw_w = false;
  std::size_t i = 1;
  for (; i + 1 < words.size(); i += 2) {
    const std::string& flag = words[i];
    const std::string& value = words[i + 1];
    if (flag == "-l") {
      jump.user = value;
    } else if (flag == "-p") {
      try {
        jump.port = std::stoi(value);
      } catch (...) {
        return std::nullopt;
      }
    } else if (flag == "-J") {
      *more_hops = true;
    } else if (flag == "-W" && value == "'[%h]:%p'") {
      saw_w = true;
    } else {
      return std::nullopt;
    }
  }
  if (!saw_w || i + 1 != words.size()) return std::nullopt;
  jump.host = words[i];
  return jump;
}

}  // namespace

std::string expand_home(const std::string& path) {
  if (path == "~") return home_dir();
  if (path.rfind("~/", 0) == 0) return home_dir() + path.substr(1);
  if (path.rfind("%d/", 0) == 0) return home_dir() + path.substr(2);
  return path;
}

util::Result<ResolvedSsh> configure_session(ssh_session s, const SshOptions& o) {
  const std::string label = label_of(o);
  if (o.host.empty()) return util::fail("ssh: no host given");
  if (o.port < 0 || o.port > 65535) {
    return util::fail(label + ": invalid SSH port " + std::to_string(o.port));
  }
  int verbosity = SSH_LOG_NOLOG;
  ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
  // Without TCP_NODELAY each small request (channel open, SFTP op) can stall
  // ~40 ms on Nagle + delayed ACK.
  int nodelay = 1;
  ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);
  // The host first: the config's Host lines match it.
  if (auto r = set_option(s, SSH_OPTIONS_HOST, o.host.c_str(), label, "host"); !r) return r.error();
  // Only the config file read below counts (ssh_connect() would read the default
  // files itself otherwise).
  bool process_config = false;
  if (auto r = set_option(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config, label, "config"); !r) {
    return r.error();
  }

  ResolvedSsh out;
  if (o.config_file.empty()) {
    const std::string def = expand_home("~/.ssh/config");
    if (readable(def)) out.config_file = def;
  } else if (o.config_file != "none") {
    out.config_file = expand_home(o.config_file);
    if (!readable(out.config_file)) {
      return util::fail(label + ": cannot read the ssh config file " + out.config_file);
    }
  }
  // libssh keeps a default identity list; a config IdentityFile is put in front of it.
  const std::string identity_before = get_option(s, SSH_OPTIONS_IDENTITY);
  if (!out.config_file.empty() && ssh_options_parse_config(s, out.config_file.c_str()) != 0) {
    return util::fail(label + ": cannot parse the ssh config file " + out.config_file + ": " +
                      session_error(s));
  }

  // Config values (or libssh's defaults), then explicit values on top.
  out.hostname = get_option(s, SSH_OPTIONS_HOST);
  if (out.hostname.empty()) out.hostname = o.host;
  unsigned int config_port = 22;
  ssh_options_get_port(s, &config_port);
  out.port = o.port > 0 ? o.port : static_cast<int>(config_port);
  const std::string config_user = get_option(s, SSH_OPTIONS_USER);
  out.user = !o.user.empty() ? o.user : (!config_user.empty() ? config_user : "root");
  const std::string identity_after = get_option(s, SSH_OPTIONS_IDENTITY);
  if (!o.identity_file.empty()) {
    out.identity_file = expand_home(o.identity_file);
  } else if (identity_after != identity_before && !identity_after.empty()) {
    out.identity_file = expand_home(identity_after);
  }

  const unsigned int port = static_cast<unsigned int>(out.port);
  if (auto r = set_option(s, SSH_OPTIONS_PORT, &port, label, "port"); !r) return r.error();
  if (auto r = set_option(s, SSH_OPTIONS_USER, out.user.c_str(), label, "user"); !r) {
    return r.error();
  }
  const std::string known_hosts =
      expand_home(o.known_hosts_file.empty() ? "~/.ssh/known_hosts" : o.known_hosts_file);
  if (auto r = set_option(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str(), label, "known_hosts");
      !r) {
    return r.error();
  }
  // Only the given known_hosts file counts.
  if (auto r =
          set_option(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", label, "global known_hosts");
      !r) {
    return r.error();
  }

  const std::string proxy = get_option(s, SSH_OPTIONS_PROXYCOMMAND);
  if (!proxy.empty()) {
    bool more_hops = false;
    if (auto jump = parse_jump_command(proxy, &more_hops)) {
      if (more_hops) {
        return util::fail(label + ": ProxyJump in " + out.config_file +
                          " names more than one jump host; zkctl follows one (give the jump "
                          "host its own ProxyJump line to chain)");
      }
      out.jump = *jump;
      if (auto r = set_option(s, SSH_OPTIONS_PROXYCOMMAND, "none", label, "ProxyCommand"); !r) {
        return r.error();
      }
    } else {
      out.proxy_command = proxy;
    }
  }
  return out;
}

}  // namespace detail

util::Result<ResolvedSsh> resolve_ssh_config(const SshOptions& options) {
  detail::ensure_libssh_initialized();
  detail::SessionPtr s(ssh_new());
  if (!s) return util::fail(options.host + ": cannot allocate an SSH session");
  return detail::configure_session(s.get(), options);
}

}  // namespace zkctl::remote
