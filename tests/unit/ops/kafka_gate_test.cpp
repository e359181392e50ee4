// The Kafka roll's gates per partition, from hand-built metadata (no cluster).

#include <gtest/gtest.h>

#include "ops/kafka/gate.hpp"

using namespace zkctl::ops;
using zkctl::probe::KafkaMetadata;
using zkctl::probe::KafkaMinInsync;
using zkctl::probe::KafkaPartition;
using Kind = GateVerdict::Kind;

namespace {

// Brokers 1..3 registered, and the given partitions (leader: the first in sync).
KafkaMetadata cluster(std::vector<KafkaPartition> parts, std::vector<int> brokers = {1, 2, 3}) {
  KafkaMetadata md;
  for (int b : brokers) md.brokers.push_back({b, "node" + std::to_string(b), 9092});
  for (auto& p : parts) p.leader = p.isr.empty() ? -1 : p.isr.front();
  md.partitions = std::move(parts);
  return md;
}

KafkaPartition part(const std::string& topic, int n, std::vector<int> replicas,
                    std::vector<int> isr) {
  KafkaPartition p;
  p.topic = topic;
  p.partition = n;
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  return p;
}

KafkaMinInsync min_isr(int broker, std::map<std::string, int> topics = {}) {
  KafkaMinInsync m;
  m.broker = broker;
  m.topics = std::move(topics);
  return m;
}

}  // namespace

TEST(KafkaGate, AWholeClusterLetsAnyBrokerGo) {
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}), part("t", 1, {2, 3, 1}, {2, 3, 1})});
  for (int b : {1, 2, 3}) EXPECT_EQ(gate_before_restart(md, min_isr(2), b, {}).kind, Kind::go);
}

TEST(KafkaGate, TopicLevelMinIsrOverridesTheBrokers) {
  // ISR 2/3: with the broker's min 1 broker 1 may go; the topic's own min 2 forbids it.
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 2})});
  EXPECT_EQ(gate_before_restart(md, min_isr(1), 1, {}).kind, Kind::go);
  auto v = gate_before_restart(md, min_isr(1, {{"t", 2}}), 1, {});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find("t-0 ISR 2/3 (min 2), 1 without broker 1"), std::string::npos) << v.why;
  // And the other way round: the topic relaxes a strict broker default.
  EXPECT_EQ(gate_before_restart(md, min_isr(2, {{"t", 1}}), 1, {}).kind, Kind::go);
  EXPECT_EQ(min_isr(2, {{"t", 1}}).of("t"), 1);
  EXPECT_EQ(min_isr(2, {{"t", 1}}).of("u"), 2);
}

TEST(KafkaGate, AlreadyBelowMinIsrOutsideTheRollRefusesAndNamesIt) {
  // ISR 1/3 with min 2 since before the roll: refused for any broker, hosting it or not.
  auto md = cluster({part("orders", 3, {1, 2, 3}, {1}), part("x", 0, {1, 2, 3}, {1, 2, 3})},
                    {1, 2, 3, 4});
  for (int b : {1, 2, 4}) {
    auto v = gate_before_restart(md, min_isr(2), b, {});
    EXPECT_EQ(v.kind, Kind::refuse) << b;
    EXPECT_NE(v.why.find("orders-3 ISR 1/3 (min 2)"), std::string::npos) << v.why;
    EXPECT_EQ(v.why.find("x-0"), std::string::npos) << v.why;
  }
}

TEST(KafkaGate, BelowOnlyBecauseThisRollsBrokerIsCatchingUpWaits) {
  // Broker 1 was restarted by this roll and is not back in the ISR yet: wait, named.
  auto md = cluster({part("topic", 3, {1, 2, 3}, {2, 3})});
  auto v = gate_before_restart(md, min_isr(2), 2, {1});
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_EQ(v.why, "waiting for topic-3 ISR 2/3 (min 2)");
  // The same state with broker 1 out for reasons outside the roll: refused.
  EXPECT_EQ(gate_before_restart(md, min_isr(2), 2, {}).kind, Kind::refuse);
  // Below even once broker 1 is back (3 also out, not ours): refused.
  auto worse = cluster({part("topic", 3, {1, 2, 3, 4}, {2})}, {1, 2, 3, 4});
  EXPECT_EQ(gate_before_restart(worse, min_isr(3), 2, {1}).kind, Kind::refuse);
  // Back in sync: go.
  auto back = cluster({part("topic", 3, {1, 2, 3}, {2, 3, 1})});
  EXPECT_EQ(gate_before_restart(back, min_isr(2), 2, {1}).kind, Kind::go);
}

