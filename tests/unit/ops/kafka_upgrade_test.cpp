// Kafka upgrades (#11 item 2): the two steps deploy plans from the nodes' installed releases,
// the level read from the cluster and the local record, and the refusals.

#include <gtest/gtest.h>

#include "ops/kafka/upgrade.hpp"
#include "ops/zookeeper/upgrade.hpp"

namespace zkctl::ops {
namespace {

using inventory::KafkaMode;
using Step = KafkaUpgrade::Step;

DistVersion v(const std::string& text) {
  return parse_zk_version(text).value();
}

KafkaUpgradeFacts zk(const std::string& target, std::vector<std::string> installed) {
  KafkaUpgradeFacts f;
  f.mode = KafkaMode::zookeeper;
  f.target = v(target);
  for (const auto& i : installed) f.installed.push_back(v(i));
  return f;
}

KafkaUpgradeFacts kraft(const std::string& target, std::vector<std::string> installed) {
  KafkaUpgradeFacts f = zk(target, std::move(installed));
  f.mode = KafkaMode::kraft;
  return f;
}

TEST(KafkaLine, ReadsReleasesAndLevels) {
  EXPECT_EQ(parse_kafka_line("3.8.1"), (KafkaLine{3, 8}));
  EXPECT_EQ(parse_kafka_line("3.9-IV0"), (KafkaLine{3, 9}));
  EXPECT_EQ(parse_kafka_line("4.0"), (KafkaLine{4, 0}));
  EXPECT_EQ(parse_kafka_line("0.10.2-IV0"), (KafkaLine{0, 10}));
  EXPECT_FALSE(parse_kafka_line("3"));
  EXPECT_FALSE(parse_kafka_line("x.9"));
  EXPECT_EQ(to_string(KafkaLine{3, 10}), "3.10");
}

TEST(KafkaUpgrade, ZooKeeperModeFirstStepPinsTheOldProtocol) {
  auto f = zk("3.9.2", {"3.8.1", "3.8.1", "3.9.2"});  // a roll under way
  f.level = "3.8-IV0";
  KafkaUpgrade u = decide_kafka_upgrade(f);
  EXPECT_TRUE(u.refusals.empty());
  EXPECT_EQ(u.step, Step::binaries);
  EXPECT_EQ(u.from, "3.8.1");
  EXPECT_EQ(u.pins.inter_broker_protocol, "3.8");
  EXPECT_EQ(u.pins.log_message_format, "");
  EXPECT_EQ(u.restart_text(), "inter.broker.protocol.version kept at 3.8");
  EXPECT_NE(u.stage_text().find("kept at 3.8; second step, not run by this deploy: `zkctl deploy "
                                "--finalize-upgrade` rolls them again with it raised to 3.9"),
            std::string::npos)
      << u.stage_text();
}

TEST(KafkaUpgrade, APatchUpgradeIsAPlainRoll) {
  KafkaUpgrade u = decide_kafka_upgrade(zk("3.9.2", {"3.9.1"}));
  EXPECT_EQ(u.step, Step::none);
  EXPECT_TRUE(u.pins.inter_broker_protocol.empty());
  EXPECT_TRUE(u.refusals.empty());
}

TEST(KafkaUpgrade, FromBefore2_1TheMessageFormatIsPinnedToo) {
  KafkaUpgrade u = decide_kafka_upgrade(zk("3.9.2", {"2.0.1"}));
  EXPECT_EQ(u.pins.inter_broker_protocol, "2.0");
  EXPECT_EQ(u.pins.log_message_format, "2.0");
}

TEST(KafkaUpgrade, AfterTheRollThePinStaysFromTheRecordUntilFinalized) {
  auto f = zk("3.9.2", {"3.9.2", "3.9.2"});
  f.record = KafkaUpgradeRecord{"3.8.1", "3.9.2", "3.8", "binaries", ""};
  KafkaUpgrade u = decide_kafka_upgrade(f);
  EXPECT_EQ(u.step, Step::awaiting);
  EXPECT_EQ(u.from, "3.8.1");
  EXPECT_EQ(u.pins.inter_broker_protocol, "3.8");
  // ... and from the cluster when the record is gone.
  f.record.reset();
  f.level = "3.8";
  EXPECT_EQ(decide_kafka_upgrade(f).pins.inter_broker_protocol, "3.8");
}

TEST(KafkaUpgrade, FinalizeDropsThePinAndRaises) {
  auto f = zk("3.9.2", {"3.9.2", "3.9.2"});
  f.record = KafkaUpgradeRecord{"3.8.1", "3.9.2", "3.8", "binaries", ""};
  f.level = "3.8";
  f.finalize = FinalizeUpgrade::yes;
  KafkaUpgrade u = decide_kafka_upgrade(f);
  EXPECT_TRUE(u.refusals.empty());
  EXPECT_EQ(u.step, Step::finalize);
  EXPECT_TRUE(u.pins.inter_broker_protocol.empty());
  EXPECT_EQ(u.restart_text(), "inter.broker.protocol.version 3.8 -> 3.9");
}

TEST(KafkaUpgrade, FinalizeBeforeEveryNodeRunsTheReleaseIsRefused) {
  auto f = zk("3.9.2", {"3.8.1", "3.9.2"});
  f.finalize = FinalizeUpgrade::yes;
  auto u = decide_kafka_upgrade(f);
  ASSERT_EQ(u.refusals.size(), 1u);
  EXPECT_NE(u.refusals[0].find("not every node runs 3.9.2 yet (oldest installed: 3.8.1"),
            std::string::npos);
  auto owed = zk("3.9.2", {"3.9.2"});
  owed.finalize = FinalizeUpgrade::yes;
  owed.restart_owed = true;
  EXPECT_EQ(decide_kafka_upgrade(owed).refusals.size(), 1u);
}

TEST(KafkaUpgrade, ADowngradeBelowARaisedProtocolIsRefused) {
  auto f = zk("3.8.1", {"3.9.2", "3.9.2"});
  f.level = "3.9-IV0";
  auto u = decide_kafka_upgrade(f);
  ASSERT_EQ(u.refusals.size(), 1u);
  EXPECT_EQ(u.refusals[0],
            "downgrade 3.9.2 -> 3.8.1 refused: inter.broker.protocol.version is 3.9-IV0, raised "
            "past 3.8; Kafka supports no downgrade below a inter.broker.protocol.version already "
            "raised (upgrade forward instead)");
  // Not read from the cluster and no record: assumed raised (the safe side).
  EXPECT_EQ(decide_kafka_upgrade(zk("3.8.1", {"3.9.2"})).refusals.size(), 1u);
}

TEST(KafkaUpgrade, ADowngradeWhileStillPinnedGoesAhead) {
  auto f = zk("3.8.1", {"3.9.2", "3.8.1"});
  f.level = "3.8";
  f.record = KafkaUpgradeRecord{"3.8.1", "3.9.2", "3.8", "binaries", ""};
  auto u = decide_kafka_upgrade(f);
  EXPECT_TRUE(u.refusals.empty());
  EXPECT_TRUE(u.pins.inter_broker_protocol.empty());  // 3.8's own default
}

TEST(KafkaUpgrade, TheInventoryPinningItselfIsLeftAlone) {
  auto f = zk("3.9.2", {"3.8.1"});
  f.inventory_pins = true;
  auto u = decide_kafka_upgrade(f);
  EXPECT_EQ(u.step, Step::binaries);
  EXPECT_TRUE(u.pins.inter_broker_protocol.empty());
  EXPECT_NE(u.stage_text().find("as [kafka.config] sets it"), std::string::npos);
}

TEST(KafkaUpgrade, KraftRaisesMetadataVersionWithoutARoll) {
  auto f = kraft("4.4.0", {"4.0.0", "4.0.0"});
  f.level = "4.0-IV3";
  EXPECT_EQ(decide_kafka_upgrade(f).step, Step::binaries);
  auto done = kraft("4.4.0", {"4.4.0", "4.4.0"});
  done.level = "4.0-IV3";
  done.kraft_max = "4.4-IV0";
  done.record = KafkaUpgradeRecord{"4.0.0", "4.4.0", "", "binaries", ""};
  auto u = decide_kafka_upgrade(done);
  EXPECT_EQ(u.step, Step::awaiting);
  EXPECT_TRUE(u.pins.inter_broker_protocol.empty());
  done.finalize = FinalizeUpgrade::yes;
  u = decide_kafka_upgrade(done);
  EXPECT_EQ(u.step, Step::finalize);
  EXPECT_EQ(u.raise_from, "4.0-IV3");
  EXPECT_EQ(u.raise_to, "4.4-IV0");
  EXPECT_EQ(u.restart_text(), "");
  EXPECT_NE(u.stage_text().find("metadata.version 4.0-IV3 -> 4.4-IV0 (kafka-features upgrade"),
            std::string::npos);
  done.level = "4.4-IV0";  // already raised: nothing to do
  EXPECT_EQ(decide_kafka_upgrade(done).step, Step::none);
}

TEST(KafkaUpgrade, Kafka4NeedsKraftAt3_3) {
  auto old = kraft("4.4.0", {"3.2.3"});
  EXPECT_NE(decide_kafka_upgrade(old).refusals.at(0).find("Kafka 4 needs every node on 3.3"),
            std::string::npos);
  auto level = kraft("4.4.0", {"3.9.1"});
  level.level = "3.2-IV0";
  EXPECT_NE(decide_kafka_upgrade(level).refusals.at(0).find("metadata.version is 3.2-IV0"),
            std::string::npos);
  auto fine = kraft("4.4.0", {"3.9.1"});
  fine.level = "3.9-IV0";
  EXPECT_TRUE(decide_kafka_upgrade(fine).refusals.empty());
}

TEST(KafkaUpgrade, AKraftDowngradeBelowTheFinalizedMetadataVersionIsRefused) {
  auto f = kraft("4.0.0", {"4.4.0"});
  f.level = "4.4-IV0";
  EXPECT_NE(decide_kafka_upgrade(f).refusals.at(0).find("metadata.version is 4.4-IV0"),
            std::string::npos);
  f.level = "4.0-IV3";  // never raised: the older release still reads it
  EXPECT_TRUE(decide_kafka_upgrade(f).refusals.empty());
}

TEST(KafkaUpgradeRecord, RoundTrips) {
  KafkaUpgradeRecord r{"3.8.1", "3.9.2", "3.8", "binaries", ""};
  auto back = parse_kafka_upgrade_record(kafka_upgrade_record_json(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->from, "3.8.1");
  EXPECT_EQ(back->pinned, "3.8");
  EXPECT_EQ(back->step, "binaries");
  EXPECT_FALSE(parse_kafka_upgrade_record(""));
  EXPECT_FALSE(parse_kafka_upgrade_record("[1]"));
}

TEST(MetadataVersion, ReadFromKafkaFeaturesDescribe) {
  const std::string out =
      "Feature: kraft.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\t"
      "FinalizedVersionLevel: 0\tEpoch: 9\n"
      "Feature: metadata.version\tSupportedMinVersion: 3.3-IV3\tSupportedMaxVersion: 4.4-IV0\t"
      "FinalizedVersionLevel: 4.0-IV3\tEpoch: 9\n";
  auto mv = parse_metadata_version(out);
  ASSERT_TRUE(mv);
  EXPECT_EQ(mv->finalized, "4.0-IV3");
  EXPECT_EQ(mv->supported_max, "4.4-IV0");
  EXPECT_FALSE(parse_metadata_version("Feature: kraft.version\tSupportedMaxVersion: 1\n"));
}

}  // namespace
}  // namespace zkctl::ops
