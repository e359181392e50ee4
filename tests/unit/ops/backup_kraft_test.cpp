// KRaft metadata backups without a host: the controller chosen from the replication
// table, the newest snapshot in a listing, what DumpLogSegments printed (real Kafka 4.4
// output, trimmed), and the manifest of kind "kraft-metadata".

#include <gtest/gtest.h>

#include "ops/backup/archive.hpp"
#include "ops/backup/kraft_meta.hpp"
#include "ops/commands/backup.hpp"

namespace zkctl::ops {
namespace {

const char* kReplication =
    "NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\t"
    "LastCaughtUpTimestamp\tStatus  \t\n"
    "1     \tyJTdm6HhRFOq91G_YvP2_g\t70          \t0  \t1796000331673     \t1796000331673"
    "        \tLeader  \t\n"
    "2     \tAAAAAAAAAAAAAAAAAAAAAA\t65          \t5  \t1796000331600     \t1796000331600"
    "        \tFollower\t\n"
    "3     \tBBBBBBBBBBBBBBBBBBBBBB\t69          \t1  \t1796000331600     \t1796000331600"
    "        \tFollower\t\n"
    "4     \tCCCCCCCCCCCCCCCCCCCCCC\t70          \t0  \t1796000331600     \t1796000331600"
    "        \tObserver\t\n";

TEST(KraftSource, ParsesTheReplicationTable) {
  auto rows = parse_quorum_replication(kReplication);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].node_id, 1);
  EXPECT_EQ((*rows)[0].log_end_offset, 70);
  EXPECT_EQ((*rows)[0].status, "Leader");
  EXPECT_EQ((*rows)[3].status, "Observer");
}

TEST(KraftSource, NoTableIsAnErrorNamingTheAnswer) {
  auto rows = parse_quorum_replication("Error: connection refused\n");
  ASSERT_FALSE(rows);
  EXPECT_NE(rows.error().message.find("connection refused"), std::string::npos);
}

TEST(KraftSource, TheMostAdvancedFollowerNotTheLeaderNorAnObserver) {
  auto rows = parse_quorum_replication(kReplication);
  ASSERT_TRUE(rows);
  auto i = choose_kraft_source(*rows);
  ASSERT_TRUE(i);
  EXPECT_EQ((*rows)[*i].node_id, 3);  // 69 > 65; the observer's 70 does not count
}

TEST(KraftSource, TheLeaderWhenNoneFollows) {
  std::vector<QuorumReplica> rows = {{4, 90, "Observer"}, {1, 70, "Leader"}};
  EXPECT_EQ(choose_kraft_source(rows), std::optional<std::size_t>(1));
  EXPECT_FALSE(choose_kraft_source({{4, 90, "Observer"}}));
  EXPECT_FALSE(choose_kraft_source({}));
}

TEST(KraftSnapshot, NamesAndTheNewest) {
  auto c = checkpoint_of("00000000000000000039-0000000001.checkpoint", 1233);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->offset, 39u);
  EXPECT_EQ(c->epoch, 1u);
  EXPECT_FALSE(checkpoint_of("00000000000000000039-0000000001.checkpoint.part", 1));
  EXPECT_FALSE(checkpoint_of("00000000000000000039-0000000001.checkpoint.deleted", 1));
  EXPECT_FALSE(checkpoint_of("0039-1.checkpoint", 1));
  EXPECT_FALSE(checkpoint_of("bootstrap.checkpoint", 1));
  auto l = parse_kraft_listing(
      "cluster.id MkU3OEVBNTcwNTJENDM2Qk\n"
      "checkpoint 00000000000000000000-0000000000.checkpoint 494\n"
      "checkpoint 00000000000000000039-0000000001.checkpoint 1233\n"
      "checkpoint 00000000000000000039-0000000002.checkpoint 1240\n"
      "checkpoint 00000000000000000032-0000000003.checkpoint 1233\n");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->cluster_id, "MkU3OEVBNTcwNTJENDM2Qk");
  auto n = newest_checkpoint(*l);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->name, "00000000000000000039-0000000002.checkpoint");
  EXPECT_EQ(n->size, 1240u);
  EXPECT_FALSE(newest_checkpoint(KraftListing{}));
  EXPECT_FALSE(parse_kraft_listing("something else\n"));
}

