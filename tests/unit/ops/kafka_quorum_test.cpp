// The KRaft controller quorum (#15, KIP-853): the tools' answers parsed, the quorum's kind
// decided from the cluster, the nodes' storage and the record, the format arguments, and the
// refusals of controller changes.

#include <gtest/gtest.h>

#include <cstdlib>

#include "ops/kafka/quorum.hpp"
#include "support/cluster.hpp"

using namespace zkctl;

namespace {

inventory::KafkaNode node(const char* host, int id, bool broker, bool controller) {
  inventory::KafkaNode n;
  n.host = host;
  n.id = id;
  n.broker = broker;
  n.controller = controller;
  n.log_dirs = {"/var/lib/kafka/data"};
  return n;
}

inventory::Cluster kraft(int controllers) {
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{.mode = inventory::KafkaMode::kraft};
  for (int i = 1; i <= controllers; ++i)
    c.kafka_nodes.push_back(node(("kf" + std::to_string(i)).c_str(), i, true, true));
  return c;
}

ops::QuorumFacts facts(int major, int minor) {
  ops::QuorumFacts f;
  f.kraft = true;
  f.version = {major, minor, 0, std::to_string(major) + "." + std::to_string(minor) + ".0"};
  return f;
}

std::function<std::string()> ids() {
  auto n = std::make_shared<int>(0);
  return [n] { return "DIR" + std::to_string(++*n); };
}

const char* kStatus =
    "ClusterId:              AAAAAAAAAAAAAAAAAAAAAQ\n"
    "LeaderId:               1\n"
    "LeaderEpoch:            1\n"
    "CurrentVoters:          [{\"id\": 1, \"directoryId\": \"MvDxzVmcRsaTz33bUuRU6A\", "
    "\"endpoints\": [\"CONTROLLER://127.0.0.1:19093\"]}, {\"id\": 2, \"directoryId\": "
    "\"j9Xf16HUe4DjbyiGxO8k9g\", \"endpoints\": [\"CONTROLLER://127.0.0.1:19094\"]}]\n"
    "CurrentObservers:       [{\"id\": 4, \"directoryId\": \"OBS\"}]\n";

// As Kafka 4.4's describe --replication printed it in a local run.
const char* kReplication =
    "NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\t"
    "LastCaughtUpTimestamp\tStatus  \t\n"
    "1     \tMvDxzVmcRsaTz33bUuRU6A\t33          \t0  \t1796031705726     \t1796031705726"
    "        \tLeader  \t\n"
    "2     \tj9Xf16HUe4DjbyiGxO8k9g\t33          \t0  \t1796031705407     \t1796031705407"
    "        \tFollower\t\n"
    "3     \tAAAAAAAAAAAAAAAAAAAAAA\t20          \t13 \t1796031695000     \t1796031690000"
    "        \tFollower\t\n"
    "4     \tOBS                   \t30          \t3  \t1796031705407     \t1796031705000"
    "        \tObserver\t\n";

}  // namespace

TEST(KafkaQuorum, ParsesVotersObserversAndTheirDirectories) {
  auto m = ops::parse_quorum_members(kStatus);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->leader_id, 1);
  ASSERT_EQ(m->voters.size(), 2u);
  EXPECT_EQ(m->voters[1].id, 2);
  EXPECT_EQ(m->voters[1].directory_id, "j9Xf16HUe4DjbyiGxO8k9g");
  ASSERT_EQ(m->observers.size(), 1u);
  EXPECT_EQ(m->observers[0].directory_id, "OBS");
  EXPECT_TRUE(m->has_voter(1) && !m->has_voter(4));
  auto old = ops::parse_quorum_members("LeaderId: 2\nCurrentVoters: [1,2,3]\n");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->voters.size(), 3u);
  EXPECT_FALSE(ops::parse_quorum_members("Error: timed out\n").ok());
}

TEST(KafkaQuorum, ParsesReplicationRowsAndKraftVersion) {
  auto rows = ops::parse_replication_rows(kReplication);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].id, 4);
  EXPECT_EQ(rows[3].lag, 3);
  EXPECT_EQ(rows[3].status, "Observer");
  EXPECT_EQ(rows[0].last_caught_up_ms, 1796031705726);
  EXPECT_TRUE(ops::observer_caught_up(rows, 4));
  EXPECT_FALSE(ops::observer_caught_up(rows, 3));  // lag 13
  EXPECT_FALSE(ops::observer_caught_up(rows, 9));  // not listed
  const char* features =
      "Feature: group.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\t"
      "FinalizedVersionLevel: 1\tEpoch: 11\n"
      "Feature: kraft.version                             SupportedMinVersion: 0"
      "                SupportedMaxVersion: 1                FinalizedVersionLevel: 0"
      "                Epoch: 11\n";
  EXPECT_EQ(ops::parse_kraft_version(features), 0);
  EXPECT_EQ(ops::parse_kraft_version("Feature: metadata.version FinalizedVersionLevel: 1\n"),
            std::nullopt);
}

