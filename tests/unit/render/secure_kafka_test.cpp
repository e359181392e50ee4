// server.properties of a cluster with [security] tls in both modes: listeners and their
// protocols, TLS stores, client authentication per listener, SCRAM, principal mapping, the
// authorizer and super users, brokers to ZooKeeper over TLS, and the extra keys refused.

#include <gtest/gtest.h>

#include <string>

#include "render/kafka.hpp"
#include "secure_cluster.hpp"

namespace zkctl::render {
namespace {

using inventory::Authentication;
using inventory::KafkaMode;

std::string properties(const inventory::Cluster& c, size_t index = 0) {
  auto files = render_kafka_node(c, c.kafka_nodes[index]);
  EXPECT_TRUE(files.ok()) << files.error().message;
  return files.ok() ? (*files)[0].content : std::string();
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

bool has_key(const std::string& text, const std::string& key) {
  return ("\n" + text).find("\n" + key + "=") != std::string::npos;
}

void expect_lines(const std::string& text, std::initializer_list<const char*> lines) {
  for (const char* line : lines) EXPECT_TRUE(has_line(text, line)) << line << "\n" << text;
}

void expect_no_keys(const std::string& text, std::initializer_list<const char*> keys) {
  for (const char* key : keys) EXPECT_FALSE(has_key(text, key)) << key << "\n" << text;
}

// A KRaft cluster of controller-only c1 (id 100) and brokers b1, b2 (ids 1, 2).
inventory::Cluster split_kraft(Authentication authentication) {
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{.mode = KafkaMode::kraft};
  c.kafka_nodes.push_back(testing::kafka_node("c1", 100, false, true));
  c.kafka_nodes.push_back(testing::kafka_node("b1", 1, true, false));
  c.kafka_nodes.push_back(testing::kafka_node("b2", 2, true, false));
  return testing::secured(c, authentication);
}

TEST(RenderSecureKafka, ZooKeeperModeScram) {
  const auto p = properties(testing::secured(testing::seed_kafka_cluster()));
  expect_lines(p, {
                      "listeners=CLIENT://:9092,INTERNAL://:9094",
                      "advertised.listeners=CLIENT://node1:9092,INTERNAL://node1:9094",
                      "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL",
                      "inter.broker.listener.name=INTERNAL",
                      "ssl.keystore.type=PEM",
                      "ssl.keystore.location=/opt/kafka/config/tls/node.pem",
                      "ssl.truststore.type=PEM",
                      "ssl.truststore.location=/opt/kafka/config/tls/ca.pem",
                      "ssl.endpoint.identification.algorithm=https",
                      "ssl.principal.mapping.rules=RULE:^CN=([^,]+),OU=seed,O=zkctl$/$1/,DEFAULT",
                      "listener.name.internal.ssl.client.auth=required",
                      "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512",
                      "listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka."
                      "common.security.scram.ScramLoginModule required;",
                      "authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
                      "allow.everyone.if.no.acl.found=false",
                      "super.users=User:kafka;User:zkctl-admin",
                      "zookeeper.connect=node1:2181,node2:2181,node3:2181,nn01:2181/kafka",
                      "zookeeper.ssl.client.enable=true",
                      "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
                      "zookeeper.ssl.keystore.type=PEM",
                      "zookeeper.ssl.keystore.location=/opt/kafka/config/tls/node.pem",
                      "zookeeper.ssl.truststore.type=PEM",
                      "zookeeper.ssl.truststore.location=/opt/kafka/config/tls/ca.pem",
                      "zookeeper.set.acl=true",
                  });
  expect_no_keys(p, {"listener.name.client.ssl.client.auth",
                     "listener.name.controller.ssl."
                     "client.auth",
                     "controller.listener.names"});
  EXPECT_EQ(p.find("PLAINTEXT"), std::string::npos) << p;
}

TEST(RenderSecureKafka, ZooKeeperModeMtlsAsksClientsForCertificates) {
  const auto p = properties(testing::secured(testing::seed_kafka_cluster(), Authentication::mtls));
  expect_lines(p, {"listener.security.protocol.map=CLIENT:SSL,INTERNAL:SSL",
                   "listener.name.client.ssl.client.auth=required",
                   "listener.name.internal.ssl.client.auth=required",
                   "super.users=User:kafka;User:zkctl-admin", "zookeeper.set.acl=true"});
  expect_no_keys(p, {"listener.name.client.sasl.enabled.mechanisms",
                     "listener.name.client.scram-sha-512.sasl.jaas.config"});
}

TEST(RenderSecureKafka, EncryptedOnlyHasNoAuthenticationNorAuthorizer) {
  const auto p = properties(testing::secured(testing::seed_kafka_cluster(), Authentication::none));
  expect_lines(p, {"listener.security.protocol.map=CLIENT:SSL,INTERNAL:SSL",
                   "inter.broker.listener.name=INTERNAL", "zookeeper.ssl.client.enable=true",
                   "ssl.keystore.location=/opt/kafka/config/tls/node.pem"});
  expect_no_keys(p, {"listener.name.client.ssl.client.auth",
                     "listener.name.internal.ssl.client."
                     "auth",
                     "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found",
                     "zookeeper.set.acl", "listener.name.client.sasl.enabled.mechanisms"});
}

TEST(RenderSecureKafka, KraftCombinedNodes) {
  const auto p = properties(testing::secured(testing::kraft_cluster()), 1);  // kf1
  expect_lines(p, {
                      "process.roles=broker,controller",
                      "controller.listener.names=CONTROLLER",
                      "listeners=CLIENT://:9092,INTERNAL://:9094,CONTROLLER://:9093",
                      "advertised.listeners=CLIENT://kf1:9092,INTERNAL://kf1:9094",
                      "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
                      "inter.broker.listener.name=INTERNAL",
                      "listener.name.internal.ssl.client.auth=required",
                      "listener.name.controller.ssl.client.auth=required",
                      "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512",
                      "authorizer.class.name=org.apache.kafka.metadata.authorizer."
                      "StandardAuthorizer",
                      "allow.everyone.if.no.acl.found=false",
                      "super.users=User:kafka;User:zkctl-admin",
                      "ssl.principal.mapping.rules=RULE:^CN=([^,]+),OU=kraft,O=zkctl$/$1/,DEFAULT",
                  });
  expect_no_keys(p, {"zookeeper.connect", "zookeeper.ssl.client.enable", "zookeeper.set.acl"});
}

TEST(RenderSecureKafka, KraftControllerOnlyHasTheControllerListenerAndTheAuthorizer) {
  const auto c = split_kraft(Authentication::scram);
  const auto p = properties(c, 0);  // c1
  expect_lines(p, {"process.roles=controller", "listeners=CONTROLLER://:9093",
                   "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
                   "listener.name.controller.ssl.client.auth=required",
                   "ssl.keystore.location=/opt/kafka/config/tls/node.pem",
                   "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                   "super.users=User:kafka;User:zkctl-admin"});
  expect_no_keys(p, {"advertised.listeners", "inter.broker.listener.name",
                     "listener.name.internal.ssl.client.auth",
                     "listener.name.client.sasl.enabled.mechanisms"});
  // A broker-only node reaches the controllers with the same stores, over SSL.
  const auto b = properties(c, 1);
  expect_lines(b, {"process.roles=broker", "listeners=CLIENT://:9092,INTERNAL://:9094",
                   "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
                   "listener.name.controller.ssl.client.auth=required",
                   "controller.quorum.voters=100@c1:9093"});
}

TEST(RenderSecureKafka, InternalPortComesFromTheNode) {
  auto c = testing::secured(testing::seed_kafka_cluster());
  c.kafka_nodes[0].internal_port = 19094;
  expect_lines(properties(c), {"listeners=CLIENT://:9092,INTERNAL://:19094",
                               "advertised.listeners=CLIENT://node1:9092,INTERNAL://node1:19094"});
}

TEST(RenderSecureKafka, BrokerWithoutInternalPortFails) {
  auto c = testing::secured(testing::seed_kafka_cluster());
  c.kafka_nodes[0].internal_port = 0;
  auto r = render_kafka_node(c, c.kafka_nodes[0]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "node1: listener INTERNAL port 0 is outside 1..65535");
}

TEST(RenderSecureKafka, OpenClusterKeepsPlaintext) {
  const auto zk = properties(testing::seed_kafka_cluster());
  expect_lines(zk, {"listeners=PLAINTEXT://:9092"});
  expect_no_keys(zk, {"listener.security.protocol.map", "inter.broker.listener.name",
                      "ssl.keystore.location", "authorizer.class.name",
                      "zookeeper.ssl.client."
                      "enable"});
  const auto kraft = properties(testing::kraft_cluster());
  expect_lines(kraft, {"listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                       "inter.broker.listener.name=PLAINTEXT"});
  expect_no_keys(kraft, {"ssl.keystore.location", "super.users"});
}

TEST(RenderSecureKafka, ExtraKeysSecurityWritesAreRefusedOnlyWhenSecure) {
  for (const char* key :
       {"ssl.keystore.location", "sasl.enabled.mechanisms", "listener.name.client.ssl.client.auth",
        "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found",
        "zookeeper.set.acl", "zookeeper.ssl.client.enable", "zookeeper.clientCnxnSocket",
        "security.inter.broker.protocol"}) {
    auto c = testing::secured(testing::seed_kafka_cluster());
    c.kafka->extra_config.emplace_back(key, "x");
    auto r = render_kafka_node(c, c.kafka_nodes[0]);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_NE(r.error().message.find("is written by zkctl itself"), std::string::npos)
        << r.error().message;
  }
  // An open cluster refuses them too: they belong to [security] (the inventory says so first).
  auto open = testing::seed_kafka_cluster();
  open.kafka->extra_config.emplace_back("ssl.cipher.suites", "x");
  EXPECT_FALSE(render_kafka_node(open, open.kafka_nodes[0]).ok());
  open.kafka->extra_config.back() = {"num.io.threads", "4"};
  EXPECT_TRUE(render_kafka_node(open, open.kafka_nodes[0]).ok());
}

TEST(RenderSecureKafka, ClusterNameTheMappingRuleCannotHoldFails) {
  auto c = testing::secured(testing::seed_kafka_cluster());
  c.name = "a+b";
  auto r = render_kafka_node(c, c.kafka_nodes[0]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "node1: cluster name 'a+b' holds a character outside [A-Za-z0-9_.-]");
}

TEST(RenderSecureKafka, ListenerNamesFollowTheSecurity) {
  const auto c = testing::secured(testing::seed_kafka_cluster());
  auto v = server_properties_values(c, c.kafka_nodes[0]);
  auto plaintext = v;
  plaintext.listeners[0].name = kKafkaClientListener;
  auto r = render_server_properties(plaintext);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "listener name 'PLAINTEXT' is not one of CLIENT, INTERNAL, CONTROLLER");
  auto no_internal = v;
  no_internal.listeners.pop_back();
  no_internal.advertised_listeners.pop_back();
  r = render_server_properties(no_internal);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "a broker of a secure cluster needs an INTERNAL listener (internal_port)");
  auto anonymous = v;
  anonymous.security->authentication = Authentication::none;
  r = render_server_properties(anonymous);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "an authorizer needs authentication: every client would be ANONYMOUS");
  auto bad_user = v;
  bad_user.security->super_users.push_back("User:x;User:y");
  EXPECT_FALSE(render_server_properties(bad_user).ok());
}

}  // namespace
}  // namespace zkctl::render