// DumpLogSegments --cluster-metadata-decoder of a Kafka 4.4 snapshot, trimmed.
const char* kDump =
    "Dumping /tmp/x/00000000000000000039-0000000001.checkpoint\n"
    "Snapshot end offset: 39, epoch: 1\n"
    "baseOffset: 0 lastOffset: 2 count: 3 baseSequence: -1 isControl: true position: 0 "
    "size: 166 magic: 2 compresscodec: none crc: 2505403598 isvalid: true\n"
    "| offset: 0 CreateTime: 1796000316099 keySize: 4 valueSize: 11 sequence: -1 headerKeys: [] "
    "SnapshotHeader {\"version\":0,\"lastContainedLogTimestamp\":1796000316070}\n"
    "| offset: 1 CreateTime: 1796000316099 keySize: 4 valueSize: 5 sequence: -1 headerKeys: [] "
    "KRaftVersion {\"version\":0,\"kRaftVersion\":1}\n"
    "baseOffset: 3 lastOffset: 5 count: 3 baseSequence: -1 isControl: false position: 166 "
    "size: 992 magic: 2 compresscodec: none crc: 1707322462 isvalid: %s\n"
    "| offset: 3 CreateTime: 1796000316100 keySize: -1 valueSize: 23 sequence: -1 headerKeys: [] "
    "payload: {\"type\":\"FEATURE_LEVEL_RECORD\",\"version\":0,\"data\":{\"name\":"
    "\"metadata.version\",\"featureLevel\":33}}\n"
    "| offset: 4 CreateTime: 1796000316100 keySize: -1 valueSize: 27 sequence: -1 headerKeys: [] "
    "payload: {\"type\":\"TOPIC_RECORD\",\"version\":0,\"data\":{\"name\":\"orders\",\"topicId\":"
    "\"dAafLvJrTEeY_r2XUX7P9w\"}}\n"
    "| offset: 5 CreateTime: 1796000316100 keySize: -1 valueSize: 33 sequence: -1 headerKeys: [] "
    "payload: {\"type\":\"CONFIG_RECORD\",\"version\":0,\"data\":{\"resourceType\":2,"
    "\"resourceName\":\"orders\",\"name\":\"retention.ms\",\"value\":\"3600000\"}}\n"
    "%s";
const char* kFooter =
    "baseOffset: 6 lastOffset: 6 count: 1 baseSequence: -1 isControl: true position: 1158 "
    "size: 75 magic: 2 compresscodec: none crc: 1635634855 isvalid: true\n"
    "| offset: 6 CreateTime: 1796000316100 keySize: 4 valueSize: 3 sequence: -1 headerKeys: [] "
    "SnapshotFooter {\"version\":0}\n";

std::string dump(const char* valid, const char* footer) {
  char buf[8192];
  std::snprintf(buf, sizeof buf, kDump, valid, footer);
  return buf;
}

TEST(KraftDump, CountsRecordsLastOffsetAndTopics) {
  auto d = parse_snapshot_dump(dump("true", kFooter));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->end_offset, 39u);
  EXPECT_EQ(d->epoch, 1u);
  EXPECT_EQ(d->records, 3);
  EXPECT_EQ(d->control_records, 3);
  EXPECT_EQ(d->last_offset, std::optional<std::uint64_t>(6));
  EXPECT_EQ(d->topics, std::vector<std::string>{"orders"});
  EXPECT_TRUE(d->problems.empty());
}

