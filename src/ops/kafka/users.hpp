#pragma once
// Kafka's client users as deploy keeps them: SCRAM-SHA-512 credentials set with kafka-configs.sh
// on a broker host (the password only ever in a root-only file there), ACLs through the admin
// API, both made exactly what [[security.users]] says; and what `zkctl users` reports.

#include <string>
#include <vector>

#include "ops/context.hpp"
#include "probe/kafka_acl.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// What deploy's users stage will do, for `plan`; "" when there is nothing to keep (an open
// cluster, no Kafka, no users now or before).
std::string users_plan_text(const Context& ctx);

// Set new or changed credentials, delete those of dropped users, add the ACLs wanted and
// remove the others of the users zkctl manages; record what it set. Says what it did.
util::Result<std::string> reconcile_users(Context& ctx);

// One user as the cluster reports it.
struct ReportedUser {
  std::string name;
  bool scram = false;                 // has a SCRAM-SHA-512 credential
  bool in_inventory = false;          // listed in [[security.users]]
  std::vector<probe::KafkaAcl> acls;  // the ACLs naming User:<name>
};

// The user names of `kafka-configs.sh --describe --entity-type users` output that hold a
// SCRAM-SHA-512 credential (exposed for tests).
std::vector<std::string> parse_scram_users(const std::string& text);

// Every user the inventory lists, zkctl created, or the cluster holds ACLs or credentials for.
util::Result<std::vector<ReportedUser>> report_users(Context& ctx);

}  // namespace zkctl::ops
