// [security] and its [[security.users]]: TLS, authentication, authorization, the
// operator's CA, certificate settings and the Kafka client users.

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "inventory/load_sections.hpp"

namespace zkctl::inventory::detail {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string_view> kSecurityKeys = {"tls",       "authentication", "authorization",
                                                     "ca_cert",   "ca_key",         "key_type",
                                                     "cert_days", "users"};
const std::vector<std::string_view> kUserKeys = {"name", "password_file", "read", "write",
                                                 "groups"};
const std::vector<std::string_view> kAuthentications = {"scram", "mtls", "none"};
const std::vector<std::string_view> kKeyTypes = {"ec", "rsa"};
// Identities zkctl gives its own brokers, ZooKeeper servers and admin client.
const std::vector<std::string_view> kReservedUsers = {"kafka", "zookeeper", "zkctl-admin"};
constexpr int kMaxUserName = 64;
constexpr int kMaxCertDays = 825;  // the CA/Browser Forum's old ceiling; clients refuse longer

// Where the keys the combination rules look at were set (line 0: left at the default).
struct KeyPositions {
  SourcePos tls;
  SourcePos authentication;
  SourcePos authorization;
  bool valid = true;  // none of the three is set to something wrong (reported)
};

// What a local file named by [security] must be besides an existing regular file.
enum class FileKind {
  certificate,  // anyone may read it
  key,          // its owner's only
  password,     // its owner's only, and not empty
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool all_name_chars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_name_char);
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// The local file `file` (the value of `n`, at `path`) as `kind` needs it; false when
// it is not (reported). Not checked when local files are unchecked.
bool check_local_file(Reader& r, const toml::node& n, const std::string& path,
                      const std::string& file, FileKind kind) {
  if (r.local_files() == LocalFiles::unchecked) return true;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    r.error(r.at(n), path + ": file " + show(file) + " does not exist");
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    r.error(r.at(n), path + ": " + show(file) + " is not a regular file");
    return false;
  }
  if (kind != FileKind::certificate && (st.st_mode & 066) != 0) {
    r.error(r.at(n), path + ": " + show(file) +
                         " is readable or writable by group or others (mode " +
                         mode_text(st.st_mode) + "); make it its owner's only (chmod 600)");
    return false;
  }
  if (kind == FileKind::password && st.st_size == 0) {
    r.error(r.at(n), path + ": " + show(file) + " is empty");
    return false;
  }
  return true;
}

// `key` of `t` as an existing local file of `kind`, into `out`; false when absent or wrong.
bool read_file_key(Reader& r, const toml::table& t, std::string_view key, const std::string& path,
                   FileKind kind, std::string& out) {
  auto v = r.read_local_path(t, key, path);
  if (!v) return false;
  const toml::node& n = *t.get(key);
  if (v->empty()) {
    r.error(r.at(n), path + ": must not be empty");
    return false;
  }
  if (!check_local_file(r, n, path, *v, kind)) return false;
  out = *v;
  return true;
}

// ca_cert and ca_key: both or neither.
void read_ca(Reader& r, const toml::table& t, SecuritySettings& s) {
  std::string cert;
  std::string key;
  const bool cert_ok =
      read_file_key(r, t, "ca_cert", "security.ca_cert", FileKind::certificate, cert);
  const bool key_ok = read_file_key(r, t, "ca_key", "security.ca_key", FileKind::key, key);
  const toml::node* cert_node = t.get("ca_cert");
  const toml::node* key_node = t.get("ca_key");
  if ((cert_node == nullptr) != (key_node == nullptr)) {
    const bool only_cert = key_node == nullptr;
    r.error(r.at(only_cert ? *cert_node : *key_node),
            std::string(only_cert ? "security.ca_cert: set without security.ca_key"
                                  : "security.ca_key: set without security.ca_cert") +
                "; set both (the operator's CA) or neither (zkctl's own CA)");
    return;
  }
  if (!cert_ok || !key_ok) return;
  s.ca_cert = cert;
  s.ca_key = key;
  s.ca_pos = r.at(*cert_node);
}

