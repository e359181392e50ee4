#include <gtest/gtest.h>

#include "inventory/validate.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/host.hpp"
#include "ops/kafka/node.hpp"
#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/free_port.hpp"
#include "support/recording_progress.hpp"

using namespace zkctl;

namespace {
const ops::JavaNeed kKafka4{17, "Kafka 4.4.0"};
}  // namespace

TEST(KafkaClusterId, GeneratedIdsAreValidAndNeverLookLikeOptions) {
  for (int i = 0; i < 2000; ++i) {
    std::string id = ops::new_kafka_cluster_id();
    ASSERT_EQ(id.size(), 22u);
    ASSERT_NE(id.front(), '-') << id;
    ASSERT_TRUE(inventory::is_valid_kafka_cluster_id(id)) << id;
  }
  EXPECT_FALSE(inventory::is_valid_kafka_cluster_id("-bcdefghijklmnopqrstuw"));
}

TEST(KafkaQuorum, ParsesDescribeStatusOf39And4x) {
  auto q = ops::parse_quorum_status(
      "ClusterId:              MkU3OEVBNTcwNTJENDM2Qk\n"
      "LeaderId:               2\n"
      "LeaderEpoch:            15\n"
      "HighWatermark:          1234\n"
      "MaxFollowerLag:         0\n"
      "MaxFollowerLagTimeMs:   0\n"
      "CurrentVoters:          [1,2,3]\n"
      "CurrentObservers:       [4]\n");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->leader_id, 2);
  EXPECT_EQ(q->voters, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(q->observers, (std::vector<int>{4}));
  auto q4 = ops::parse_quorum_status(
      "LeaderId:               1\n"
      "CurrentVoters:          [{\"id\": 1, \"directoryId\": \"x\", \"endpoints\": "
      "[\"CONTROLLER://kf1:9093\"]}, "
      "{\"id\": 2, \"directoryId\": \"y\", \"endpoints\": [\"CONTROLLER://kf2:9093\"]}]\n"
      "CurrentObservers:       []\n");
  ASSERT_TRUE(q4.ok());
  EXPECT_EQ(q4->voters, (std::vector<int>{1, 2}));
  EXPECT_TRUE(q4->observers.empty());
  EXPECT_FALSE(ops::parse_quorum_status("Error: timed out").ok());
}

TEST(KafkaFacts, ReadsMetaAndRefusesAnotherNodesData) {
  auto f = ops::parse_kafka_facts(
      "java=openjdk 17\nmeta.cluster.id=abc\nmeta.node.id=7\nmeta.version=1\npid=99\n"
      "listen=9092 LISTEN 0 50 *:9092 *:* users:((\"java\",pid=99,fd=1))\n");
  EXPECT_EQ(f.meta.at("cluster.id"), "abc");
  EXPECT_EQ(f.pid, 99);
  inventory::KafkaNode n;
  n.id = 7;
  EXPECT_TRUE(ops::kafka_preflight_problems(n, f, "abc", kKafka4).empty());
  auto other_cluster = ops::kafka_preflight_problems(n, f, "xyz", kKafka4);
  ASSERT_EQ(other_cluster.size(), 1u);
  EXPECT_NE(other_cluster[0].find("belongs to Kafka cluster abc"), std::string::npos);
  n.id = 8;
  auto other_node = ops::kafka_preflight_problems(n, f, "abc", kKafka4);
  ASSERT_EQ(other_node.size(), 1u);
  EXPECT_NE(other_node[0].find("node.id 7"), std::string::npos);
}

#include "ops/commands/check.hpp"

TEST(Check, JavaVersions) {
  EXPECT_EQ(ops::java_major("openjdk version \"17.0.15\" 2025-04-15"), 17);
  EXPECT_EQ(ops::java_major("java version \"1.8.0_392\""), 8);
  EXPECT_EQ(ops::java_major("openjdk version \"21\" 2023-09-19"), 21);
  EXPECT_EQ(ops::java_major("bash: java: command not found"), 0);
}

TEST(Check, ParsesAHostProbe) {
  auto p = ops::parse_host_probe(
      "java=openjdk version \"17.0.15\" 2025-04-15\nmem=2048000\n"
      "disk=5242880 /var/lib/zookeeper\nname=node1 10.231.0.11\nname=ghost \nclock=1764000000.5\n");
  EXPECT_EQ(p.java_major, 17);
  EXPECT_EQ(p.mem_available_kb, 2048000);
  ASSERT_EQ(p.disk_free_kb.size(), 1u);
  EXPECT_EQ(p.disk_free_kb[0].first, "/var/lib/zookeeper");
  ASSERT_EQ(p.resolved.size(), 2u);
  EXPECT_EQ(p.resolved[0].second, "10.231.0.11");
  EXPECT_EQ(p.resolved[1].second, "");
  EXPECT_DOUBLE_EQ(p.clock, 1764000000.5);
}

