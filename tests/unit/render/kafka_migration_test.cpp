// A migration's transitional server.properties (KIP-866): controllers in migration mode and
// ZooKeeper-mode brokers in migration, compared with tests/golden/kafka-migration-*/
// (ZKCTL_UPDATE_GOLDEN=1 rewrites them; review the diff), and the refusals.

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "render/kafka.hpp"
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
  c = migration_cluster();
  auto secure = migration_properties_values(c, node_named(c, "ctl1"), KafkaMigration::controller);
  secure.security = KafkaSecurityValues{};
  EXPECT_EQ(render_server_properties(secure).error().message,
            "a migration to KRaft is done for open clusters only");
  c.servers.clear();
  EXPECT_EQ(render_kafka_node_in_migration(c, node_named(c, "ctl1"), KafkaMigration::controller)
                .error()
                .message,
            "ctl1: a migration needs the cluster's [[zookeeper.servers]]");
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

}  // namespace
}  // namespace zkctl::render
