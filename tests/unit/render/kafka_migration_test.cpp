// A migration's transitional server.properties (KIP-866): controllers in migration mode and
// ZooKeeper-mode brokers in migration, open and secure, through each phase, compared with
// tests/golden/kafka-migration-*/ (ZKCTL_UPDATE_GOLDEN=1 rewrites them; review the diff), and
// the refusals.

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "render/kafka.hpp"
#include "secure_cluster.hpp"
#include "seed_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

using inventory::KafkaNode;
using testing::migration_cluster;

const KafkaNode& node_named(const inventory::Cluster& c, const std::string& host) {
  for (const auto& n : c.kafka_nodes)
    if (n.host == host) return n;
  throw std::runtime_error("no node " + host);
}

std::string properties(const inventory::Cluster& c, const std::string& host, KafkaMigration step) {
  auto text = render_server_properties(migration_properties_values(c, node_named(c, host), step));
  if (!text) return "error: " + text.error().message;
  return *text;
}

TEST(KafkaMigration, ControllerHasTheFlagZooKeeperAndItsInterBrokerListener) {
  const std::string p = properties(migration_cluster(), "ctl2", KafkaMigration::controller);
  EXPECT_NE(p.find("process.roles=controller\nnode.id=2\n"), std::string::npos) << p;
  EXPECT_NE(p.find("zookeeper.connect=node1:2181,node2:2181,node3:2181,nn01:2181/kafka\n"
                   "zookeeper.metadata.migration.enable=true\n"),
            std::string::npos)
      << p;
  EXPECT_NE(p.find("inter.broker.listener.name=PLAINTEXT\n"), std::string::npos) << p;
  EXPECT_EQ(p.find("broker.id"), std::string::npos) << p;
}

TEST(KafkaMigration, BrokerKeepsZooKeeperModeAndKnowsTheControllers) {
  const std::string p = properties(migration_cluster(), "node1", KafkaMigration::broker);
  EXPECT_NE(p.find("broker.id=11\ncontroller.quorum.voters=1@ctl1:9093,2@ctl2:9093,3@ctl3:9093\n"
                   "controller.listener.names=CONTROLLER\n"),
            std::string::npos)
      << p;
  EXPECT_NE(p.find("listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"),
            std::string::npos)
      << p;
  EXPECT_NE(p.find("zookeeper.metadata.migration.enable=true\n"), std::string::npos) << p;
  EXPECT_NE(p.find("inter.broker.protocol.version=3.9\n"), std::string::npos) << p;
  EXPECT_EQ(p.find("process.roles"), std::string::npos) << p;
  // Sized by the three brokers, not the six nodes.
  EXPECT_NE(p.find("transaction.state.log.min.isr=2\n"), std::string::npos) << p;
}

TEST(KafkaMigration, BrokerInKraftAndControllerAfterFinalizeAreTheModesOwnFiles) {
  const auto c = migration_cluster();
  const std::string broker = properties(c, "node1", KafkaMigration::none);
  EXPECT_NE(broker.find("process.roles=broker\nnode.id=11\n"), std::string::npos) << broker;
  EXPECT_EQ(broker.find("zookeeper."), std::string::npos) << broker;
  const std::string controller = properties(c, "ctl1", KafkaMigration::none);
  EXPECT_EQ(controller.find("zookeeper."), std::string::npos) << controller;
}

TEST(KafkaMigration, ZooKeeperModeViewIsTheSeedsBrokers) {
  const auto view = kafka_zookeeper_mode_view(migration_cluster());
  const auto seed = testing::seed_kafka_cluster();
  ASSERT_EQ(view.kafka_nodes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    auto ours = render_kafka_node(view, view.kafka_nodes[i]);
    auto theirs = render_kafka_node(seed, seed.kafka_nodes[i]);
    ASSERT_TRUE(ours.ok() && theirs.ok());
    EXPECT_EQ((*ours)[0].content, (*theirs)[0].content);
  }
}

