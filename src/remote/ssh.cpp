#include "remote/ssh.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <vector>

#include "remote/jump.hpp"
#include "remote/ssh_config.hpp"
#include "remote/ssh_handles.hpp"
#include "remote/ssh_remote.hpp"
#include "util/trace.hpp"

namespace zkctl::remote {
namespace detail {

void ensure_libssh_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

std::string one_line(std::string message) {
  std::replace_if(
      message.begin(), message.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())) != 0) {
    message.pop_back();
  }
  return message;
}

std::string session_error(ssh_session session) {
  const char* e = session != nullptr ? ssh_get_error(session) : nullptr;
  std::string text = one_line(e != nullptr ? e : "");
  return text.empty() ? "unknown error" : text;
}

}  // namespace detail

namespace {

using detail::KeyPtr;
using detail::one_line;
using detail::session_error;
using detail::SessionPtr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// known_hosts reads and appends from parallel connections go one at a time.
std::mutex known_hosts_mutex;

std::string label_of(const SshOptions& o) {
  return o.label.empty() ? o.host : o.label;
}

// Time left of a budget that started at construction.
class Deadline {
 public:
  explicit Deadline(std::chrono::seconds budget) : end_(Clock::now() + budget) {}
  milliseconds left() const {
    return std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(end_ - Clock::now()));
  }

 private:
  Clock::time_point end_;
};

// Bound each following blocking libssh step by `t` (at least 1 ms).
void set_timeout(ssh_session s, milliseconds t) {
  const long ms = std::max<long>(1, static_cast<long>(t.count()));
  long sec = ms / 1000;
  long usec = (ms % 1000) * 1000;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

std::string key_type_name(const ssh_key key) {
  switch (ssh_key_type(key)) {
    case SSH_KEYTYPE_ED25519:
      return "ED25519";
    case SSH_KEYTYPE_RSA:
      return "RSA";
    case SSH_KEYTYPE_DSS:
      return "DSA";
    case SSH_KEYTYPE_ECDSA:
    case SSH_KEYTYPE_ECDSA_P256:
    case SSH_KEYTYPE_ECDSA_P384:
    case SSH_KEYTYPE_ECDSA_P521:
      return "ECDSA";
    case SSH_KEYTYPE_SK_ED25519:
      return "ED25519-SK";
    case SSH_KEYTYPE_SK_ECDSA:
      return "ECDSA-SK";
    default: {
      const char* t = ssh_key_type_to_char(ssh_key_type(key));
      std::string name = t != nullptr ? t : "UNKNOWN";
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return name;
    }
  }
}

// The server's host key of a connected session.
util::Result<HostKey> server_host_key(ssh_session s, const std::string& label) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(s, &raw) != SSH_OK) {
    return util::fail(label + ": cannot read the server's host key: " + session_error(s));
  }
  KeyPtr key(raw);
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0) {
    return util::fail(label + ": cannot hash the server's host key");
  }
  char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
  ssh_clean_pubkey_hash(&hash);
  if (fp == nullptr) return util::fail(label + ": cannot format the host key fingerprint");
  HostKey out{key_type_name(key.get()), fp};
  ssh_string_free_char(fp);
  return out;
}

util::Result<void> verify_host_key(ssh_session s, const SshOptions& o, const std::string& label,
                                   const std::string& known_hosts) {
  auto key = server_host_key(s, label);
  if (!key) return key.error();

  std::lock_guard lock(known_hosts_mutex);
  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      return {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return util::fail(label + ": host key CHANGED (" + to_string(*key) +
                        ") — possible man-in-the-middle; refusing. Remove the old entry from " +
                        known_hosts + " if the change is expected");
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (o.host_key_policy != HostKeyPolicy::accept_new) {
        return util::fail(label + ": host key not known (" + to_string(*key) +
                          "); re-run with --accept-new-host-keys to trust and record it");
      }
      if (ssh_session_update_known_hosts(s) != SSH_OK) {
        return util::fail(label + ": cannot record the host key in " + known_hosts + ": " +
                          session_error(s));
      }
      return {};
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return util::fail(label + ": cannot check the host key against " + known_hosts + ": " +
                        session_error(s));
  }
}