TEST(KafkaQuorum, ANewClusterOn39OrLaterIsFormattedDynamicWithEveryController) {
  auto c = kraft(3);
  c.kafka_nodes.push_back(node("b4", 4, true, false));
  auto p = ops::decide_quorum(c, facts(4, 4), ids());
  EXPECT_EQ(p.kind, ops::QuorumKind::dynamic);
  EXPECT_EQ(p.render(), render::KafkaQuorum::bootstrap);
  EXPECT_EQ(p.initial, "1@kf1:9093:DIR1,2@kf2:9093:DIR2,3@kf3:9093:DIR3");
  EXPECT_TRUE(p.joining.empty() && p.problems.empty());
  EXPECT_EQ(ops::format_quorum_args(p, c.kafka_nodes[0]),
            (std::vector<std::string>{"--initial-controllers", p.initial}));
  EXPECT_TRUE(ops::format_quorum_args(p, c.kafka_nodes[3]).empty());  // a broker
  // Redeployed before any format happened: the recorded directory ids are kept.
  auto f = facts(3, 9);
  f.record = {ops::QuorumKind::dynamic, p.initial};
  EXPECT_EQ(ops::decide_quorum(c, f, ids()).initial, p.initial);
}

TEST(KafkaQuorum, OlderReleasesMigrationsAndZooKeeperModeStayStatic) {
  auto c = kraft(3);
  EXPECT_EQ(ops::decide_quorum(c, facts(3, 8), ids()).kind, ops::QuorumKind::fixed);
  auto f = facts(3, 9);
  f.migration = true;  // Kafka 3.9's migration supports no dynamic quorum
  auto p = ops::decide_quorum(c, f, ids());
  EXPECT_EQ(p.kind, ops::QuorumKind::fixed);
  EXPECT_EQ(p.render(), render::KafkaQuorum::voters);
  EXPECT_TRUE(ops::format_quorum_args(p, c.kafka_nodes[0]).empty());
}

TEST(KafkaQuorum, AnExistingClustersKindIsTheClustersOwnElseTheRecord) {
  auto c = kraft(3);
  auto f = facts(4, 4);
  f.formatted = {{1, "A"}, {2, "B"}, {3, "C"}};
  f.record.kind = ops::QuorumKind::dynamic;
  f.kraft_version = 0;  // formatted static (an older zkctl): the cluster wins, not rewritten
  auto p = ops::decide_quorum(c, f, ids());
  EXPECT_EQ(p.kind, ops::QuorumKind::fixed);
  EXPECT_TRUE(p.problems.empty());
  f.kraft_version.reset();
  EXPECT_EQ(ops::decide_quorum(c, f, ids()).kind, ops::QuorumKind::dynamic);
  f.record.kind = ops::QuorumKind::unknown;
  p = ops::decide_quorum(c, f, ids());
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].find("cannot tell whether the KRaft controller quorum is static"),
            std::string::npos);
}

TEST(KafkaQuorum, AControllerAddedToADynamicQuorumJoinsAfterItsStart) {
  auto c = kraft(3);
  c.kafka_nodes.push_back(node("kf4", 4, false, true));
  auto f = facts(4, 4);
  f.formatted = {{1, "A"}, {2, "B"}, {3, "C"}};
  f.kraft_version = 1;
  f.record = {ops::QuorumKind::dynamic, "1@kf1:9093:A,2@kf2:9093:B,3@kf3:9093:C"};
  f.members = ops::parse_quorum_members(
                  "LeaderId: 1\nCurrentVoters: [{\"id\": 1, \"directoryId\": \"A\"}, {\"id\": 2,"
                  " \"directoryId\": \"B\"}, {\"id\": 3, \"directoryId\": \"C\"}]\n")
                  .value();
  auto p = ops::decide_quorum(c, f, ids());
  EXPECT_EQ(p.kind, ops::QuorumKind::dynamic);
  EXPECT_EQ(p.joining, (std::set<int>{4}));
  EXPECT_EQ(ops::format_quorum_args(p, c.kafka_nodes[3]),
            (std::vector<std::string>{"--no-initial-controllers"}));
  // The cluster down: an unformatted controller outside the initial ones still joins.
  f.members.reset();
  EXPECT_EQ(ops::decide_quorum(c, f, ids()).joining, (std::set<int>{4}));
}