// tls, authentication, authorization, key_type and cert_days; where the first three were set.
KeyPositions read_settings(Reader& r, const toml::table& t, SecuritySettings& s) {
  KeyPositions at;
  if (auto v = r.read_bool(t, "tls", "security.tls")) {
    s.tls = *v;
    at.tls = r.at(*t.get("tls"));
  }
  if (auto v = r.read_string(t, "authentication", "security.authentication")) {
    const SourcePos pos = r.at(*t.get("authentication"));
    if (*v == "scram" || *v == "mtls" || *v == "none") {
      s.authentication = *v == "scram"  ? Authentication::scram
                         : *v == "mtls" ? Authentication::mtls
                                        : Authentication::none;
      at.authentication = pos;
    } else {
      r.error_with_hint(pos,
                        "security.authentication: " + show(*v) +
                            " is not an authentication; expected 'scram', 'mtls' or 'none'",
                        *v, kAuthentications);
    }
  }
  if (auto v = r.read_bool(t, "authorization", "security.authorization")) {
    s.authorization = *v;
    at.authorization = r.at(*t.get("authorization"));
  }
  if (auto v = r.read_string(t, "key_type", "security.key_type")) {
    if (*v == "ec" || *v == "rsa")
      s.key_type = *v == "ec" ? KeyType::ec_p256 : KeyType::rsa_3072;
    else
      r.error_with_hint(r.at(*t.get("key_type")),
                        "security.key_type: " + show(*v) +
                            " is not a key type; expected 'ec' (P-256) or 'rsa' (3072 bits)",
                        *v, kKeyTypes);
  }
  if (auto v = r.read_int(t, "cert_days", "security.cert_days", 1, kMaxCertDays)) s.cert_days = *v;
  at.valid = (t.get("tls") == nullptr || at.tls.line != 0) &&
             (t.get("authentication") == nullptr || at.authentication.line != 0) &&
             (t.get("authorization") == nullptr || at.authorization.line != 0);
  return at;
}

// Authentication needs TLS; authorization needs authentication. Each error is reported
// at the key that asks for more (else at the one that takes its need away); warnings
// for a cluster anyone can use.
void check_combinations(Reader& r, const SecuritySettings& s, const KeyPositions& at) {
  if (!at.valid) return;
  const std::string auth = std::string("\"") + to_string(s.authentication) + "\"";
  if (s.authentication != Authentication::none && !s.tls) {
    if (at.authentication.line != 0)
      r.error(at.authentication, "security.authentication = " + auth +
                                     " needs security.tls = true (servers authenticate each "
                                     "other with their certificates)");
    else
      r.error(at.tls,
              "security.tls = false needs security.authentication = \"none\" (the default, "
              "\"scram\", needs TLS: servers authenticate each other with their certificates)");
  }
  if (s.authorization && s.authentication == Authentication::none) {
    if (at.authorization.line != 0)
      r.error(at.authorization,
              "security.authorization = true needs security.authentication \"scram\" or "
              "\"mtls\" (without authentication every client is User:ANONYMOUS)");
    else
      r.error(at.authentication,
              "security.authentication = \"none\" needs security.authorization = false "
              "(authorization, on by default, needs authenticated clients)");
  }
  if (s.open())
    r.warn(s.pos,
           "[security] is open: no TLS, no authentication, no authorization (every client can "
           "read and change everything)");
  else if (s.tls && s.authentication == Authentication::none && !s.authorization)
    r.warn(at.authentication,
           "security.authentication = \"none\": connections are encrypted but no client is "
           "authenticated (every client can read and change everything)");
}

// `key` of user table `u` (at `path`): an array of name prefixes or "*", into `out`.
// False when it was present but wrong (reported).
bool read_patterns(Reader& r, const toml::table& u, std::string_view key, const std::string& path,
                   std::string_view noun, std::vector<std::string>& out) {
  const toml::node* n = u.get(key);
  if (n == nullptr) return true;
  if (!n->is_array()) {
    r.error(r.at(*n), path + ": expected an array of strings, got " + type_name(*n));
    return false;
  }
  return r.for_each_string(
      *n, path, [&](const toml::node& e, const std::string& v, const std::string& p) {
        if (v.empty()) {
          r.error(r.at(e), p + ": must not be empty (\"*\": every " + std::string(noun) + ")");
          return false;
        }
        if (v != "*" && !all_name_chars(v)) {
          r.error(r.at(e), p + ": " + show(v) + " is not a " + std::string(noun) +
                               " prefix: letters, digits, '.', '_' and '-' only, or exactly "
                               "\"*\" (every " +
                               std::string(noun) + ")");
          return false;
        }
        out.push_back(v);
        return true;
      });
}

