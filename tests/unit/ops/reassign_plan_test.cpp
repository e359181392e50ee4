// Replica moves for drain and rebalance, from hand-built metadata (no cluster).

#include "ops/kafka/reassign_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

using namespace zkctl::ops;
using zkctl::probe::KafkaMetadata;
using zkctl::probe::KafkaMinInsync;
using zkctl::probe::KafkaPartition;

namespace {

KafkaPartition part(const std::string& topic, int n, std::vector<int> replicas,
                    std::vector<int> isr = {}) {
  KafkaPartition p;
  p.topic = topic;
  p.partition = n;
  p.isr = isr.empty() ? replicas : isr;
  p.leader = p.isr.front();
  p.replicas = std::move(replicas);
  return p;
}

KafkaMetadata cluster(std::vector<KafkaPartition> parts, std::vector<int> brokers) {
  KafkaMetadata md;
  for (int b : brokers) md.brokers.push_back({b, "node", 9092});
  md.partitions = std::move(parts);
  return md;
}

// The lab's layout: 11/14 in r1, 12/15 in r2, 13/16 in r3.
const BrokerRacks kRacks = {{11, "r1"}, {12, "r2"}, {13, "r3"}, {14, "r1"}, {15, "r2"}, {16, "r3"}};

// Six partitions over six brokers, one replica per rack, each broker leading one.
KafkaMetadata six() {
  return cluster(
      {part("t", 0, {11, 12, 13}), part("t", 1, {12, 13, 14}), part("t", 2, {13, 14, 15}),
       part("t", 3, {14, 15, 16}), part("t", 4, {15, 16, 11}), part("t", 5, {16, 11, 12})},
      {11, 12, 13, 14, 15, 16});
}

std::set<std::string> racks(const std::vector<int>& replicas) {
  std::set<std::string> out;
  for (int r : replicas) out.insert(kRacks.at(r));
  return out;
}

}  // namespace

TEST(ReassignPlan, DrainMovesEveryReplicaToTheSameRackAndOffTheBroker) {
  auto plan = plan_drain(six(), 11, {12, 13, 14, 15, 16}, kRacks);
  EXPECT_TRUE(plan.refusals.empty());
  ASSERT_EQ(plan.moves.size(), 3u);  // t-0, t-4, t-5 hold 11
  for (const auto& m : plan.moves) {
    EXPECT_EQ(std::count(m.to.begin(), m.to.end(), 11), 0) << m.topic << m.partition;
    EXPECT_EQ(racks(m.to).size(), 3u) << m.topic << m.partition;  // 14 is r1's only other
    EXPECT_EQ(m.to.size(), m.from.size());
  }
}

TEST(ReassignPlan, ADrainedPreferredLeaderIsReplacedFirstByAKeptReplicaAndTheNewOneGoesLast) {
  auto plan = plan_drain(six(), 11, {12, 13, 14, 15, 16}, kRacks);
  ASSERT_EQ(plan.moves[0].topic + std::to_string(plan.moves[0].partition), "t0");
  const auto& to = plan.moves[0].to;  // from [11, 12, 13]
  EXPECT_NE(to.front(), 14);          // the new replica is not in sync yet: never first
  EXPECT_EQ(to.back(), 14);
  EXPECT_TRUE(to.front() == 12 || to.front() == 13);
  // Not the preferred leader: the replacement takes its place.
  EXPECT_EQ(plan.moves[1].from, (std::vector<int>{15, 16, 11}));
  EXPECT_EQ(plan.moves[1].to, (std::vector<int>{15, 16, 14}));
}

TEST(ReassignPlan, DrainWithoutRacksSpreadsTheReplicasOverTheLeastLoadedBrokers) {
  auto md = cluster(
      {part("a", 0, {1, 2}), part("a", 1, {1, 2}), part("a", 2, {1, 3}), part("a", 3, {1, 3})},
      {1, 2, 3, 4, 5});
  auto plan = plan_drain(md, 1, {2, 3, 4, 5}, {});
  ASSERT_EQ(plan.moves.size(), 4u);
  std::map<int, int> added;
  for (const auto& m : plan.moves)
    for (int r : m.to)
      if (std::find(m.from.begin(), m.from.end(), r) == m.from.end()) ++added[r];
  EXPECT_EQ(added[4], 2);  // the empty brokers first, evenly
  EXPECT_EQ(added[5], 2);
}

TEST(ReassignPlan, ATopicWhoseReplicationFactorTheRemainingBrokersCannotHoldIsRefusedByName) {
  auto md =
      cluster({part("orders", 0, {1, 2, 3}), part("orders", 1, {2, 3, 1}), part("logs", 0, {1, 2})},
              {1, 2, 3});
  auto plan = plan_drain(md, 1, {2, 3}, {});
  ASSERT_EQ(plan.refusals.size(), 1u);
  EXPECT_EQ(plan.refusals[0],
            "topic orders has replication factor 3 (orders-0), but only 2 broker(s) would remain");
  ASSERT_EQ(plan.moves.size(), 1u);  // logs-0 can still go
  EXPECT_EQ(plan.moves[0].to, (std::vector<int>{2, 3}));
}

