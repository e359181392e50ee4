// Racks (#15): the warnings check and plan print (quorums a rack's loss breaks, topics in
// fewer racks than they could use) and the steps of a roll by rack, from clusters and
// metadata built in code.

#include "ops/cluster/racks.hpp"

#include <gtest/gtest.h>

#include "ops/kafka/rack_roll.hpp"
#include "support/cluster.hpp"

using namespace zkctl;
using namespace zkctl::ops;
using inventory::KafkaNode;
using probe::KafkaMetadata;
using probe::KafkaPartition;

namespace {

// Voters node1..node3 in `racks` (one each).
inventory::Cluster voters_in(const std::vector<std::string>& racks) {
  inventory::Cluster c = zkctl::testing::bare_voters(static_cast<int>(racks.size()), "t");
  for (std::size_t i = 0; i < racks.size(); ++i) c.servers[i].rack = racks[i];
  return c;
}

KafkaNode node(const std::string& host, int id, const std::string& rack, bool controller = false) {
  KafkaNode n = zkctl::testing::kafka_node(host, id, !controller, controller);
  n.rack = rack;
  return n;
}

KafkaPartition part(const std::string& topic, int n, std::vector<int> replicas) {
  KafkaPartition p;
  p.topic = topic;
  p.partition = n;
  p.replicas = replicas;
  p.isr = replicas;
  p.leader = replicas.front();
  return p;
}

// Brokers 11..16 registered; 11, 14 in r1, 12, 15 in r2, 13, 16 in r3.
KafkaMetadata six_brokers(std::vector<KafkaPartition> parts) {
  KafkaMetadata md;
  for (int b = 11; b <= 16; ++b) md.brokers.push_back({b, "node", 9092});
  md.partitions = std::move(parts);
  return md;
}
const std::map<int, std::string> kSixRacks = {{11, "r1"}, {12, "r2"}, {13, "r3"},
                                              {14, "r1"}, {15, "r2"}, {16, "r3"}};

std::vector<int> ids(const RackBatch& b) {
  std::vector<int> out;
  for (const auto* n : b.nodes) out.push_back(n->id);
  return out;
}

}  // namespace

TEST(RackQuorum, OneVoterPerRackLosesNoQuorum) {
  EXPECT_TRUE(quorum_rack_warnings(voters_in({"r1", "r2", "r3"})).empty());
  EXPECT_TRUE(quorum_rack_warnings(voters_in({"r1", "r1", "r2", "r2", "r3"})).empty());
}

TEST(RackQuorum, ARackHoldingAMajorityIsNamedWithItsVoters) {
  auto w = quorum_rack_warnings(voters_in({"r1", "r1", "r2"}));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0],
            "zookeeper: losing rack r1 (voters node1, node2) leaves 1 of 3 voters; a quorum "
            "needs 2");
  // Two racks of two voters each (4 voters): either loss leaves 2 of 4, below 3.
  EXPECT_EQ(quorum_rack_warnings(voters_in({"a", "a", "b", "b"})).size(), 2u);
  w = quorum_rack_warnings(voters_in({"r1", "r1", "r1"}));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("(every one of them is in that rack)"), std::string::npos) << w[0];
}

TEST(RackQuorum, ObserversAndRacklessClustersDrawNothing) {
  inventory::Cluster c = voters_in({"r1", "r2", "r3"});
  c.servers.push_back(zkctl::testing::bare_observer("nn01", 4));
  c.servers.back().rack = "r1";
  EXPECT_TRUE(quorum_rack_warnings(c).empty());
  EXPECT_TRUE(quorum_rack_warnings(zkctl::testing::bare_voters(3, "t")).empty());
}

TEST(RackQuorum, KraftControllersAreCountedOnTheirOwn) {
  inventory::Cluster c = zkctl::testing::cluster_of(
      {}, {node("k1", 1, "r1", true), node("k2", 2, "r1", true), node("k3", 3, "r2", true),
           node("b1", 4, "r2"), node("b2", 5, "r3")});
  auto w = quorum_rack_warnings(c);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0],
            "kafka: losing rack r1 (controllers k1, k2) leaves 1 of 3 controllers; a quorum "
            "needs 2");
}