TEST(KafkaGate, PartitionsWhoseReplicasDoNotExceedMinIsrNeverBlock) {
  // Strimzi's KafkaAvailability: RF <= min.insync.replicas cannot stay available through any
  // restart, so it does not block the roll. RF=1 topics (min 1) are rolled over.
  auto md = cluster({part("single", 0, {1}, {1}), part("pair", 0, {1, 2}, {1}),
                     part("strict", 0, {1, 2, 3}, {1, 2, 3})});
  auto m = min_isr(1, {{"pair", 2}, {"strict", 3}});
  EXPECT_EQ(gate_before_restart(md, m, 1, {}).kind, Kind::go);
}

TEST(KafkaGate, ABrokerNotRegisteredOrNotInSyncIsAwaited) {
  // Not registered (a ZooKeeper-mode broker registers after its log recovery): wait.
  auto md = cluster({part("t", 0, {1, 2, 3}, {2, 3})}, {2, 3});
  auto v = gate_before_restart(md, min_isr(1), 1, {});
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_NE(v.why.find("broker 1 to register"), std::string::npos) << v.why;
  // Registered but still catching up on a partition it hosts: wait.
  auto catching = cluster({part("t", 0, {1, 2, 3}, {2, 3})});
  v = gate_before_restart(catching, min_isr(1), 1, {});
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_NE(v.why.find("not in t-0 ISR"), std::string::npos) << v.why;
}

TEST(KafkaGate, RefusalsNameUserTopicsFirstAndAreBounded) {
  std::vector<KafkaPartition> parts;
  for (int i = 0; i < 12; ++i) parts.push_back(part("__consumer_offsets", i, {1, 2, 3}, {1}));
  parts.push_back(part("zz-mine", 0, {1, 2, 3}, {1}));
  auto v = gate_before_restart(cluster(parts), min_isr(2), 1, {});
  ASSERT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find(": zz-mine-0 ISR 1/3 (min 2)"), std::string::npos) << v.why;
  EXPECT_NE(v.why.find("and 5 more"), std::string::npos) << v.why;
}

// The bounded lists of the refusals ("; ", "; and N more") and of a held-out broker's
// partitions (", ", " and N more").
TEST(KafkaGate, SomeOfNamesAtMostSoManyAndCountsTheRest) {
  const std::vector<std::string> five = {"a", "b", "c", "d", "e"};
  EXPECT_EQ(some_of(five, 3, ", ", " "), "a, b, c and 2 more");
  EXPECT_EQ(some_of(five, 3, "; ", "; "), "a; b; c; and 2 more");
  EXPECT_EQ(some_of(five, 5, ", ", " "), "a, b, c, d, e");
  EXPECT_EQ(some_of({"a"}, 3, ", ", " "), "a");
  EXPECT_EQ(some_of({}, 3, ", ", " "), "");
}

TEST(KafkaGate, AfterTheRestartTheBrokerMustBeBackInEveryIsr) {
  auto md = cluster({part("t", 0, {1, 2, 3}, {2, 3}), part("t", 1, {2, 3}, {2, 3})});
  auto v = gate_after_restart(md, 1);
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_NE(v.why.find("back in ISR: 1 partitions (t-0"), std::string::npos) << v.why;
  EXPECT_EQ(gate_after_restart(cluster({part("t", 0, {1, 2, 3}, {2, 3, 1})}), 1).kind, Kind::go);
  EXPECT_EQ(gate_after_restart(cluster({part("t", 0, {2, 3}, {2, 3})}, {2, 3}), 1).kind,
            Kind::wait);  // not registered
}

// ---- the batch form (restart --by-rack, #15) ------------------------------------------