// The user's `name`: required, valid, not one of zkctl's own, unique among `seen`.
bool read_user_name(Reader& r, const toml::table& u, const std::string& path, SecurityUser& user,
                    std::map<std::string, int>& seen) {
  auto name = r.read_string(u, "name", path + ".name");
  if (!name) {
    if (u.get("name") == nullptr)
      r.error(r.at(u), "missing required key 'name' in [[security.users]]");
    return false;
  }
  const SourcePos pos = r.at(*u.get("name"));
  if (name->empty() || name->size() > kMaxUserName || !all_name_chars(*name)) {
    r.error(pos, path + ".name: " + show(*name) +
                     " must be 1-64 characters from letters, digits, '.', '_', '-'");
    return false;
  }
  if (std::find(kReservedUsers.begin(), kReservedUsers.end(), *name) != kReservedUsers.end()) {
    r.error(pos, path + ".name: " + show(*name) +
                     " is one of zkctl's own identities (kafka, zookeeper, zkctl-admin); "
                     "choose another name");
    return false;
  }
  if (auto [it, inserted] = seen.emplace(*name, pos.line); !inserted) {
    r.error(pos, path + ".name: " + show(*name) + " is already defined at line " +
                     std::to_string(it->second));
    return false;
  }
  user.name = *name;
  return true;
}

SecurityUser load_user(Reader& r, const toml::table& u, const std::string& path,
                       const SecuritySettings& s, std::map<std::string, int>& seen) {
  SecurityUser user;
  user.pos = r.at(u);
  r.check_keys(u, "in [[security.users]]", kUserKeys);
  read_user_name(r, u, path, user, seen);
  if (const toml::node* pw = u.get("password_file")) {
    if (s.authentication == Authentication::scram)
      read_file_key(r, u, "password_file", path + ".password_file", FileKind::password,
                    user.password_file);
    else
      r.error(r.at(*pw), path +
                             ".password_file: only with security.authentication = "
                             "\"scram\" (\"mtls\" users authenticate by certificate)");
  }
  read_patterns(r, u, "read", path + ".read", "topic", user.read);
  read_patterns(r, u, "write", path + ".write", "topic", user.write);
  read_patterns(r, u, "groups", path + ".groups", "group", user.groups);
  if (!s.authorization) {
    for (std::string_view key : {"read", "write", "groups"}) {
      if (const toml::node* n = u.get(key)) {
        r.warn(r.at(*n), path + "." + std::string(key) +
                             ": not enforced with security.authorization = false (every "
                             "authenticated user may use every topic and group)");
        break;
      }
    }
  }
  return user;
}

// [[security.users]]: Kafka clients, so only with authentication and a [kafka] table.
void load_users(Reader& r, const toml::table& t, const toml::table& root, SecuritySettings& s) {
  const toml::node* n = t.get("users");
  if (n == nullptr) return;
  if (!n->is_array()) {
    r.error(r.at(*n), "security.users: expected an array of tables ([[security.users]]), got " +
                          type_name(*n));
    return;
  }
  const toml::node* kafka = root.get("kafka");
  bool first = true;
  std::map<std::string, int> seen;
  size_t i = 0;
  for (const toml::node& e : *n->as_array()) {
    const std::string path = "security.users[" + std::to_string(i++) + "]";
    if (!e.is_table()) {
      r.error(r.at(e), path + ": expected a table, got " + type_name(e));
      continue;
    }
    if (first && s.authentication == Authentication::none)
      r.error(r.at(e),
              "[[security.users]] needs security.authentication \"scram\" or \"mtls\" "
              "(with \"none\" no client is authenticated)");
    else if (first && (kafka == nullptr || !kafka->is_table()))
      r.error(r.at(e), "[[security.users]] are Kafka clients: this inventory has no [kafka]");
    first = false;
    s.users.push_back(load_user(r, *e.as_table(), path, s, seen));
  }
}

}  // namespace

void load_security(Reader& r, const toml::table& root, Cluster& c) {
  const toml::table* t = r.read_table(root, "security", "security");
  if (t == nullptr) return;
  r.check_keys(*t, "in [security]", kSecurityKeys);
  SecuritySettings& s = c.security;
  s.pos = r.at(*t);
  const KeyPositions at = read_settings(r, *t, s);
  read_ca(r, *t, s);
  check_combinations(r, s, at);
  load_users(r, *t, root, s);
}

}  // namespace zkctl::inventory::detail