TEST(RackTopics, ReplicasOverEveryRackTheyCanUseDrawNothing) {
  // RF 3 over 3 racks; RF 2 over 2 racks; RF 1 in any.
  auto md = six_brokers({part("t", 0, {11, 12, 13}), part("t", 1, {14, 15, 16}),
                         part("u", 0, {11, 15}), part("v", 0, {14})});
  EXPECT_TRUE(topic_rack_warnings(md, kSixRacks).empty());
}

TEST(RackTopics, ATopicInFewerRacksThanItCouldIsNamedWithAPartition) {
  auto md = six_brokers({part("orders", 0, {11, 14, 12}), part("orders", 1, {12, 13, 11}),
                         part("orders", 2, {11, 14}), part("ok", 0, {12, 13})});
  auto w = topic_rack_warnings(md, kSixRacks);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0],
            "topic orders: 2 of 3 partitions have their replicas in fewer racks than they could "
            "(orders-0: replicas 11@r1, 14@r1, 12@r2, 2 of 3 racks it could use)");
}

TEST(RackTopics, NoRacksInTheClusterMeansNoWarnings) {
  auto md = six_brokers({part("t", 0, {11, 14})});
  EXPECT_TRUE(topic_rack_warnings(md, {}).empty());
  EXPECT_TRUE(topic_rack_warnings(md, {{11, ""}, {14, ""}}).empty());
}

TEST(RackBatches, BrokersGroupPerRackTheActiveControllersRackLast) {
  std::vector<KafkaNode> n = {node("node1", 11, "r1"), node("node2", 12, "r2"),
                              node("node3", 13, "r3"), node("node1", 14, "r1"),
                              node("node2", 15, "r2"), node("node3", 16, "r3")};
  std::vector<const KafkaNode*> p;
  for (const auto& x : n) p.push_back(&x);
  auto b = rack_batches(p, 15);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].rack, "r1");
  EXPECT_EQ(ids(b[0]), (std::vector<int>{11, 14}));
  EXPECT_EQ(b[1].rack, "r3");
  EXPECT_EQ(ids(b[1]), (std::vector<int>{13, 16}));
  EXPECT_EQ(b[2].rack, "r2");
  EXPECT_EQ(ids(b[2]), (std::vector<int>{12, 15}));  // the controller last within its rack
  b = rack_batches(p, 12);
  EXPECT_EQ(ids(b[2]), (std::vector<int>{15, 12}));
}

TEST(RackBatches, ControllerVotersAndRacklessNodesGoAloneAfterTheRacks) {
  std::vector<KafkaNode> n = {node("c1", 1, "r1", true), node("b1", 11, "r1"),
                              node("c2", 2, "r2", true), node("b2", 12, "r2"),
                              node("b3", 13, ""),        node("b4", 14, "r1")};
  n[0].broker = true;  // combined broker+controller: a voter, alone
  std::vector<const KafkaNode*> p;
  for (const auto& x : n) p.push_back(&x);
  auto b = rack_batches(p, 1);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(ids(b[0]), (std::vector<int>{11, 14}));
  EXPECT_EQ(ids(b[1]), (std::vector<int>{12}));
  EXPECT_EQ(ids(b[2]), (std::vector<int>{2}));
  EXPECT_EQ(ids(b[3]), (std::vector<int>{13}));
  EXPECT_EQ(ids(b[4]), (std::vector<int>{1}));  // the active controller last
  EXPECT_EQ(b[4].rack, "");
}

TEST(RackBatches, ABatchIsNamedByItsRackAndSortedIds) {
  KafkaNode a = node("node2", 15, "r2"), b = node("node2", 12, "r2");
  EXPECT_EQ(rack_batch_text({"r2", {&a, &b}}), "rack r2 (brokers 12, 15)");
}
