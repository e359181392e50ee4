#include "remote/ssh_config.hpp"

#include <glob.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
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

// Split a config line into tokens as libssh does: blanks and one `=` separate, a
// "quoted block" is one token.
std::vector<std::string> config_tokens(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  const auto blank = [&](std::size_t k) { return line[k] == ' ' || line[k] == '\t'; };
  while (i < line.size()) {
    while (i < line.size() && (blank(i) || line[i] == '=' || line[i] == '\r')) ++i;
    if (i >= line.size()) break;
    std::string tok;
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) tok += line[i];
      ++i;
    } else {
      for (; i < line.size() && !blank(i) && line[i] != '=' && line[i] != '\r'; ++i) tok += line[i];
    }
    out.push_back(tok);
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The files an `Include` argument names, as libssh would look for them (and, for a
// relative name, also where a global config would).
std::vector<std::string> include_paths(const std::string& arg) {
  std::vector<std::string> patterns;
  if (arg.rfind('/', 0) == 0 || arg.rfind('~', 0) == 0) {
    patterns.push_back(expand_home(arg));
  } else {
    patterns.push_back(expand_home("~/.ssh/" + arg));
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
      patterns.push_back(std::string(pw->pw_dir) + "/.ssh/" + arg);  // libssh's own idea of ~
    }
    patterns.push_back("/etc/ssh/" + arg);
  }
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    glob_t g{};
    if (::glob(p.c_str(), 0, nullptr, &g) == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  return out;
}

std::optional<LocalCommandLine> scan_config(const std::string& path, LocalCommandKind kind,
                                            int depth) {
  if (depth > 16) return std::nullopt;
  std::ifstream in(path);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const auto tokens = config_tokens(line);
    if (tokens.empty() || tokens[0].empty() || tokens[0][0] == '#') continue;
    const std::string keyword = lower(tokens[0]);
    if (keyword == "include") {
      for (std::size_t i = 1; i < tokens.size(); ++i)
        for (const auto& file : include_paths(tokens[i]))
          if (auto hit = scan_config(file, kind, depth + 1)) return hit;
    } else if (kind == LocalCommandKind::proxy_command && keyword == "proxycommand") {
      if (tokens.size() > 1 && lower(tokens[1]) != "none")
        return LocalCommandLine{path, number, "ProxyCommand"};
    } else if (kind == LocalCommandKind::match_exec && keyword == "match") {
      for (std::size_t i = 1; i < tokens.size(); ++i) {
        std::string criterion = lower(tokens[i]);
        if (!criterion.empty() && criterion[0] == '!') criterion.erase(0, 1);
        if (criterion == "exec") return LocalCommandLine{path, number, "Match exec"};
      }
    }
  }
  return std::nullopt;
}

// "node1: the ssh config file F line N has ProxyCommand, ..." for a refused config.
util::Error local_command_refusal(const std::string& label, const std::string& config,
                                  const std::optional<LocalCommandLine>& hit, const char* what) {
  const std::string where = hit ? hit->file + " line " + std::to_string(hit->line) : config;
  return util::Error{label + ": the ssh config " + where + " has " +
                     (hit ? hit->what : std::string(what)) +
                     ", which would run a command on this machine; zkctl runs no local "
                     "command from an ssh config unless --allow-proxy-command is given "
                     "(ProxyJump needs no flag)"};
}

// The config's ProxyCommand for this host: libssh's form of a ProxyJump becomes
// `out.jump` (taken out of the session); any other is refused unless allowed.
util::Result<void> apply_proxy(ssh_session s, const SshOptions& o, const std::string& label,
                               ResolvedSsh& out) {
  const std::string proxy = get_option(s, SSH_OPTIONS_PROXYCOMMAND);
  if (proxy.empty()) return {};
  bool more_hops = false;
  if (auto jump = parse_jump_command(proxy, &more_hops)) {
    if (more_hops) {
      return util::fail(label + ": ProxyJump in " + out.config_file +
                        " names more than one jump host; zkctl follows one (give the jump "
                        "host its own ProxyJump line to chain)");
    }
    out.jump = *jump;
    return set_option(s, SSH_OPTIONS_PROXYCOMMAND, "none", label, "ProxyCommand");
  }
  if (o.local_commands == LocalCommands::refuse) {
    return local_command_refusal(
        label, out.config_file,
        find_local_command(out.config_file, LocalCommandKind::proxy_command), "ProxyCommand");
  }
  out.proxy_command = proxy;
  return {};
}

}  // namespace

std::optional<LocalCommandLine> find_local_command(const std::string& path, LocalCommandKind kind) {
  return scan_config(path, kind, 0);
}

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
  if (!out.config_file.empty() &&
      o.local_commands == LocalCommands::refuse) {  // libssh runs `Match exec` while parsing
    if (auto hit = find_local_command(out.config_file, LocalCommandKind::match_exec)) {
      return local_command_refusal(label, out.config_file, hit, "Match exec");
    }
  }
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

  if (auto r = apply_proxy(s, o, label, out); !r) return r.error();
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