TEST(KraftDump, AnInvalidBatchOrNoFooterIsAProblem) {
  auto bad = parse_snapshot_dump(dump("false", kFooter));
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->problems.size(), 1u);
  EXPECT_NE(bad->problems[0].find("batch at offset 3"), std::string::npos);
  EXPECT_NE(bad->problems[0].find("isvalid: false"), std::string::npos);
  auto cut = parse_snapshot_dump(dump("true", ""));
  ASSERT_TRUE(cut);
  ASSERT_EQ(cut->problems.size(), 1u);
  EXPECT_NE(cut->problems[0].find("SnapshotFooter"), std::string::npos);
}

TEST(KraftDump, NotASnapshotIsAnError) {
  auto d = parse_snapshot_dump(
      "Dumping /tmp/x.checkpoint\nException in thread \"main\" "
      "java.lang.StringIndexOutOfBoundsException: begin 0, end 20, length 14\n");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("Dumping"), std::string::npos);
}

TEST(KraftManifest, RoundTripsItsKindAndSnapshot) {
  Manifest m;
  m.kind = kKraftMetadata;
  m.cluster = "kraft";
  m.server = "kf2";
  m.server_id = 2;
  m.mode = "follower";
  m.snapshot_offset = 39;
  m.snapshot_epoch = 1;
  m.cluster_id = "MkU3OEVBNTcwNTJENDM2Qk";
  m.record_count = 13;
  m.time = "2026-11-30T00:00:00Z";
  m.zkctl_version = "0.1";
  m.kafka_version = "4.4.0";
  m.members = {{"meta.properties", 10, "ab"},
               {"__cluster_metadata-0/00000000000000000039-0000000001.checkpoint", 1233, "cd"}};
  const std::string text = manifest_json(m);
  EXPECT_EQ(text.find("zxid"), std::string::npos);
  EXPECT_EQ(text.find("zookeeper_version"), std::string::npos);
  auto back = parse_manifest(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, "kraft-metadata");
  EXPECT_EQ(back->snapshot_offset, 39u);
  EXPECT_EQ(back->snapshot_epoch, 1u);
  EXPECT_EQ(back->cluster_id, m.cluster_id);
  EXPECT_EQ(back->record_count, std::optional<long>(13));
  EXPECT_EQ(back->kafka_version, "4.4.0");
  EXPECT_EQ(back->members.size(), 2u);
  EXPECT_EQ(back->server_id, 2);
}

TEST(KraftManifest, AZooKeeperManifestKeepsItsKind) {
  Manifest m;
  m.members = {{"version-2/snapshot.0", 1, "ab"}};
  auto back = parse_manifest(manifest_json(m));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kind, kZooKeeperData);
  EXPECT_EQ(manifest_json(m).find("kafka_version"), std::string::npos);
}

// An archive of kind kraft-metadata holding `name` (content "x"), its manifest matching.
std::string kraft_archive(const std::string& name) {
  const std::string path = testing::TempDir() + "kraft-archive.tar";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  const std::string sum = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
  Manifest m;
  m.kind = kKraftMetadata;
  m.members = {{name, 1, sum}};
  TarWriter w(f);
  EXPECT_TRUE(w.add("manifest.json", manifest_json(m)));
  EXPECT_TRUE(w.add(name, "x"));
  EXPECT_TRUE(w.finish());
  std::fclose(f);
  return path;
}

TEST(KraftVerify, AMemberOutsideTheMetadataDirIsNoSnapshot) {
  // A crafted name must never become a path of the local read (it would leave its temp dir).
  auto r = verify_backup(
      kraft_archive("__cluster_metadata-0/../../00000000000000000039-0000000001.checkpoint"), "",
      std::chrono::seconds(5), "/nonexistent/kafka.tgz");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0], "the archive holds no metadata snapshot");
}

TEST(KraftVerify, NoKafkaDistributionIsAProblem) {
  auto r = verify_backup(
      kraft_archive("__cluster_metadata-0/00000000000000000039-0000000001.checkpoint"), "",
      std::chrono::seconds(5), "");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("no [kafka] distribution"), std::string::npos);
}

}  // namespace
}  // namespace zkctl::ops
