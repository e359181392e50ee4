// How each tier shows its part of `zkctl status`: the table's verdict line and the JSON
// it adds to the status object (its keys filled, never null), from a status built by hand.

#include "ops/zookeeper/status_view.hpp"

#include <gtest/gtest.h>

#include "ops/kafka/status_view.hpp"

namespace zkctl::ops {
namespace {

TEST(StatusView, TheEnsembleFillsNodesAndQuorumAtTheTop) {
  inventory::Server s;
  s.host = "node1";
  s.id = 1;
  ClusterStatus st;
  NodeStatus n;
  n.server = &s;
  st.nodes.push_back(n);  // down: nothing answered
  st.quorum.voters = 1;
  st.quorum.majority = 1;
  ZooKeeperStatusView view("seed", st);
  nlohmann::json j = {{"cluster", "seed"}, {"nodes", nlohmann::json::array()}};
  view.add_json(j);
  EXPECT_EQ(j["cluster"], "seed");
  ASSERT_TRUE(j["nodes"].is_array());
  ASSERT_EQ(j["nodes"].size(), 1u);
  EXPECT_EQ(j["nodes"][0]["host"], "node1");
  ASSERT_TRUE(j["quorum"].is_object());
  EXPECT_EQ(j["quorum"]["ok"], false);
  EXPECT_EQ(view.health(), Health::failed);
  EXPECT_NE(view.table(util::Color::off).find("NO QUORUM"), std::string::npos);
}

TEST(StatusView, KafkaGoesUnderItsOwnKey) {
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{};
  inventory::KafkaNode node;
  node.host = "node1";
  node.id = 11;
  c.kafka_nodes.push_back(node);
  KafkaStatus st;
  KafkaNodeStatus ns;
  ns.node = &c.kafka_nodes[0];
  ns.process_up = true;
  st.nodes.push_back(ns);
  KafkaStatusView view(c, st);
  nlohmann::json j = {{"cluster", "k"}, {"nodes", nlohmann::json::array()}};
  view.add_json(j);
  EXPECT_TRUE(j["nodes"].empty());  // the ensemble's key stays the ensemble's
  ASSERT_TRUE(j["kafka"].is_object());
  EXPECT_EQ(view.health(), Health::failed);  // broker 11 is not registered
  EXPECT_NE(view.table(util::Color::off).find("node1"), std::string::npos);
}

// Three combined broker+controller nodes in KRaft mode, node2's JVM killed: the metadata
// still lists broker 2 (it is fenced only after the session timeout) and the quorum has a
// leader, yet its process is down and its listener fails. The verdict must say so.
struct KraftCluster {
  inventory::Cluster c;
  KafkaStatus st;
  KraftCluster() {
    c.name = "k";
    c.kafka = inventory::KafkaSettings{};
    c.kafka->mode = inventory::KafkaMode::kraft;
    for (int id = 1; id <= 3; ++id) {
      inventory::KafkaNode node;
      node.host = "node" + std::to_string(id);
      node.id = id;
      node.broker = node.controller = true;
      c.kafka_nodes.push_back(node);
    }
    st.health.quorum = KraftQuorum{.leader_id = 1, .voters = {1, 2, 3}};
    st.health.controller = 1;
    for (const auto& node : c.kafka_nodes) {
      KafkaNodeStatus ns;
      ns.node = &node;
      ns.process_up = true;
      ns.pid = 100 + node.id;
      ns.registered = ns.listener_ok = true;
      st.health.registered.insert(node.id);
      st.nodes.push_back(ns);
    }
  }
};

TEST(StatusView, KraftAllUpIsOk) {
  KraftCluster k;
  KafkaStatusView view(k.c, k.st);
  EXPECT_EQ(view.health(), Health::ok);
  EXPECT_NE(view.table(util::Color::off).find("kafka OK: 3/3"), std::string::npos);
}

TEST(StatusView, KraftNodeDownIsNotOkWhateverTheMetadataSays) {
  KraftCluster k;
  k.st.nodes[1].process_up = false;
  k.st.nodes[1].pid.reset();
  k.st.nodes[1].listener_ok = false;  // still registered: the metadata lags
  KafkaStatusView view(k.c, k.st);
  EXPECT_EQ(view.health(), Health::failed);
  const std::string table = view.table(util::Color::off);
  const auto verdict = table.substr(table.find("KAFKA UNHEALTHY"));
  EXPECT_NE(verdict.find("node2 (2) process down"), std::string::npos) << table;
  EXPECT_NE(verdict.find("node2 (2) listener :9092 unreachable"), std::string::npos) << table;
  nlohmann::json j = {{"cluster", "k"}, {"nodes", nlohmann::json::array()}};
  view.add_json(j);
  EXPECT_EQ(j["kafka"]["ok"], false);
  EXPECT_EQ(j["kafka"]["health"], "failed");
  EXPECT_EQ(j["kafka"]["problems"].size(), 2u);
}

TEST(StatusView, KraftControllerOnlyNodeDownDegrades) {
  KraftCluster k;
  k.c.kafka_nodes[2].broker = false;  // node3: controller only
  k.st.nodes[2].registered = false;
  k.st.nodes[2].listener_ok = false;
  k.st.nodes[2].process_up = false;
  KafkaStatusView view(k.c, k.st);
  EXPECT_EQ(view.health(), Health::degraded);
  EXPECT_NE(view.table(util::Color::off).find("kafka DEGRADED: 2/2 brokers registered"),
            std::string::npos)
      << view.table(util::Color::off);
}

TEST(StatusView, KraftProcessUncheckedDegrades) {
  KraftCluster k;
  k.st.nodes[0].process_up.reset();  // SSH failed
  KafkaStatusView view(k.c, k.st);
  EXPECT_EQ(view.health(), Health::degraded);
}

TEST(StatusView, AVoterDownWithQuorumDegradesTheEnsemble) {
  std::vector<inventory::Server> servers(3);
  ClusterStatus st;
  for (int i = 0; i < 3; ++i) {
    servers[i].host = "node" + std::to_string(i + 1);
    servers[i].id = i + 1;
    NodeStatus n;
    n.server = &servers[i];
    n.probe.mode =
        i == 0 ? probe::Mode::down : (i == 1 ? probe::Mode::leader : probe::Mode::follower);
    st.nodes.push_back(n);
  }
  st.quorum.voters = 3;
  st.quorum.majority = 2;
  st.quorum.voters_serving = 2;
  st.quorum.leaders = {&servers[1]};
  ZooKeeperStatusView view("seed", st);
  EXPECT_EQ(view.health(), Health::degraded);
  EXPECT_NE(view.table(util::Color::off)
                .find("quorum DEGRADED: 2/3 voters serving, majority 2, "
                      "leader node2 (id 2); node1 down"),
            std::string::npos)
      << view.table(util::Color::off);
  nlohmann::json j = {{"cluster", "seed"}, {"nodes", nlohmann::json::array()}};
  view.add_json(j);
  EXPECT_EQ(j["quorum"]["ok"], true);
  EXPECT_EQ(j["quorum"]["health"], "degraded");
  EXPECT_EQ(j["quorum"]["problems"][0], "node1 down");
  st.nodes[0].probe.mode = probe::Mode::follower;
  st.quorum.voters_serving = 3;
  EXPECT_EQ(ZooKeeperStatusView("seed", st).health(), Health::ok);
}

}  // namespace
}  // namespace zkctl::ops
