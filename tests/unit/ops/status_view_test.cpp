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
  EXPECT_FALSE(view.ok());
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
  EXPECT_FALSE(view.ok());  // broker 11 is not registered
  EXPECT_NE(view.table(util::Color::off).find("node1"), std::string::npos);
}

}  // namespace
}  // namespace zkctl::ops