TEST(KafkaBatchGate, ARackWhosePartitionsKeepTheirMinWithoutItGoesTogether) {
  // RF 3 over three racks {1,4} {2,5} {3,6}; min 2: any one rack may go.
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}), part("t", 1, {4, 5, 6}, {4, 5, 6}),
                     part("t", 2, {1, 5, 3}, {1, 5, 3})},
                    {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(gate_before_restart_batch(md, min_isr(2), {1, 4}, {}).kind, Kind::go);
  EXPECT_EQ(gate_before_restart_batch(md, min_isr(2), {2, 5}, {}).kind, Kind::go);
}

TEST(KafkaBatchGate, TwoReplicasInTheBatchRefuseTheBatchNotEachBroker) {
  // t-0 has two replicas in rack {1,4}: without both only 1 of 3 stays, below min 2.
  auto md = cluster({part("t", 0, {1, 4, 2}, {1, 4, 2})}, {1, 2, 4});
  auto v = gate_before_restart_batch(md, min_isr(2), {1, 4}, {});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_EQ(v.why,
            "brokers 1, 4 not restarted together: partitions below min.insync.replicas (now, or "
            "without them) for reasons outside this roll: t-0 ISR 3/3 (min 2), 1 without "
            "brokers 1, 4");
  // One at a time each of them may go.
  EXPECT_EQ(gate_before_restart(md, min_isr(2), 1, {}).kind, Kind::go);
  EXPECT_EQ(gate_before_restart(md, min_isr(2), 4, {}).kind, Kind::go);
}

TEST(KafkaBatchGate, APartitionBelowItsMinForAnOutsideReasonRefusesAndIsNamed) {
  // Broker 2 (another rack) is down: t-0 is at 2/3 = its min, and 1 of the batch holds it.
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 3}), part("u", 0, {4, 5, 6}, {4, 5, 6})},
                    {1, 3, 4, 5, 6});
  auto v = gate_before_restart_batch(md, min_isr(2), {1, 4}, {});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find("t-0 ISR 2/3 (min 2), 1 without brokers 1, 4"), std::string::npos) << v.why;
  EXPECT_EQ(v.why.find("u-0"), std::string::npos) << v.why;
  // The single gate refuses broker 1 as well, naming the same partition.
  v = gate_before_restart(md, min_isr(2), 1, {});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find("t-0 ISR 2/3 (min 2), 1 without broker 1"), std::string::npos) << v.why;
}

TEST(KafkaBatchGate, ThePreviousRackCatchingUpIsWaitedFor) {
  // Rack {2,5} was just restarted and 5 is not back in u-0's ISR yet: the next rack waits.
  auto md = cluster({part("u", 0, {4, 5, 6}, {4, 6})}, {1, 2, 3, 4, 5, 6});
  auto v = gate_before_restart_batch(md, min_isr(2), {3, 6}, {2, 5});
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_EQ(v.why, "waiting for u-0 ISR 2/3 (min 2)");
  // Back in sync: go.
  md = cluster({part("u", 0, {4, 5, 6}, {4, 5, 6})}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(gate_before_restart_batch(md, min_isr(2), {3, 6}, {2, 5}).kind, Kind::go);
}

TEST(KafkaBatchGate, EveryBrokerOfTheBatchMustBeRegisteredAndInSync) {
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}), part("t", 1, {4, 5, 6}, {5, 6})},
                    {1, 2, 3, 4, 5, 6});
  auto v = gate_before_restart_batch(md, min_isr(1), {1, 4}, {});
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_EQ(v.why, "waiting for broker 4 to catch up: not in t-1 ISR");
  md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3})}, {1, 2, 3, 5, 6});
  v = gate_before_restart_batch(md, min_isr(1), {1, 4}, {});
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_EQ(v.why, "waiting for broker 4 to register (log recovery)");
}

// #11: a leader that no longer expands ISRs (Kafka 3.9.2's AlterPartition channel dead after
// the controller moved; gate.cpp) holding a restarted broker out. Broker 2 was restarted
// (rolled 1, 2), broker 3 is this roll's and not restarted yet.
namespace {

KafkaMetadata held_by_three() {
  return cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}),  // broker 1 took 2 back
                  part("t", 1, {3, 1, 2}, {3, 1}),     // broker 3 did not
                  part("__consumer_offsets", 0, {3, 2, 1}, {3, 1})});
}

}  // namespace

