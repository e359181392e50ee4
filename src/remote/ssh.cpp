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

std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    return pw->pw_dir;
  }
  return "";
}

// "~" and "~/x" become paths under $HOME; anything else is returned unchanged.
std::string expand_tilde(const std::string& path) {
  if (path == "~") return home_dir();
  if (path.rfind("~/", 0) == 0) return home_dir() + path.substr(1);
  return path;
}

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

util::Result<void> set_option(ssh_session s, ssh_options_e opt, const void* value,
                              const std::string& label, const char* what) {
  if (ssh_options_set(s, opt, value) != SSH_OK) {
    return util::fail(label + ": invalid SSH option " + what + ": " + session_error(s));
  }
  return {};
}

// Apply `o` to a fresh session. Order matters once ssh_config is read: the
// host goes first, then the config file, then explicit options (which win).
util::Result<void> apply_options(ssh_session s, const SshOptions& o) {
  const std::string label = label_of(o);
  if (o.host.empty()) return util::fail("ssh: no host given");
  if (o.port <= 0 || o.port > 65535) {
    return util::fail(label + ": invalid SSH port " + std::to_string(o.port));
  }
  int verbosity = SSH_LOG_NOLOG;
  ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
  // Without TCP_NODELAY each small request (channel open, SFTP op) can stall
  // ~40 ms on Nagle + delayed ACK.
  int nodelay = 1;
  ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);
  if (auto r = set_option(s, SSH_OPTIONS_HOST, o.host.c_str(), label, "host"); !r) return r;

  // ssh_config is not read yet: keep libssh from reading it implicitly in
  // ssh_connect(). (Reading it belongs here: ssh_options_parse_config(s, path).)
  bool process_config = false;
  if (auto r = set_option(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config, label, "config"); !r) {
    return r;
  }

  const unsigned int port = static_cast<unsigned int>(o.port);
  if (auto r = set_option(s, SSH_OPTIONS_PORT, &port, label, "port"); !r) return r;
  if (!o.user.empty()) {
    if (auto r = set_option(s, SSH_OPTIONS_USER, o.user.c_str(), label, "user"); !r) return r;
  }
  const std::string known_hosts =
      expand_tilde(o.known_hosts_file.empty() ? "~/.ssh/known_hosts" : o.known_hosts_file);
  if (auto r = set_option(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str(), label, "known_hosts");
      !r) {
    return r;
  }
  // Only the given known_hosts file counts.
  if (auto r =
          set_option(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", label, "global known_hosts");
      !r) {
    return r;
  }
  return {};
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

util::Result<void> verify_host_key(ssh_session s, const SshOptions& o,
                                   const std::string& known_hosts) {
  const std::string label = label_of(o);
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

util::Result<void> authenticate(ssh_session s, const SshOptions& o) {
  const std::string label = label_of(o);
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
    const std::string path = expand_tilde(o.identity_file);
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

// A session connected and through key exchange, bounded by `deadline`.
util::Result<SessionPtr> open_session(const SshOptions& o, const Deadline& deadline) {
  detail::ensure_libssh_initialized();
  const std::string label = label_of(o);
  SessionPtr s(ssh_new());
  if (!s) return util::fail(label + ": cannot allocate an SSH session");
  if (auto r = apply_options(s.get(), o); !r) return r.error();
  set_timeout(s.get(), deadline.left());
  util::trace(label, "ssh connect " + o.user + "@" + o.host + " port " + std::to_string(o.port));
  if (ssh_connect(s.get()) != SSH_OK) {
    return util::fail(label + ": cannot connect to " + o.host + " port " + std::to_string(o.port) +
                      ": " + session_error(s.get()));
  }
  return s;
}

}  // namespace

std::string to_string(const HostKey& key) {
  return key.type + " " + key.fingerprint;
}

util::Result<HostKey> scan_host_key(const SshOptions& options) {
  const Deadline deadline(std::chrono::seconds(options.connect_timeout_s));
  auto s = open_session(options, deadline);
  if (!s) return s.error();
  return server_host_key(s->get(), label_of(options));
}

util::Result<std::unique_ptr<Remote>> connect_ssh(const SshOptions& options) {
  const std::string label = label_of(options);
  const Deadline deadline(std::chrono::seconds(options.connect_timeout_s));
  auto s = open_session(options, deadline);
  if (!s) return s.error();
  ssh_session session = s->get();

  const std::string known_hosts = expand_tilde(
      options.known_hosts_file.empty() ? "~/.ssh/known_hosts" : options.known_hosts_file);
  if (auto r = verify_host_key(session, options, known_hosts); !r) return r.error();

  if (deadline.left().count() <= 0) {
    return util::fail(label + ": timed out after " + std::to_string(options.connect_timeout_s) +
                      "s before authentication");
  }
  set_timeout(session, deadline.left());
  if (auto r = authenticate(session, options); !r) return r.error();

  set_timeout(session, std::chrono::seconds(std::max(1, options.io_timeout_s)));
  detail::SharedSession shared(s->release(), detail::SessionFree{});
  return std::unique_ptr<Remote>(std::make_unique<detail::SshRemote>(
      label, std::move(shared), std::chrono::seconds(std::max(1, options.io_timeout_s))));
}

}  // namespace zkctl::remote
