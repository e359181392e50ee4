#include "ops/security/users.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ops/security/cluster_pki.hpp"
#include "util/file.hpp"

namespace zkctl::ops {

namespace {

namespace fs = std::filesystem;

void add_rules(std::vector<probe::KafkaAcl>& out, const std::string& principal,
               probe::AclResource resource, const std::vector<std::string>& names,
               std::initializer_list<probe::AclOperation> ops) {
  for (const auto& name : names)
    for (auto op : ops) {
      probe::KafkaAcl a;
      a.resource_type = resource;
      a.name = name;
      a.pattern = name == "*" ? probe::AclPattern::literal : probe::AclPattern::prefixed;
      a.principal = principal;
      a.operation = op;
      out.push_back(std::move(a));
    }
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string random_text(std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::string out;
  unsigned char buf[64];
  while (out.size() < n) {
    if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
    for (unsigned char b : buf)
      if (b < 4 * 56 && out.size() < n) out.push_back(kAlphabet[b % 56]);
  }
  return out;
}

util::Result<void> check_password(const std::string& where, const std::string& pw) {
  if (pw.empty()) return util::fail(where + ": the password is empty");
  if (pw.size() > 256) return util::fail(where + ": the password is longer than 256 characters");
  for (char c : pw)
    if (c <= ' ' || c > '~' || c == ',' || c == '\\')
      return util::fail(where +
                        ": the password may hold only printable ASCII without blanks, ',' and "
                        "'\\' (Kafka's SCRAM credential syntax)");
  return {};
}

fs::path users_dir(const std::string& cluster) {
  return fs::path(pki_dir(cluster)) / "users";
}

}  // namespace

std::vector<probe::KafkaAcl> wanted_acls(const inventory::SecuritySettings& security) {
  using probe::AclOperation;
  using probe::AclResource;
  std::vector<probe::KafkaAcl> out;
  for (const auto& u : security.users) {
    const std::string p = "User:" + u.name;
    add_rules(out, p, AclResource::topic, u.read, {AclOperation::read, AclOperation::describe});
    add_rules(out, p, AclResource::topic, u.write, {AclOperation::write, AclOperation::describe});
    add_rules(out, p, AclResource::group, u.groups, {AclOperation::read});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

probe::AclDiff acl_changes(const std::vector<probe::KafkaAcl>& wanted,
                           const std::vector<probe::KafkaAcl>& present,
                           const std::vector<std::string>& managed_principals) {
  const std::set<std::string> managed(managed_principals.begin(), managed_principals.end());
  auto d = probe::diff_acls(wanted, present);
  std::erase_if(d.extra, [&](const auto& a) { return managed.count(a.principal) == 0; });
  return d;
}

UserRecord read_user_record(const std::string& cluster) {
  auto text = read_file(fs::path(pki_dir(cluster)) / "users.json");
  UserRecord out;
  if (!text) return out;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [name, fp] : j.items())
    if (fp.is_string()) out[name] = fp.get<std::string>();
  return out;
}

util::Result<void> write_user_record(const std::string& cluster, const UserRecord& record) {
  if (auto r = util::make_dirs(pki_dir(cluster), 0700); !r) return r;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, fp] : record) j[name] = fp;
  return util::write_file_atomically((fs::path(pki_dir(cluster)) / "users.json").string(),
                                     j.dump(2) + "\n", 0600);
}

util::Result<std::string> user_password(const std::string& cluster,
                                        const inventory::SecurityUser& user) {
  if (!user.password_file.empty()) {
    auto text = read_file(user.password_file);
    if (!text) return util::fail(user.password_file + ": cannot read it");
    if (!text->empty() && text->back() == '\n') text->pop_back();
    if (auto r = check_password(user.password_file, *text); !r)
      return util::fail(r.error().message);
    return *text;
  }
  const fs::path file = users_dir(cluster) / (user.name + ".password");
  if (auto kept = read_file(file)) return *kept;
  if (auto r = util::make_dirs(users_dir(cluster).string(), 0700); !r)
    return util::fail(r.error().message);
  std::string pw = random_text(24);
  if (auto r = util::write_file_atomically(file.string(), pw, 0600); !r)
    return util::fail(r.error().message);
  return pw;
}

std::string password_fingerprint(const std::string& cluster, const std::string& password) {
  // The key is per cluster and never leaves this machine: the record alone tells nothing.
  const fs::path key_file = fs::path(pki_dir(cluster)) / "users.key";
  std::string key;
  if (auto kept = read_file(key_file); kept && kept->size() == 32) {
    key = *kept;
  } else {
    key = random_text(32);
    (void)util::make_dirs(pki_dir(cluster), 0700);
    (void)util::write_file_atomically(key_file.string(), key, 0600);
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(password.data()), password.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  return out;
}

ScramChanges plan_scram(const inventory::SecuritySettings& security, const UserRecord& record,
                        const std::map<std::string, std::string>& fingerprints) {
  ScramChanges out;
  std::set<std::string> listed;
  for (const auto& u : security.users) {
    listed.insert(u.name);
    if (security.authentication != inventory::Authentication::scram) continue;
    auto fp = fingerprints.find(u.name);
    auto rec = record.find(u.name);
    if (fp == fingerprints.end()) continue;
    if (rec == record.end() || rec->second != fp->second) out.upsert.push_back(u.name);
  }
  for (const auto& [name, fp] : record)
    if (listed.count(name) == 0 && !fp.empty()) out.remove.push_back(name);
  return out;
}

}  // namespace zkctl::ops