TEST(KafkaMigration, Refusals) {
  auto c = migration_cluster();
  EXPECT_EQ(properties(c, "ctl1", KafkaMigration::broker),
            "error: in zookeeper mode a node is a broker and nothing else");
  EXPECT_EQ(properties(c, "node1", KafkaMigration::controller),
            "error: a migration controller is a dedicated KRaft controller");
  c.kafka->extra_config.emplace_back("zookeeper.metadata.migration.enable", "true");
  EXPECT_EQ(properties(c, "node1", KafkaMigration::broker),
            "error: extra key 'zookeeper.metadata.migration.enable' is set by the migration");
  c = testing::secured(migration_cluster());
  // A secure cluster migrates, but not with the security on-ramp's transitional settings.
  for (const auto step : {KafkaMigration::controller, KafkaMigration::broker}) {
    const std::string host = step == KafkaMigration::controller ? "ctl1" : "node1";
    auto v = migration_properties_values(c, node_named(c, host), step);
    ASSERT_TRUE(render_server_properties(v).ok()) << host;
    v.security->zookeeper_tls = false;
    EXPECT_EQ(render_server_properties(v).error().message,
              "a migration to KRaft of a secure cluster is done once its security is complete "
              "(not during the security on-ramp)")
        << host;
  }
  c = migration_cluster();
  c.servers.clear();
  EXPECT_EQ(render_kafka_node_in_migration(c, node_named(c, "ctl1"), KafkaMigration::controller)
                .error()
                .message,
            "ctl1: a migration needs the cluster's [[zookeeper.servers]]");
}

// ---- a secure cluster (the defaults: TLS, SCRAM or mTLS clients, authorization) ----------

using inventory::Authentication;

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

bool has_key(const std::string& text, const std::string& key) {
  return ("\n" + text).find("\n" + key + "=") != std::string::npos;
}

// The lines of `p` that make a ZooKeeper client of it: TLS, its certificate (ZooKeeper's x509
// identity) and Kafka's znode ACLs.
std::vector<std::string> zookeeper_client_lines(const std::string& p) {
  std::vector<std::string> out;
  std::istringstream in(p);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("zookeeper.ssl.") || line.starts_with("zookeeper.clientCnxnSocket=") ||
        line.starts_with("zookeeper.set.acl="))
      out.push_back(line);
  }
  return out;
}

// What the secure ZooKeeper-mode broker writes: the migration's nodes reach ZooKeeper as it does.
std::vector<std::string> brokers_zookeeper_lines(inventory::Authentication authentication) {
  const auto seed = testing::secured(testing::seed_kafka_cluster(), authentication);
  auto p = render_server_properties(server_properties_values(seed, seed.kafka_nodes[0]));
  return p.ok() ? zookeeper_client_lines(*p) : std::vector<std::string>{p.error().message};
}

void expect_zookeeper_as_the_brokers(
    const std::string& p,
    inventory::Authentication authentication = inventory::Authentication::scram) {
  const auto lines = zookeeper_client_lines(p);
  EXPECT_EQ(lines, brokers_zookeeper_lines(authentication)) << p;
  EXPECT_EQ(lines.size(), 7u) << p;
  for (const char* line : {"zookeeper.ssl.client.enable=true", "zookeeper.set.acl=true",
                           "zookeeper.ssl.keystore.location=/opt/kafka/config/tls/node.pem"})
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << line << "\n" << p;
}

void expect_lines(const std::string& p, const std::vector<std::string>& lines) {
  for (const auto& l : lines) EXPECT_TRUE(has_line(p, l)) << l << "\n" << p;
}

