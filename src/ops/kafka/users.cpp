#include "ops/kafka/users.hpp"

#include <map>
#include <set>
#include <sstream>

#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/health.hpp"
#include "ops/security/cluster_pki.hpp"
#include "ops/security/users.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::ops {

namespace {

constexpr std::chrono::seconds kAclTimeout{30};

// Principals whose ACLs zkctl owns: the inventory's users and those it created before.
std::vector<std::string> managed_principals(const inventory::SecuritySettings& s,
                                            const UserRecord& record) {
  std::set<std::string> out;
  for (const auto& u : s.users) out.insert("User:" + u.name);
  for (const auto& [name, fp] : record) out.insert("User:" + name);
  return {out.begin(), out.end()};
}

// kafka-configs.sh on the first reachable broker; its output.
util::Result<std::string> run_scram(Context& ctx, const std::string& action,
                                    const std::string& user, const std::string& password) {
  auto h = first_reachable_broker(ctx);  // where kafka-configs.sh runs
  if (!h) return util::fail("no broker reachable over SSH to run kafka-configs.sh");
  remote::Remote* remote = h->remote;
  const auto* host = h->node;
  const auto paths = render::kafka_paths(*host);
  std::string pwfile;
  if (action == "upsert") {
    pwfile = paths.tls_dir + "/.scram-" + user;
    if (auto w = remote->write_file(password, pwfile, 0600); !w)
      return util::fail(w.error().message);
  }
  auto r = remote::run_script(*remote, "kafka-configs.sh", remote::scripts::kafka_scram,
                              {paths.install_dir, kafka_access(ctx.cluster(), host).bootstrap,
                               paths.admin_properties, action, user, pwfile},
                              ctx.command_timeout(*host));
  if (!r) return util::fail(host->host + ": " + r.error().message);
  return r->out;
}

}  // namespace

std::string users_plan_text(const Context& ctx) {
  const auto& c = ctx.cluster();
  if (!c.kafka || c.security.open()) return "";
  const auto record = read_user_record(c.name);
  if (c.security.users.empty() && record.empty()) return "";
  std::string what = std::to_string(c.security.users.size()) + " user(s) of the inventory: ";
  what += c.security.authentication == inventory::Authentication::scram
              ? "SCRAM-SHA-512 credentials"
              : "certificates";
  if (c.security.authorization) what += " and ACLs";
  return what + "; what zkctl created for users the inventory dropped is removed";
}

util::Result<std::string> reconcile_users(Context& ctx) {
  const auto& c = ctx.cluster();
  const auto& sec = c.security;
  UserRecord record = read_user_record(c.name);
  std::map<std::string, std::string> fingerprints;
  std::map<std::string, std::string> passwords;
  for (const auto& u : sec.users) {
    std::string fp;
    if (sec.authentication == inventory::Authentication::scram) {
      auto pw = user_password(c.name, u);
      if (!pw) return util::fail(pw.error().message);
      passwords[u.name] = *pw;
      fp = password_fingerprint(c.name, *pw);
    }
    fingerprints[u.name] = fp;
  }
  const auto scram = plan_scram(sec, record, fingerprints);
  for (const auto& u : scram.upsert)
    if (auto r = run_scram(ctx, "upsert", u, passwords[u]); !r)
      return util::fail("SCRAM credential of " + u + ": " + r.error().message);
  for (const auto& u : scram.remove)
    if (auto r = run_scram(ctx, "delete", u, ""); !r)
      return util::fail("SCRAM credential of " + u + ": " + r.error().message);
  int added = 0, removed = 0;
  if (sec.authorization) {
    auto present = probe::list_acls(kafka_access(c), kAclTimeout);
    if (!present) return util::fail("listing ACLs: " + present.error().message);
    auto d = acl_changes(wanted_acls(sec), *present, managed_principals(sec, record));
    if (!d.missing.empty())
      if (auto r = probe::create_acls(kafka_access(c), d.missing, kAclTimeout); !r)
        return util::fail("creating ACLs: " + r.error().message);
    if (!d.extra.empty()) {
      auto del = probe::delete_acls(kafka_access(c), d.extra, kAclTimeout);
      if (!del) return util::fail("deleting ACLs: " + del.error().message);
      removed = *del;
    }
    added = static_cast<int>(d.missing.size());
  }
  if (auto w = write_user_record(c.name, fingerprints); !w) return util::fail(w.error().message);
  return std::to_string(sec.users.size()) + " user(s): " + std::to_string(scram.upsert.size()) +
         " credential(s) set, " + std::to_string(scram.remove.size()) + " removed; ACLs +" +
         std::to_string(added) + " -" + std::to_string(removed);
}

std::vector<std::string> parse_scram_users(const std::string& text) {
  // "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=8192"
  static const std::string kLead = "SCRAM credential configs for user-principal '";
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(kLead, 0) != 0) continue;
    const auto end = line.find('\'', kLead.size());
    if (end == std::string::npos || line.find("SCRAM-SHA-512", end) == std::string::npos) continue;
    out.push_back(line.substr(kLead.size(), end - kLead.size()));
  }
  return out;
}

util::Result<std::vector<ReportedUser>> report_users(Context& ctx) {
  const auto& c = ctx.cluster();
  std::map<std::string, ReportedUser> by_name;
  auto user = [&](const std::string& name) -> ReportedUser& {
    auto& u = by_name[name];
    u.name = name;
    return u;
  };
  for (const auto& u : c.security.users) user(u.name).in_inventory = true;
  for (const auto& [name, fp] : read_user_record(c.name)) user(name);
  if (c.security.authentication == inventory::Authentication::scram) {
    auto listed = run_scram(ctx, "list", "", "");
    if (!listed) return util::fail(listed.error().message);
    for (const auto& name : parse_scram_users(*listed)) user(name).scram = true;
  }
  if (c.security.authorization) {
    auto acls = probe::list_acls(kafka_access(c), kAclTimeout);
    if (!acls) return util::fail("listing ACLs: " + acls.error().message);
    for (const auto& a : *acls)
      if (a.principal.rfind("User:", 0) == 0) user(a.principal.substr(5)).acls.push_back(a);
  }
  // zkctl's own identities are not client users.
  for (const char* own : {kKafkaIdentity, kAdminIdentity, kZooKeeperIdentity}) by_name.erase(own);
  std::vector<ReportedUser> out;
  for (auto& [name, u] : by_name) out.push_back(std::move(u));
  return out;
}

}  // namespace zkctl::ops