TEST(KafkaQuorum, AControllerAddedToAStaticQuorumIsRefusedNamingWhatIsNeeded) {
  auto c = kraft(3);
  c.kafka_nodes.push_back(node("kf4", 4, false, true));
  auto f = facts(4, 4);
  f.formatted = {{1, "A"}, {2, "B"}, {3, "C"}};
  f.kraft_version = 0;
  f.members = ops::parse_quorum_members("LeaderId: 1\nCurrentVoters: [1,2,3]\n").value();
  auto p = ops::decide_quorum(c, f, ids());
  EXPECT_TRUE(p.problems.empty());
  ASSERT_EQ(p.refusals.size(), 1u);
  EXPECT_NE(p.refusals[0].find("kafka node 4 (kf4): adding a KRaft controller is refused: the "
                               "cluster's controller quorum is static"),
            std::string::npos)
      << p.refusals[0];
  EXPECT_NE(p.refusals[0].find("KIP-853: kraft.version 1"), std::string::npos);
  EXPECT_TRUE(p.joining.empty());
  EXPECT_EQ(p.render(), render::KafkaQuorum::voters);
}

TEST(KafkaQuorum, RemovingControllersKeepsThreeAndAServingMajority) {
  auto members = ops::parse_quorum_members(
                     "LeaderId: 1\nCurrentVoters: [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}, "
                     "{\"id\": 4}, {\"id\": 5}]\n")
                     .value();
  auto rows = ops::parse_replication_rows(kReplication);  // 1, 2 serving; 3 behind
  rows.push_back({5, "E", 33, 0, 1796031705726, "Follower"});
  rows[3].status = "Follower";  // a voter in `members`, so a voter in the replication rows too
  const auto dyn = ops::QuorumKind::dynamic;
  // 5 -> 4 voters, 1, 2 and 4's timestamp recent: 3 of 4 serve, a majority.
  EXPECT_TRUE(ops::controller_removal_refusals(dyn, members, rows, {5}, ops::Force::no).empty());
  rows[3].last_caught_up_ms = 1;  // 4 no longer serving: 1 and 2 of 1, 2, 3, 4
  auto r = ops::controller_removal_refusals(dyn, members, rows, {5}, ops::Force::yes);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find("fewer than a majority"), std::string::npos) << r[0];
  // 5 -> 2: fewer than three, unless forced.
  rows[3].last_caught_up_ms = 1796031705000;
  r = ops::controller_removal_refusals(dyn, members, rows, {3, 4, 5}, ops::Force::no);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find("leaves 2 voter(s) (fewer than 3"), std::string::npos) << r[0];
  EXPECT_TRUE(
      ops::controller_removal_refusals(dyn, members, rows, {3, 4, 5}, ops::Force::yes).empty());
  // A static quorum: refused, forced or not.
  r = ops::controller_removal_refusals(ops::QuorumKind::fixed, {}, {}, {5}, ops::Force::yes);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find("static (controller.quorum.voters, kraft.version 0)"), std::string::npos);
}

TEST(KafkaQuorum, TheRecordRoundTrips) {
  zkctl::testing::TempDir home("quorum");
  setenv("ZKCTL_HOME", home.path().c_str(), 1);
  EXPECT_EQ(ops::recorded_quorum("k").kind, ops::QuorumKind::unknown);
  ASSERT_TRUE(ops::record_quorum("k", {ops::QuorumKind::dynamic, "1@h:9093:D"}).ok());
  auto rec = ops::recorded_quorum("k");
  EXPECT_EQ(rec.kind, ops::QuorumKind::dynamic);
  EXPECT_EQ(rec.initial, "1@h:9093:D");
  ASSERT_TRUE(ops::record_quorum("k", {ops::QuorumKind::fixed, ""}).ok());
  EXPECT_EQ(ops::recorded_quorum("k").kind, ops::QuorumKind::fixed);
  unsetenv("ZKCTL_HOME");
}

// zkctl render asks no host (#15): the recorded quorum decides, else the release.
TEST(KafkaQuorum, RenderNamesTheQuorumAsRecorded) {
  zkctl::testing::TempDir home("quorum-render");
  setenv("ZKCTL_HOME", home.path().c_str(), 1);
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{};
  c.kafka->mode = inventory::KafkaMode::kraft;
  c.kafka->distribution = home.path() + "/missing.tgz";
  // No record, no readable tarball: controller.quorum.voters, as before 3.9.
  EXPECT_EQ(ops::offline_quorum(c), render::KafkaQuorum::voters);
  ASSERT_TRUE(ops::record_quorum("k", {ops::QuorumKind::dynamic, "1@h:9093:D"}).ok());
  EXPECT_EQ(ops::offline_quorum(c), render::KafkaQuorum::bootstrap);
  c.kafka->mode = inventory::KafkaMode::zookeeper;
  EXPECT_EQ(ops::offline_quorum(c), render::KafkaQuorum::voters);
  EXPECT_TRUE(ops::dynamic_quorum_release({3, 9, 0, "3.9.0"}));
  EXPECT_TRUE(ops::dynamic_quorum_release({4, 0, 0, "4.0.0"}));
  EXPECT_FALSE(ops::dynamic_quorum_release({3, 8, 1, "3.8.1"}));
  unsetenv("ZKCTL_HOME");
}
