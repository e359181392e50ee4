// Pure parts of the Kafka clients: which librdkafka properties zkctl sets for an access
// (plaintext, TLS with and without a client certificate), and ACL values: names, order,
// equality and the wanted-vs-present diff deploy reconciles with.

#include "probe/kafka_acl.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "probe/kafka_client.hpp"

using namespace zkctl::probe;

namespace {

std::map<std::string, std::string> as_map(
    const std::vector<std::pair<std::string, std::string>>& v) {
  return {v.begin(), v.end()};
}

KafkaAcl read_prefix(const std::string& principal, const std::string& prefix) {
  KafkaAcl acl;
  acl.name = prefix;
  acl.pattern = AclPattern::prefixed;
  acl.principal = principal;
  acl.operation = AclOperation::read;
  return acl;
}

}  // namespace

TEST(KafkaClientSettings, PlaintextNamesOnlyTheBootstrap) {
  const auto s = as_map(kafka_client_settings("h1:9092,h2:9092"));
  EXPECT_EQ(s.at("bootstrap.servers"), "h1:9092,h2:9092");
  EXPECT_EQ(s.at("client.id"), "zkctl");
  EXPECT_EQ(s.count("security.protocol"), 0u);
  EXPECT_EQ(s.count("ssl.ca.location"), 0u);
}

TEST(KafkaClientSettings, TlsWithZkctlsCertificate) {
  const auto s = as_map(kafka_client_settings(
      KafkaAccess("h1:9094", {"/pki/ca.pem", "/pki/admin.pem", "/pki/admin.key"})));
  EXPECT_EQ(s.at("bootstrap.servers"), "h1:9094");
  EXPECT_EQ(s.at("security.protocol"), "ssl");
  EXPECT_EQ(s.at("ssl.ca.location"), "/pki/ca.pem");
  EXPECT_EQ(s.at("ssl.certificate.location"), "/pki/admin.pem");
  EXPECT_EQ(s.at("ssl.key.location"), "/pki/admin.key");
  EXPECT_EQ(s.at("ssl.endpoint.identification.algorithm"), "https");
}

TEST(KafkaClientSettings, TlsWithoutAClientCertificate) {
  const auto s = as_map(kafka_client_settings(KafkaAccess("h1:9094", {"/pki/ca.pem", "", ""})));
  EXPECT_EQ(s.at("security.protocol"), "ssl");
  EXPECT_EQ(s.count("ssl.certificate.location"), 0u);
  EXPECT_EQ(s.count("ssl.key.location"), 0u);
}

TEST(KafkaClientSettings, TheHandleAcceptsThem) {
  // A client handle is created from them (librdkafka built with SSL); no broker is needed.
  auto md = kafka_metadata(KafkaAccess("127.0.0.1:1", {"/nonexistent/ca.pem", "", ""}),
                           std::chrono::milliseconds(200));
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().message.find("kafka client setting"), std::string::npos)
      << md.error().message;
}

TEST(KafkaAcl, NamesAsKafkaSpellsThem) {
  KafkaAcl acl = read_prefix("User:alice", "orders-");
  EXPECT_EQ(to_string(acl), "User:alice ALLOW READ on TOPIC:PREFIXED:orders- from *");
  acl.resource_type = AclResource::cluster;
  acl.name = "kafka-cluster";
  acl.pattern = AclPattern::literal;
  acl.operation = AclOperation::idempotent_write;
  acl.permission = AclPermission::deny;
  EXPECT_EQ(to_string(acl),
            "User:alice DENY IDEMPOTENT_WRITE on CLUSTER:LITERAL:kafka-cluster from *");
  EXPECT_STREQ(to_string(AclOperation::remove), "DELETE");
  EXPECT_STREQ(to_string(AclOperation::describe_configs), "DESCRIBE_CONFIGS");
  EXPECT_STREQ(to_string(AclResource::group), "GROUP");
}

TEST(KafkaAcl, ParsesOperationsInAnyCase) {
  EXPECT_EQ(parse_acl_operation("read"), AclOperation::read);
  EXPECT_EQ(parse_acl_operation("Delete"), AclOperation::remove);
  EXPECT_EQ(parse_acl_operation("describe_configs"), AclOperation::describe_configs);
  EXPECT_EQ(parse_acl_operation("ALL"), AclOperation::all);
  EXPECT_FALSE(parse_acl_operation("any"));
  EXPECT_FALSE(parse_acl_operation(""));
}

TEST(KafkaAcl, OrdersAndComparesByEveryField) {
  const KafkaAcl a = read_prefix("User:alice", "orders-");
  KafkaAcl b = a;
  EXPECT_EQ(a, b);
  b.host = "10.0.0.1";
  EXPECT_NE(a, b);
  b = a;
  b.operation = AclOperation::write;
  EXPECT_LT(a, b);  // read before write
  b = a;
  b.resource_type = AclResource::group;
  EXPECT_LT(a, b);  // topics before groups
}

TEST(KafkaAcl, DiffSaysWhatIsMissingAndWhatIsExtra) {
  const KafkaAcl alice_read = read_prefix("User:alice", "orders-");
  KafkaAcl alice_write = alice_read;
  alice_write.operation = AclOperation::write;
  const KafkaAcl bob_read = read_prefix("User:bob", "logs-");
  KafkaAcl bob_group = bob_read;
  bob_group.resource_type = AclResource::group;

  const AclDiff d =
      diff_acls({alice_write, alice_read, bob_group, alice_read}, {bob_read, alice_read, bob_read});
  EXPECT_EQ(d.missing, (std::vector<KafkaAcl>{alice_write, bob_group}));
  EXPECT_EQ(d.extra, (std::vector<KafkaAcl>{bob_read}));

  const AclDiff same = diff_acls({alice_read, bob_read}, {bob_read, alice_read});
  EXPECT_TRUE(same.missing.empty());
  EXPECT_TRUE(same.extra.empty());
}

TEST(KafkaAcl, NothingToCreateOrDeleteNeedsNoBroker) {
  auto created = create_acls("127.0.0.1:1", {}, std::chrono::milliseconds(100));
  EXPECT_TRUE(created);
  auto deleted = delete_acls("127.0.0.1:1", {}, std::chrono::milliseconds(100));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 0);
}
