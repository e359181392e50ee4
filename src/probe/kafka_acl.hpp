#pragma once
// Kafka ACL bindings through librdkafka's admin API: list, create and delete, each bounded
// by its timeout, as plain values that order and compare, so deploy can diff the bindings
// it wants against those present. (Debian's librdkafka 2.0.2 has no SCRAM credential API:
// SCRAM users go through kafka-configs.sh on a host.)

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::probe {

// What an ACL is on (librdkafka 2.0.2 knows no TRANSACTIONAL_ID resources).
enum class AclResource { topic, group, cluster };
// How `name` matches: exactly, or as a prefix.
enum class AclPattern { literal, prefixed };
enum class AclOperation {
  all,
  read,
  write,
  create,
  remove,  // Kafka's DELETE
  alter,
  describe,
  cluster_action,
  describe_configs,
  alter_configs,
  idempotent_write,
};
enum class AclPermission { allow, deny };

// One ACL binding.
struct KafkaAcl {
  AclResource resource_type = AclResource::topic;
  std::string name;  // topic or group name or prefix; "kafka-cluster" for the cluster
  AclPattern pattern = AclPattern::literal;
  std::string principal;  // "User:alice"
  std::string host = "*";
  AclOperation operation = AclOperation::read;
  AclPermission permission = AclPermission::allow;

  auto operator<=>(const KafkaAcl&) const = default;
};

// Kafka's names: "TOPIC", "PREFIXED", "DESCRIBE_CONFIGS", "ALLOW", ...
const char* to_string(AclResource resource);
const char* to_string(AclPattern pattern);
const char* to_string(AclOperation operation);
const char* to_string(AclPermission permission);
// "User:alice ALLOW READ on TOPIC:PREFIXED:orders- from *"
std::string to_string(const KafkaAcl& acl);

// An operation from Kafka's name, any case ("read", "DESCRIBE_CONFIGS", "delete").
std::optional<AclOperation> parse_acl_operation(std::string_view name);

// How the bindings present differ from those wanted (each list sorted, no duplicates).
struct AclDiff {
  std::vector<KafkaAcl> missing;  // wanted, not present: create them
  std::vector<KafkaAcl> extra;    // present, not wanted: the caller deletes those it owns
};
AclDiff diff_acls(std::vector<KafkaAcl> wanted, std::vector<KafkaAcl> present);

// Every ACL binding of the cluster (DescribeAcls matching anything), sorted. An error when
// the cluster has no authorizer ("Security features are disabled") or does not answer.
util::Result<std::vector<KafkaAcl>> list_acls(const KafkaAccess& access,
                                              std::chrono::milliseconds timeout);

// Create `acls` (creating a present binding again is not an error).
util::Result<void> create_acls(const KafkaAccess& access, const std::vector<KafkaAcl>& acls,
                               std::chrono::milliseconds timeout);

// Delete exactly the bindings `acls` (each used as a filter matching only itself); returns
// how many bindings the cluster deleted.
util::Result<int> delete_acls(const KafkaAccess& access, const std::vector<KafkaAcl>& acls,
                              std::chrono::milliseconds timeout);

}  // namespace zkctl::probe