TEST(KafkaRelease, TheVersionFromTheJarsDecidesTheMode) {
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{};
  c.kafka->mode = inventory::KafkaMode::zookeeper;
  ops::KafkaTier zk_mode(c, {});
  auto four = zk_mode.release_problem({4, 0, 0, "4.0.0"});
  ASSERT_TRUE(four);
  EXPECT_NE(four->find("has no ZooKeeper mode"), std::string::npos) << *four;
  EXPECT_FALSE(zk_mode.release_problem({3, 9, 2, "3.9.2"}));
  c.kafka->mode = inventory::KafkaMode::kraft;
  ops::KafkaTier kraft(c, {});
  EXPECT_TRUE(kraft.release_problem({3, 2, 0, "3.2.0"}));
  EXPECT_FALSE(kraft.release_problem({3, 3, 0, "3.3.0"}));
  EXPECT_FALSE(kraft.release_problem({4, 4, 0, "4.4.0"}));
}

// Two brokers on one host (#15): their steps say which is which, and a command's NODE names
// both by the host or one by its id.
TEST(KafkaNodes, TwoOnAHostAreNamedByTheirIds) {
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{};
  c.kafka->mode = inventory::KafkaMode::zookeeper;
  for (auto [host, id] : {std::pair{"n1", 11}, {"n2", 12}, {"n1", 14}}) {
    inventory::KafkaNode n;
    n.host = host;
    n.id = id;
    c.kafka_nodes.push_back(n);
  }
  ops::KafkaTier tier(c, c.kafka_nodes);
  auto nodes = tier.nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0]->step("restart"), "kafka 11 restart");
  EXPECT_EQ(nodes[1]->step("restart"), "kafka restart");
  EXPECT_EQ(nodes[2]->step("restart"), "kafka 14 restart");
  auto ids = [](const std::vector<ops::Component*>& v) {
    std::vector<int> out;
    for (auto* n : v) out.push_back(n->id());
    return out;
  };
  EXPECT_EQ(ids(ops::nodes_named(tier, "n1")), (std::vector<int>{11, 14}));
  EXPECT_EQ(ids(ops::nodes_named(tier, "14")), (std::vector<int>{14}));
  EXPECT_TRUE(ops::nodes_named(tier, "1").empty());
  EXPECT_TRUE(ops::nodes_named(tier, "n3").empty());
}

// #11: a broker killed mid-migration (still a ZooKeeper-mode broker of the KRaft inventory)
// keeps its registration until its ZooKeeper session expires; starting it before fails
// (NodeExists). Its start waits as a ZooKeeper-mode cluster's does (here: ZooKeeper
// unreachable, an error), a KRaft broker's never looks.
TEST(KafkaStaleRegistration, AMigrationsZooKeeperModeBrokerIsLookedForInZooKeeper) {
  const int closed = zkctl::testing::free_port();
  auto c = zkctl::testing::cluster_of({zkctl::testing::zk_server("127.0.0.1", 1, closed)},
                                      {zkctl::testing::kafka_node("127.0.0.1", 11, true, false)});
  runner::NullProgress progress;
  ops::Options o;
  o.probe_timeout = std::chrono::milliseconds(100);
  ops::Context kraft(c, o, progress);
  EXPECT_TRUE(ops::wait_stale_registration_gone(kraft, c.kafka_nodes[0], "kafka start"));
  o.kafka_brokers_as = render::KafkaMigration::broker;
  ops::Context migrating(c, o, progress);
  auto r = ops::wait_stale_registration_gone(migrating, c.kafka_nodes[0], "kafka start");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("zookeeper"), std::string::npos) << r.error().message;
}

// The roll's gates poll one way (await_gate, await_batch_gate, await_rejoin): each new wait
// shown once, until go or refuse, or the wait timeout names what was still awaited.
TEST(KafkaGatePolling, ShowsEachNewWaitOnceUntilTheGateAnswers) {
  using Kind = ops::GateVerdict::Kind;
  auto c = zkctl::testing::cluster_of({}, {zkctl::testing::kafka_node("n1", 11, true, false)});
  zkctl::testing::RecordingProgress progress;
  ops::Options o;
  ops::Context ctx(c, o, progress);
  std::vector<ops::GateVerdict> looks = {{Kind::wait, "waiting for a"},
                                         {Kind::wait, "waiting for a"},
                                         {Kind::wait, "waiting for b"},
                                         {Kind::refuse, "no"}};
  std::size_t looked = 0;
  auto v = ops::poll_gate(ctx, "n1", "kafka restart", ops::GatePhase::before,
                          [&] { return looks[looked++]; });
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Kind::refuse);
  EXPECT_EQ(looked, 4u);
  ASSERT_EQ(progress.events.size(), 2u);
  EXPECT_EQ(progress.events[0].detail, "waiting for a");
  EXPECT_EQ(progress.events[1].detail, "waiting for b");
  EXPECT_EQ(progress.events[1].host, "n1");
  EXPECT_EQ(progress.events[1].step, "kafka restart");

  o.wait_timeout = std::chrono::seconds(0);
  ops::Context hurried(c, o, progress);
  auto late = ops::poll_gate(hurried, "n1", "kafka restart", ops::GatePhase::after, [] {
    return ops::GateVerdict{Kind::wait, "waiting for broker 11 back in ISR"};
  });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message,
            "after the restart, still waiting for broker 11 back in ISR after 0s");
}