// Minimal base64 decoder (skips anything outside the alphabet).
std::string base64_decode(const std::string& in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=')
      break;
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// True if the private key file at `path` is protected by a passphrase.
bool key_file_is_encrypted(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  text.resize(64 * 1024);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.find("ENCRYPTED") != std::string::npos) return true;  // PEM / PKCS#8
  const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
  const auto b = text.find(begin);
  if (b == std::string::npos) return false;
  const auto e = text.find("-----END", b + begin.size());
  const std::string blob = base64_decode(text.substr(b + begin.size(), e - b - begin.size()));
  const std::string magic("openssh-key-v1\0", 15);
  if (blob.size() < magic.size() + 4 || blob.compare(0, magic.size(), magic) != 0) return false;
  std::uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(blob[magic.size() + i]);
  return blob.compare(magic.size() + 4, len, "none") != 0;
}

util::Result<void> authenticate(ssh_session s, const ResolvedSsh& o, const std::string& label) {
  const std::string as = label + ": authentication as " + o.user + " failed";
  std::vector<std::string> tried;

  auto check = [&](int rc, const std::string& what) -> util::Result<bool> {
    switch (rc) {
      case SSH_AUTH_SUCCESS:
        return true;
      case SSH_AUTH_DENIED:
        tried.push_back(what + " (rejected)");
        return false;
      case SSH_AUTH_PARTIAL:
        tried.push_back(what + " (accepted, but the server wants more methods)");
        return false;
      default:
        return util::fail(as + " while trying " + what + ": " + session_error(s));
    }
  };

  if (o.identity_file.empty()) {
    auto ok = check(ssh_userauth_publickey_auto(s, nullptr, nullptr),
                    "ssh-agent and default keys ~/.ssh/id_ed25519, id_ecdsa, id_rsa");
    if (!ok) return ok.error();
    if (*ok) return {};
  } else {
    const std::string& path = o.identity_file;
    ssh_key raw = nullptr;
    const int rc = ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &raw);
    KeyPtr key(raw);
    if (rc == SSH_EOF) {
      tried.push_back("key " + path + " (cannot read it)");
    } else if (rc != SSH_OK) {
      tried.push_back("key " + path +
                      (key_file_is_encrypted(path)
                           ? " (passphrase-protected, not supported: add it to ssh-agent)"
                           : " (not a private key libssh can read)"));
    } else {
      auto ok = check(ssh_userauth_publickey(s, nullptr, key.get()), "key " + path);
      if (!ok) return ok.error();
      if (*ok) return {};
    }
    const char* agent = std::getenv("SSH_AUTH_SOCK");
    if (agent == nullptr || *agent == '\0') {
      tried.push_back("ssh-agent (SSH_AUTH_SOCK not set)");
    } else {
      auto ok = check(ssh_userauth_agent(s, nullptr), "ssh-agent");
      if (!ok) return ok.error();
      if (*ok) return {};
    }
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : "; ") + t;
  return util::fail(as + "; tried " + list);
}

// A session connected and through key exchange, bounded by `deadline`, and the
// jump tunnel it runs through (null when direct).
struct OpenSession {
  SessionPtr session;
  ResolvedSsh resolved;
  std::shared_ptr<detail::JumpTunnel> tunnel;
};

util::Result<OpenSession> open_session(const SshOptions& o, const Deadline& deadline,
                                       int depth = 0);

// The authenticated session of the jump host `jump` of `target` (whose options give
// the config file, known_hosts, host-key policy and the fallback identity).
util::Result<OpenSession> connect_jump(const SshOptions& target, const ResolvedSsh& resolved,
                                       const Deadline& deadline, int depth) {
  const JumpHost& jump = *resolved.jump;
  const std::string label = label_of(target);
  if (depth >= 8) return util::fail(label + ": more than 8 jump hosts (a ProxyJump loop?)");
  SshOptions j;
  j.host = jump.host;
  j.user = jump.user;
  j.port = jump.port;
  j.config_file = resolved.config_file.empty() ? "none" : resolved.config_file;
  j.known_hosts_file = target.known_hosts_file;
  j.host_key_policy = target.host_key_policy;
  j.local_commands = target.local_commands;
  j.label = label + " (jump host " + jump.host + ")";
  auto open = open_session(j, deadline, depth + 1);
  if (!open) return open.error();
  ssh_session s = open->session.get();
  const std::string known_hosts =
      detail::expand_home(j.known_hosts_file.empty() ? "~/.ssh/known_hosts" : j.known_hosts_file);
  if (auto r = verify_host_key(s, j, j.label, known_hosts); !r) return r.error();
  // Without an identity of its own, the jump host is offered the target's.
  if (open->resolved.identity_file.empty()) open->resolved.identity_file = resolved.identity_file;
  set_timeout(s, deadline.left());
  if (auto r = authenticate(s, open->resolved, j.label); !r) return r.error();
  return open;
}