TEST(KafkaMigrationSecure, ControllerSpeaksTlsAuthorizesAndReachesZooKeeperAsTheBrokers) {
  const std::string p =
      properties(testing::secured(migration_cluster()), "ctl2", KafkaMigration::controller);
  expect_lines(p,
               {"process.roles=controller", "node.id=2",
                "controller.quorum.voters=1@ctl1:9093,2@ctl2:9093,3@ctl3:9093",
                "controller.listener.names=CONTROLLER", "listeners=CONTROLLER://:9093",
                "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
                // its RPCs to the ZooKeeper-mode brokers, with its certificate (User:kafka)
                "inter.broker.listener.name=INTERNAL",
                "zookeeper.connect=node1:2181,node2:2181,node3:2181,nn01:2181/kafka",
                "zookeeper.metadata.migration.enable=true",
                "ssl.keystore.location=/opt/kafka/config/tls/node.pem",
                "ssl.principal.mapping.rules=RULE:^CN=([^,]+),OU=seed,O=zkctl$/$1/,DEFAULT",
                "listener.name.controller.ssl.client.auth=required",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false", "super.users=User:kafka;User:zkctl-admin"});
  expect_zookeeper_as_the_brokers(p);
  for (const char* key : {"broker.id", "advertised.listeners", "listener.name.client.sasl"})
    EXPECT_FALSE(has_key(p, key)) << key << "\n" << p;
}

TEST(KafkaMigrationSecure, BrokerInMigrationKeepsItsListenersAclAuthorizerAndZooKeeperTls) {
  const std::string p =
      properties(testing::secured(migration_cluster()), "node1", KafkaMigration::broker);
  expect_lines(
      p, {"broker.id=11", "controller.quorum.voters=1@ctl1:9093,2@ctl2:9093,3@ctl3:9093",
          "controller.listener.names=CONTROLLER", "listeners=CLIENT://:9092,INTERNAL://:9094",
          "advertised.listeners=CLIENT://node1:9092,INTERNAL://node1:9094",
          // the controllers' listener as they serve it: SSL
          "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
          "inter.broker.listener.name=INTERNAL", "zookeeper.metadata.migration.enable=true",
          "inter.broker.protocol.version=3.9", "listener.name.internal.ssl.client.auth=required",
          "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512",
          "authorizer.class.name=kafka.security.authorizer.AclAuthorizer",
          "super.users=User:kafka;User:zkctl-admin"});
  expect_zookeeper_as_the_brokers(p);
  EXPECT_FALSE(has_key(p, "process.roles")) << p;
}

TEST(KafkaMigrationSecure, BrokersBeforeAndAfterAreTheSecureModesOwnFiles) {
  const auto c = testing::secured(migration_cluster());
  // Before the migration and after a rollback: the secure ZooKeeper-mode broker exactly.
  const auto seed = testing::secured(testing::seed_kafka_cluster());
  EXPECT_EQ(properties(c, "node2", KafkaMigration::broker_zookeeper),
            *render_server_properties(server_properties_values(seed, seed.kafka_nodes[1])));
  // Brokers into KRaft: StandardAuthorizer instead of AclAuthorizer, no ZooKeeper at all.
  const std::string kraft = properties(c, "node1", KafkaMigration::none);
  expect_lines(kraft,
               {"process.roles=broker", "node.id=11", "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:kafka;User:zkctl-admin"});
  EXPECT_EQ(kraft.find("zookeeper."), std::string::npos) << kraft;
  // Finalized: the controller without ZooKeeper, still over TLS and authorizing.
  const std::string controller = properties(c, "ctl1", KafkaMigration::none);
  expect_lines(controller,
               {"listener.name.controller.ssl.client.auth=required",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"});
  EXPECT_EQ(controller.find("zookeeper."), std::string::npos) << controller;
}

TEST(KafkaMigrationSecure, MtlsClientsKeepTheirCertificateListener) {
  const auto c = testing::secured(migration_cluster(), Authentication::mtls);
  const std::string broker = properties(c, "node3", KafkaMigration::broker);
  expect_lines(broker, {"listener.security.protocol.map=CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL",
                        "listener.name.client.ssl.client.auth=required",
                        "authorizer.class.name=kafka.security.authorizer.AclAuthorizer"});
  expect_zookeeper_as_the_brokers(broker, Authentication::mtls);
  const std::string controller = properties(c, "ctl3", KafkaMigration::controller);
  expect_lines(controller, {"listener.name.controller.ssl.client.auth=required",
                            "inter.broker.listener.name=INTERNAL"});
  expect_zookeeper_as_the_brokers(controller, Authentication::mtls);
}

TEST(KafkaMigrationSecure, TlsWithoutAuthorizationSetsNoZnodeAcls) {
  const auto c = testing::secured(migration_cluster(), Authentication::none);
  const std::string controller = properties(c, "ctl1", KafkaMigration::controller);
  EXPECT_TRUE(has_line(controller, "zookeeper.ssl.client.enable=true")) << controller;
  for (const char* key :
       {"zookeeper.set.acl", "authorizer.class.name", "listener.name.controller.ssl.client.auth"})
    EXPECT_FALSE(has_key(controller, key)) << key << "\n" << controller;
}

TEST(KafkaMigrationSecure, EveryNodeGetsItsTlsFilesAndTheAdminConfig) {
  const auto c = testing::secured(migration_cluster());
  const auto material = testing::fake_material();
  for (const auto& [host, step] : {std::pair{"ctl1", KafkaMigration::controller},
                                   std::pair{"node1", KafkaMigration::broker}}) {
    auto files = render_kafka_node_in_migration(c, node_named(c, host), step, {}, &material);
    ASSERT_TRUE(files.ok()) << files.error().message;
    std::vector<std::string> paths;
    for (const auto& f : *files) paths.push_back(f.path);
    for (const char* want :
         {"/opt/kafka/config/tls/node.pem", "/opt/kafka/config/tls/ca.pem",
          "/opt/kafka/config/tls/admin.pem", "/opt/kafka/config/tls/admin.properties"})
      EXPECT_NE(std::find(paths.begin(), paths.end(), want), paths.end()) << host << " " << want;
  }
  // An open cluster holds none (and refuses material given for it).
  const auto open = migration_cluster();
  EXPECT_FALSE(render_kafka_node_in_migration(open, node_named(open, "ctl1"),
                                              KafkaMigration::controller, {}, &material)
                   .ok());
}

std::vector<KafkaNode> nodes_of(const inventory::Cluster& c, bool controllers) {
  std::vector<KafkaNode> out;
  for (const auto& n : c.kafka_nodes)
    if (n.controller == controllers) out.push_back(n);
  return out;
}

TEST(KafkaMigrationGolden, ControllersInMigrationMode) {
  const auto c = migration_cluster();
  test::expect_golden_tree(
      test::golden_dir() / "kafka-migration-controllers", nodes_of(c, true),
      [&](const KafkaNode& n) {
        return render_kafka_node_in_migration(c, n, KafkaMigration::controller);
      },
      2);
}

TEST(KafkaMigrationGolden, BrokersInMigration) {
  const auto c = migration_cluster();
  test::expect_golden_tree(
      test::golden_dir() / "kafka-migration-brokers", nodes_of(c, false),
      [&](const KafkaNode& n) {
        return render_kafka_node_in_migration(c, n, KafkaMigration::broker);
      },
      2);
}

// The secure files without the PEM texts (render places the caller's text unchanged).
util::Result<std::vector<RenderedFile>> secure_files(const inventory::Cluster& c,
                                                     const KafkaNode& n, KafkaMigration step) {
  const auto material = testing::fake_material();
  auto files = render_kafka_node_in_migration(c, n, step, {}, &material);
  if (files.ok())
    std::erase_if(*files, [](const RenderedFile& f) { return f.path.ends_with(".pem"); });
  return files;
}

TEST(KafkaMigrationGolden, SecureControllersInMigrationMode) {
  const auto c = testing::secured(migration_cluster());
  test::expect_golden_tree(
      test::golden_dir() / "kafka-migration-secure-controllers", nodes_of(c, true),
      [&](const KafkaNode& n) { return secure_files(c, n, KafkaMigration::controller); }, 3);
}

TEST(KafkaMigrationGolden, SecureBrokersInMigration) {
  const auto c = testing::secured(migration_cluster());
  test::expect_golden_tree(
      test::golden_dir() / "kafka-migration-secure-brokers", nodes_of(c, false),
      [&](const KafkaNode& n) { return secure_files(c, n, KafkaMigration::broker); }, 3);
}

}  // namespace
}  // namespace zkctl::render
