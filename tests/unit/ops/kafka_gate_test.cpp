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
