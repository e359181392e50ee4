#pragma once
// Kafka client users as the inventory lists them ([[security.users]]), and what deploy does to
// make the cluster hold exactly those: SCRAM-SHA-512 credentials (scram clusters) and ACLs.
// The planning is pure; the record of what zkctl created lives beside the cluster's pki.

#include <compare>
#include <map>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "probe/kafka_acl.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// The ACLs the inventory's users should have (ALLOW, host "*"): read -> Read+Describe on the
// topics, write -> Write+Describe, groups -> Read; a name is a PREFIXED pattern, "*" a
// LITERAL one; sorted, without duplicates.
std::vector<probe::KafkaAcl> wanted_acls(const inventory::SecuritySettings& security);

// What to change: the wanted ACLs missing, and, among the ACLs of `managed` principals (the
// inventory's users and those zkctl created before), those not wanted. Other principals'
// ACLs are never touched.
probe::AclDiff acl_changes(const std::vector<probe::KafkaAcl>& wanted,
                           const std::vector<probe::KafkaAcl>& present,
                           const std::vector<std::string>& managed_principals);

// What zkctl created for a cluster's users: name -> fingerprint of the SCRAM password it set
// ("" for users without a credential, e.g. mtls users). $ZKCTL_HOME/clusters/<name>/pki/users.json.
using UserRecord = std::map<std::string, std::string>;
UserRecord read_user_record(const std::string& cluster);
util::Result<void> write_user_record(const std::string& cluster, const UserRecord& record);

// A user's SCRAM password: its password_file's content (one trailing newline dropped), else
// the one zkctl generated and keeps (pki/users/<name>.password, 0600, made on first use).
// Refused: empty, over 256 characters, or holding anything but printable ASCII without blanks,
// ',' and '\' (Kafka's credential syntax).
util::Result<std::string> user_password(const std::string& cluster,
                                        const inventory::SecurityUser& user);

// A keyed fingerprint of `password` for the record (never the password itself).
std::string password_fingerprint(const std::string& cluster, const std::string& password);

// SCRAM work for one deploy: users whose credential is new or changed, users to delete.
struct ScramChanges {
  std::vector<std::string> upsert;
  std::vector<std::string> remove;
};
ScramChanges plan_scram(const inventory::SecuritySettings& security, const UserRecord& record,
                        const std::map<std::string, std::string>& fingerprints);

}  // namespace zkctl::ops