util::Result<OpenSession> open_session(const SshOptions& o, const Deadline& deadline, int depth) {
  detail::ensure_libssh_initialized();
  const std::string label = label_of(o);
  OpenSession out;
  out.session.reset(ssh_new());
  if (!out.session) return util::fail(label + ": cannot allocate an SSH session");
  ssh_session s = out.session.get();
  auto resolved = detail::configure_session(s, o);
  if (!resolved) return resolved.error();
  out.resolved = std::move(*resolved);
  if (out.resolved.jump) {
    auto jump = connect_jump(o, out.resolved, deadline, depth);
    if (!jump) return jump.error();
    auto tunnel = detail::JumpTunnel::open(std::move(jump->session), std::move(jump->tunnel),
                                           out.resolved.hostname, out.resolved.port, label);
    if (!tunnel) return tunnel.error();
    out.tunnel = std::move(*tunnel);
    // From here the session owns the socket (ssh_free closes it).
    socket_t fd = out.tunnel->release_fd();
    if (ssh_options_set(s, SSH_OPTIONS_FD, &fd) != SSH_OK) {
      ::close(fd);
      return util::fail(label + ": cannot use the jump host's connection: " + session_error(s));
    }
  }
  set_timeout(s, deadline.left());
  util::trace(label, "ssh connect " + out.resolved.user + "@" + out.resolved.hostname + " port " +
                         std::to_string(out.resolved.port) +
                         (out.resolved.jump ? " through " + out.resolved.jump->host : ""));
  if (ssh_connect(s) != SSH_OK) {
    return util::fail(label + ": cannot connect to " + out.resolved.hostname + " port " +
                      std::to_string(out.resolved.port) +
                      (out.resolved.jump ? " through jump host " + out.resolved.jump->host : "") +
                      ": " + session_error(s));
  }
  return out;
}

// `sudo -n true` on the host: fails with one line naming the host when sudo is
// missing or wants a password.
util::Result<void> check_sudo(Remote& remote, const std::string& user,
                              std::chrono::seconds timeout) {
  auto r = remote.run("true", timeout);
  if (!r) return r.error();
  if (r->exit_status == 0) return {};
  return util::fail(detail::sudo_failure(remote.host(), user, r->exit_status, r->err));
}

}  // namespace

std::string to_string(const HostKey& key) {
  return key.type + " " + key.fingerprint;
}

util::Result<HostKey> scan_host_key(const SshOptions& options) {
  const Deadline deadline(std::chrono::seconds(options.connect_timeout_s));
  auto s = open_session(options, deadline);
  if (!s) return s.error();
  return server_host_key(s->session.get(), label_of(options));
}

util::Result<std::unique_ptr<Remote>> connect_ssh(const SshOptions& options) {
  const std::string label = label_of(options);
  const Deadline deadline(std::chrono::seconds(options.connect_timeout_s));
  auto s = open_session(options, deadline);
  if (!s) return s.error();
  ssh_session session = s->session.get();

  const std::string known_hosts = detail::expand_home(
      options.known_hosts_file.empty() ? "~/.ssh/known_hosts" : options.known_hosts_file);
  if (auto r = verify_host_key(session, options, label, known_hosts); !r) return r.error();

  if (deadline.left().count() <= 0) {
    return util::fail(label + ": timed out after " + std::to_string(options.connect_timeout_s) +
                      "s before authentication");
  }
  set_timeout(session, deadline.left());
  if (auto r = authenticate(session, s->resolved, label); !r) return r.error();

  const auto io_timeout = std::chrono::seconds(std::max(1, options.io_timeout_s));
  set_timeout(session, io_timeout);
  // The session is freed before the tunnel it runs through.
  detail::SharedSession shared(s->session.release(),
                               [tunnel = std::move(s->tunnel)](ssh_session raw) mutable {
                                 detail::SessionFree{}(raw);
                                 tunnel.reset();
                               });
  auto remote = std::make_unique<detail::SshRemote>(label, std::move(shared), io_timeout,
                                                    options.become, s->resolved.user);
  if (options.become == Become::sudo) {
    if (auto r = check_sudo(*remote, s->resolved.user, io_timeout); !r) return r.error();
  }
  return std::unique_ptr<Remote>(std::move(remote));
}

}  // namespace zkctl::remote