TEST(KafkaHeldOut, ALeaderOfTheRollHoldingTheBrokerOutOfEverythingItLeadsIsNamed) {
  auto held = leaders_holding_out(held_by_three(), 2, {3});
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].leader, 3);
  EXPECT_EQ(held[0].partitions, (std::vector<std::string>{"t-1", "__consumer_offsets-0"}));
}

TEST(KafkaHeldOut, NoneWhenTheLeaderTookItBackIntoAnyOfItsPartitions) {
  // Broker 3 expands ISRs: t-2, missing broker 2 under leader 3 at an earlier look, has it
  // back: broker 2 is still catching up on t-1 (the ordinary wait).
  auto md = held_by_three();
  md.partitions.push_back(part("t", 2, {3, 2, 1}, {3, 2, 1}));
  md.partitions.back().leader = 3;
  EXPECT_TRUE(leaders_holding_out(md, 2, {3}, {{"t-2", 3}}).empty());
}

TEST(KafkaHeldOut, ALeadershipMovedOntoAnIsrThatHadTheBrokerIsNoSignOfExpanding) {
  // The lab's rollback: t-2 got broker 2 back under leader 1, then the controller moved its
  // leadership to 3 (whose AlterPartition channel is dead). 3 still holds 2 out of t-1.
  auto md = held_by_three();
  md.partitions.push_back(part("t", 2, {3, 2, 1}, {3, 2, 1}));
  md.partitions.back().leader = 3;
  auto held = leaders_holding_out(md, 2, {3}, {{"t-2", 1}, {"t-1", 3}});
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].leader, 3);
  EXPECT_FALSE(leaders_holding_out(md, 2, {3}).empty());  // never seen missing either
}

TEST(KafkaHeldOut, NoteMissingRecordsEachPartitionsLeaderWhileTheBrokerIsOut) {
  std::map<std::string, int> under{{"t-0", 3}};
  note_missing(held_by_three(), 2, under);
  EXPECT_EQ(under,
            (std::map<std::string, int>{{"t-0", 3}, {"t-1", 3}, {"__consumer_offsets-0", 3}}));
}

TEST(KafkaHeldOut, NoneWhenAMissingPartitionIsLedByABrokerTheRollRestarted) {
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 3}), part("t", 1, {3, 1, 2}, {3, 1})});
  EXPECT_TRUE(leaders_holding_out(md, 2, {3}).empty());  // 1 is rolled: catching up
  // And a leader outside the roll is never restarted by it.
  EXPECT_TRUE(leaders_holding_out(held_by_three(), 2, {}).empty());
}

TEST(KafkaHeldOut, NoneWhenUnregisteredOfflineOrBackInEveryIsr) {
  auto md = held_by_three();
  md.brokers.erase(md.brokers.begin() + 1);  // broker 2 not registered yet
  EXPECT_TRUE(leaders_holding_out(md, 2, {3}).empty());
  md = held_by_three();
  md.partitions[1].leader = -1;  // offline
  EXPECT_TRUE(leaders_holding_out(md, 2, {3}).empty());
  md = held_by_three();
  md.brokers.pop_back();  // the leader itself is not registered
  EXPECT_TRUE(leaders_holding_out(md, 2, {3}).empty());
  md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}), part("t", 1, {3, 1, 2}, {3, 1, 2})});
  EXPECT_TRUE(leaders_holding_out(md, 2, {3}).empty());
}

TEST(KafkaHeldOut, TheHoldingLeaderMayGoWhenAnotherInSyncReplicaTakesOver) {
  // t (min 2): t-1 ISR {3, 1} -> {1} until 2 rejoins under 1; t-0 keeps 2 without 3.
  auto held = leaders_holding_out(held_by_three(), 2, {3});
  ASSERT_EQ(held.size(), 1u);
  auto v = gate_restart_holding_leader(held_by_three(), min_isr(1, {{"t", 2}}), 2, held[0]);
  EXPECT_EQ(v.kind, Kind::go) << v.why;
}