TEST(ReassignPlan, RebalanceFillsANewBrokerWithinItsRackAndEvensCounts) {
  // Broker 17 added in r1: it takes replicas only from r1's brokers (racks kept).
  BrokerRacks r = kRacks;
  r[17] = "r1";
  KafkaMetadata md = six();
  for (int i = 0; i < 6; ++i)
    md.partitions.push_back(
        part("u", i, i % 2 ? std::vector<int>{14, 15, 16} : std::vector<int>{11, 12, 13}));
  md.brokers.push_back({17, "node", 9092});
  std::vector<int> brokers = {11, 12, 13, 14, 15, 16, 17};
  auto plan = plan_rebalance(md, brokers, r);
  ASSERT_FALSE(plan.moves.empty());
  std::map<std::string, std::vector<int>> after;
  for (const auto& p : md.partitions) after[p.topic + std::to_string(p.partition)] = p.replicas;
  for (const auto& m : plan.moves) {
    std::set<std::string> before_racks, now_racks;
    for (int b : m.from) before_racks.insert(r.at(b));
    for (int b : m.to) now_racks.insert(r.at(b));
    EXPECT_GE(now_racks.size(), before_racks.size());
    after[m.topic + std::to_string(m.partition)] = m.to;
  }
  std::map<int, int> load;
  for (const auto& [_, reps] : after)
    for (int b : reps) ++load[b];
  EXPECT_GT(load[17], 0);
  // r1 holds 12 replicas over 11, 14 and 17: four each.
  EXPECT_EQ(load[11], 4);
  EXPECT_EQ(load[14], 4);
  EXPECT_EQ(load[17], 4);
}

TEST(ReassignPlan, RebalanceSpreadsPreferredLeadersByReorderingOnly) {
  auto md = cluster(
      {part("t", 0, {1, 2}), part("t", 1, {1, 2}), part("t", 2, {1, 2}), part("t", 3, {1, 2})},
      {1, 2});
  auto plan = plan_rebalance(md, {1, 2}, {});
  ASSERT_EQ(plan.moves.size(), 2u);
  for (const auto& m : plan.moves) EXPECT_EQ(m.to, (std::vector<int>{2, 1}));
}

TEST(ReassignPlan, ABalancedClusterNeedsNoMoves) {
  EXPECT_TRUE(plan_rebalance(six(), {11, 12, 13, 14, 15, 16}, kRacks).moves.empty());
}

TEST(ReassignPlan, KafkasFilesForTheMovesAndTheElection) {
  std::vector<ReplicaMove> moves = {{"t", 0, {1, 2}, {2, 3}, 10}};
  EXPECT_EQ(reassignment_json(moves),
            R"({"partitions":[{"partition":0,"replicas":[2,3],"topic":"t"}],"version":1})");
  EXPECT_EQ(election_json(moves), R"({"partitions":[{"partition":0,"topic":"t"}]})");
  auto back = moves_from_json(moves_to_json(moves));
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[0].to, moves[0].to);
  EXPECT_EQ((*back)[0].from, moves[0].from);
  EXPECT_EQ((*back)[0].bytes, 10);
  EXPECT_FALSE(moves_from_json(nlohmann::json::parse(R"([{"topic":"t"}])")));
}

TEST(ReassignPlan, ParsesKafkaLogDirsOutput) {
  const std::string text =
      "Querying brokers for log directories information\n"
      "Received log directory information from brokers 1,2\n"
      R"({"brokers":[{"broker":1,"logDirs":[{"partitions":[{"partition":"t-0","size":1000,)"
      R"("offsetLag":0,"isFuture":false}],"error":null,"logDir":"/d"}]},{"broker":2,"logDirs":)"
      R"([{"partitions":[{"partition":"t-0","size":400,"offsetLag":0,"isFuture":false}],)"
      R"("error":null,"logDir":"/d"}]}],"version":1})"
      "\n";
  auto s = parse_log_dirs(text);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((s->at({1, "t-0"})), 1000);
  EXPECT_EQ((s->at({2, "t-0"})), 400);
  auto bad = parse_log_dirs("Error: connection refused\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "kafka-log-dirs.sh printed no JSON: Error: connection refused");
}

TEST(ReassignPlan, ProgressCountsPartitionsNotDoneAndBytesTheNewReplicasLack) {
  std::vector<ReplicaMove> moves = {{"t", 0, {1, 2}, {2, 3}, 1000}, {"t", 1, {1, 2}, {2, 4}, 500}};
  // t-0 mid-copy (replicas the union, 3 out of sync), t-1 done.
  auto md = cluster({part("t", 0, {2, 3, 1}, {2, 1}), part("t", 1, {2, 4}, {2, 4})}, {1, 2, 3, 4});
  LogDirSizes sizes = {{{2, "t-0"}, 1000}, {{3, "t-0"}, 250}, {{2, "t-1"}, 500}, {{4, "t-1"}, 500}};
  auto p = progress_of(moves, md, sizes);
  EXPECT_EQ(p.partitions_left, 1);
  EXPECT_EQ(p.bytes_left, 750);
  EXPECT_EQ(p.bytes_total, 1500);
  EXPECT_FALSE(move_done(moves[0], md.partitions[0]));
  EXPECT_TRUE(move_done(moves[1], md.partitions[1]));
  // The new replicas all there but one not in sync yet: not done.
  EXPECT_FALSE(move_done(moves[1], part("t", 1, {2, 4}, {2})));
}

TEST(ReassignPlan, PartitionsBelowTheirMinIsrAreNamed) {
  auto md =
      cluster({part("t", 0, {1, 2, 3}, {1}), part("t", 1, {1, 2, 3}, {1, 2}), part("one", 0, {1})},
              {1, 2, 3});
  KafkaMinInsync min;
  min.broker = 2;
  EXPECT_EQ(under_min_isr(md, min), (std::vector<std::string>{"t-0 ISR 1/3 (min 2)"}));
}

TEST(ReassignPlan, HumanBytes) {
  EXPECT_EQ(human_bytes(999), "999 B");
  EXPECT_EQ(human_bytes(1500000), "1.5 MB");
  EXPECT_EQ(human_bytes(50000000), "50.0 MB");
}
