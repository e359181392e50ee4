#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/kafka/users.hpp"
#include "runner/progress.hpp"
#include "util/table.hpp"

namespace zkctl::cli {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "orders*" for a prefix, the name itself for a literal.
std::string pattern_text(const probe::KafkaAcl& a) {
  return a.name + (a.pattern == probe::AclPattern::prefixed ? "*" : "");
}

nlohmann::json acl_json(const probe::KafkaAcl& a) {
  return {{"operation", lower(probe::to_string(a.operation))},
          {"resource", lower(probe::to_string(a.resource_type))},
          {"name", pattern_text(a)},
          {"pattern", lower(probe::to_string(a.pattern))},
          {"permission", lower(probe::to_string(a.permission))},
          {"host", a.host}};
}

std::string acls_text(const std::vector<probe::KafkaAcl>& acls) {
  std::string out;
  for (const auto& a : acls) {
    out += (out.empty() ? "" : ", ") + lower(probe::to_string(a.operation)) + " " +
           lower(probe::to_string(a.resource_type)) + " " + pattern_text(a);
    if (a.permission == probe::AclPermission::deny) out += " (deny)";
  }
  return out.empty() ? "-" : out;
}

}  // namespace

int cmd_users(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const auto& cluster = loaded->cluster;
  if (!cluster.kafka || cluster.security.open()) {
    std::fprintf(
        stderr, "zkctl: users: cluster %s has %s\n", cluster.name.c_str(),
        cluster.kafka ? "no authentication or authorization ([security] is open)" : "no Kafka");
    return kUsage;
  }
  runner::NullProgress progress;
  ops::Context ctx(cluster, g.ops, progress);
  auto users = ops::report_users(ctx);
  if (!users) {
    std::fprintf(stderr, "zkctl: users: %s\n", users.error().message.c_str());
    return kFailed;
  }
  if (output == Output::json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& u : *users) {
      nlohmann::json acls = nlohmann::json::array();
      for (const auto& a : u.acls) acls.push_back(acl_json(a));
      list.push_back(
          {{"name", u.name}, {"scram", u.scram}, {"in_inventory", u.in_inventory}, {"acls", acls}});
    }
    std::printf("%s\n", nlohmann::json{{"cluster", cluster.name}, {"users", list}}.dump(2).c_str());
    return kOk;
  }
  util::Table t({{"USER"}, {"SCRAM"}, {"INVENTORY"}, {"ACLS"}});
  for (const auto& u : *users)
    t.add_row({u.name, u.scram ? "yes" : "no", u.in_inventory ? "yes" : "no", acls_text(u.acls)});
  std::printf("%s", t.render().c_str());
  return kOk;
}

}  // namespace zkctl::cli