TEST(KafkaHeldOut, TheHoldingLeaderThatIsTheOnlyInSyncReplicaGoesWithThePartitionOffline) {
  // Its ISR can never grow while it runs: restarted, t-1 is offline until it is back.
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}), part("t", 1, {3, 1, 2}, {3})});
  HeldOut held{3, {"t-1"}};
  auto v = gate_restart_holding_leader(md, min_isr(1), 2, held);
  EXPECT_EQ(v.kind, Kind::go);
  EXPECT_NE(v.why.find("the only in-sync replica of t-1: offline until it is back"),
            std::string::npos)
      << v.why;
  // With a heir nothing goes offline: go with no why.
  EXPECT_TRUE(gate_restart_holding_leader(held_by_three(), min_isr(1), 2,
                                          leaders_holding_out(held_by_three(), 2, {3})[0])
                  .why.empty());
  // An in-sync replica that is not registered is no heir either.
  md = cluster({part("t", 1, {3, 1, 2}, {3, 1})}, {2, 3});
  v = gate_restart_holding_leader(md, min_isr(1), 2, held);
  EXPECT_EQ(v.kind, Kind::go);
  EXPECT_FALSE(v.why.empty());
}

TEST(KafkaHeldOut, TheOnlyInSyncReplicaIsKeptWhenTheTopicAllowsUncleanElections) {
  // An out-of-sync replica could take t-1 over while it restarts: never.
  auto md = cluster({part("t", 0, {1, 2, 3}, {1, 2, 3}), part("t", 1, {3, 1, 2}, {3})});
  auto min = min_isr(1);
  min.unclean.insert("t");
  auto v = gate_restart_holding_leader(md, min, 2, {3, {"t-1"}});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find("t-1 ISR 1/3 (min 1), no other in-sync replica to lead it and "
                       "unclean.leader.election.enable=true"),
            std::string::npos)
      << v.why;
}

TEST(KafkaHeldOut, TheHoldingLeaderIsKeptWhenAPartitionIsBelowItsMinForOtherReasons) {
  // Held out of t-1, already below its min 3 of 4 replicas (broker 4 is out too).
  auto md = cluster({part("t", 1, {3, 1, 2, 4}, {3, 1})}, {1, 2, 3, 4});
  auto v = gate_restart_holding_leader(md, min_isr(3), 2, {3, {"t-1"}});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find("broker 3 not restarted ahead of its turn: t-1 ISR 2/4 (min 3)"),
            std::string::npos)
      << v.why;
  // A partition it only follows would drop below its min without it.
  md = held_by_three();
  md.partitions.push_back(part("u", 0, {1, 3, 2}, {1, 3}));
  md.partitions.back().leader = 1;
  v = gate_restart_holding_leader(md, min_isr(1, {{"t", 2}, {"u", 2}}), 2, {3, {"t-1"}});
  EXPECT_EQ(v.kind, Kind::refuse);
  EXPECT_NE(v.why.find("u-0 ISR 2/3 (min 2), 1 without broker 3"), std::string::npos) << v.why;
  // Replicas no more than the min never block (no restart keeps them available).
  md = held_by_three();
  md.partitions.push_back(part("v", 0, {1, 3}, {1, 3}));
  EXPECT_EQ(gate_restart_holding_leader(md, min_isr(2), 2, {3, {"t-1"}}).kind, Kind::go);
}

TEST(KafkaHeldOut, TheWatchNamesTheLeaderOnceTheSameHoldingLastedItsBound) {
  using std::chrono::seconds;
  HoldWatch w(std::chrono::milliseconds(30000));
  const auto t0 = HoldWatch::Clock::time_point{} + seconds(1000);
  const std::vector<HeldOut> held{{3, {"t-1"}}};
  EXPECT_FALSE(w.observe(held, t0));
  EXPECT_FALSE(w.observe(held, t0 + seconds(29)));
  auto due = w.observe(held, t0 + seconds(30));
  ASSERT_TRUE(due);
  EXPECT_EQ(due->leader, 3);
  // A change (another partition, leader or none) counts again from there.
  const std::vector<HeldOut> more{{3, {"t-1", "t-2"}}};
  EXPECT_FALSE(w.observe(more, t0 + seconds(31)));
  EXPECT_FALSE(w.observe({}, t0 + seconds(70)));
  EXPECT_FALSE(w.observe(more, t0 + seconds(71)));
  EXPECT_TRUE(w.observe(more, t0 + seconds(101)));
}
