// Backup, restore and recover without a host: state file names and ZooKeeper's choice of
// snapshot and logs, the transaction log's framing (where a log copied while written
// ends), the archive (tar + manifest, damage found), the choice of source server and of
// survivor, and what a restore verifies.

#include "ops/commands/backup.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "ops/backup/archive.hpp"
#include "ops/backup/local_load.hpp"
#include "ops/backup/zk_state.hpp"
#include "ops/commands/recover.hpp"
#include "ops/commands/restore.hpp"
#include "support/cluster.hpp"

namespace zkctl::ops {
namespace {

using testing::TempDir;

void put_be(std::string& s, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint64_t adler(const std::string& b) {
  std::uint32_t a = 1, c = 0;
  for (unsigned char x : b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return (static_cast<std::uint64_t>(c) << 16) | a;
}

// A transaction log: the header, then one create-like record per zxid.
std::string txn_log(const std::vector<std::uint64_t>& zxids) {
  std::string s;
  put_be(s, 0x5a4b4c47, 4);
  put_be(s, 2, 4);
  put_be(s, 0, 8);
  for (auto z : zxids) {
    std::string body;
    put_be(body, 0x1234, 8);  // clientId
    put_be(body, 7, 4);       // cxid
    put_be(body, z, 8);       // zxid
    put_be(body, 0, 8);       // time
    put_be(body, 1, 4);       // type
    body += "payload";
    put_be(s, adler(body), 8);
    put_be(s, body.size(), 4);
    s += body + "B";
  }
  return s;
}

TxnLogScan scan(const std::string& bytes) {
  std::istringstream in(bytes);
  auto r = scan_txn_log(in, bytes.size());
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : TxnLogScan{};
}

TEST(StateFiles, NamesGiveZxidsAndOthersAreSkipped) {
  auto f = state_file_of("snapshot.1c6", 10);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->zxid, 0x1c6u);
  EXPECT_EQ(state_file_of("log.100000001", 0)->zxid, 0x100000001u);
  EXPECT_FALSE(state_file_of("snapshot.1c6.gz", 0));
  EXPECT_FALSE(state_file_of("log.", 0));
  EXPECT_FALSE(state_file_of("acceptedEpoch", 0));
  EXPECT_EQ(zxid_hex(0x100000004), "0x100000004");
}

TEST(StateFiles, ListingParsesEpochsAndRefusesGarbage) {
  auto l = parse_listing(
      "snapshot snapshot.0 457 1\nsnapshot snapshot.1c6 139380 0\nsnapshot snapshot.8.gz 5 1\n"
      "log log.1 67108880\nepoch currentEpoch=3\nepoch acceptedEpoch=4\n");
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_EQ(l->files.size(), 3u);
  EXPECT_FALSE(l->files[1].whole);
  EXPECT_EQ(*l->current_epoch, 3u);
  EXPECT_EQ(*l->accepted_epoch, 4u);
  EXPECT_FALSE(parse_listing("rm -rf /\n"));
  EXPECT_FALSE(parse_listing("log log.1 many\n"));
}

TEST(StateSelection, NewestWholeSnapshotAndTheLogsFromTheOneHoldingIt) {
  auto l = parse_listing(
      "snapshot snapshot.8a 1 1\nsnapshot snapshot.126 2 1\nsnapshot snapshot.1c6 3 0\n"
      "log log.1 10\nlog log.8c 10\nlog log.128 10\nlog log.1c8 10\n");
  ASSERT_TRUE(l);
  auto sel = select_state(*l);
  ASSERT_TRUE(sel) << sel.error().message;
  EXPECT_EQ(sel->snapshot.name, "snapshot.126") << "snapshot.1c6 is being written: not whole";
  ASSERT_EQ(sel->logs.size(), 3u);
  EXPECT_EQ(sel->logs[0].name, "log.8c") << "the newest log starting at or before 0x126";
  EXPECT_EQ(sel->logs[2].name, "log.1c8");
  EXPECT_EQ(named_zxid(*l), 0x1c8u);
}

TEST(StateSelection, TheLogStartingBeforeTheSnapshotIsKept) {
  auto l =
      parse_listing("snapshot snapshot.100 1 1\nlog log.1 10\nlog log.f0 10\nlog log.180 10\n");
  auto sel = select_state(*l);
  ASSERT_TRUE(sel);
  ASSERT_EQ(sel->logs.size(), 2u);
  EXPECT_EQ(sel->logs[0].name, "log.f0") << "it holds the transactions right after 0x100";
  EXPECT_EQ(sel->bytes(), 21u);
  EXPECT_FALSE(select_state(*parse_listing("log log.1 10\nsnapshot snapshot.5 1 0\n")));
}

TEST(TxnLog, ScanEndsAtThePreallocatedZeros) {
  std::string log = txn_log({0x101, 0x102, 0x103});
  const std::size_t end = log.size();
  log += std::string(4096, '\0');
  auto s = scan(log);
  EXPECT_EQ(s.txns, 3u);
  EXPECT_EQ(s.first_zxid, 0x101u);
  EXPECT_EQ(s.last_zxid, 0x103u);
  EXPECT_EQ(s.end, end);
}

TEST(TxnLog, ATornLastRecordIsCutOff) {
  const std::string two = txn_log({0x101, 0x102});
  std::string log = txn_log({0x101, 0x102, 0x103});
  std::string torn = log;
  torn[torn.size() - 3] ^= 0x40;  // its bytes changed under its checksum
  EXPECT_EQ(scan(torn).end, two.size());
  EXPECT_EQ(scan(torn).last_zxid, 0x102u);
  std::string cut = log.substr(0, log.size() - 1);  // no end-of-record 'B'
  EXPECT_EQ(scan(cut).txns, 2u);
  std::istringstream junk("not a log at all");
  EXPECT_FALSE(scan_txn_log(junk, 16));
}

TEST(Archive, WrittenArchiveListsItsMembersAndFindsDamage) {
  TempDir dir("zkctl-archive");
  const std::string path = dir.path() + "/a.tar";
  const std::string snap = "snapshot-bytes";
  Manifest m;
  m.cluster = "seed";
  m.server = "node2";
  m.server_id = 2;
  m.mode = "follower";
  m.snapshot_zxid = 0x1c6;
  m.last_zxid = 0x1f8;
  m.znode_count = 506;
  m.ephemeral_count = 0;
  {
    const std::string src = dir.path() + "/snap";
    std::ofstream(src) << snap;
    m.members.push_back(
        {"version-2/snapshot.1c6", snap.size(), *sha256_range(src, 0, snap.size())});
    std::FILE* f = std::fopen(path.c_str(), "wb");
    TarWriter w(f);
    ASSERT_TRUE(w.add("manifest.json", manifest_json(m)));
    ASSERT_TRUE(w.add_copy("version-2/snapshot.1c6", src, 0, snap.size()));
    ASSERT_TRUE(w.finish());
    std::fclose(f);
  }
  auto a = open_archive(path);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->manifest.cluster, "seed");
  EXPECT_EQ(a->manifest.last_zxid, 0x1f8u);
  EXPECT_EQ(*a->manifest.znode_count, 506);
  ASSERT_EQ(a->entries.size(), 2u);
  EXPECT_TRUE(check_members(*a).empty());
  ASSERT_EQ(load_members(*a).size(), 1u);
  EXPECT_EQ(load_members(*a)[0].name, "snapshot.1c6");
  {  // one byte of the snapshot flipped
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(a->entries[1].offset + 3));
    f.put('X');
  }
  auto damaged = open_archive(path);
  ASSERT_TRUE(damaged);
  auto problems = check_members(*damaged);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("sha256"), std::string::npos);
  EXPECT_FALSE(open_checked(path));
}

TEST(Archive, TruncatedOrForeignFilesAreRefused) {
  TempDir dir("zkctl-archive");
  const std::string path = dir.path() + "/x.tar";
  std::ofstream(path) << std::string(700, 'x');
  EXPECT_FALSE(open_archive(path));
  EXPECT_FALSE(open_archive(dir.path() + "/missing.tar"));
  EXPECT_FALSE(parse_manifest("{\"format\": 2}"));
}

TEST(Choice, BackupSourceIsTheNewestServingNonLeader) {
  using probe::Mode;
  std::vector<SourceCandidate> c = {{"node1", Mode::leader, 0x30},
                                    {"node2", Mode::follower, 0x20},
                                    {"node3", Mode::follower, 0x28},
                                    {"nn01", Mode::observer, 0x29},
                                    {"node4", Mode::not_serving, 0x99}};
  EXPECT_EQ(choose_source(c), 3u);
  c[3].mode = Mode::down;
  EXPECT_EQ(choose_source(c), 2u);
  EXPECT_EQ(choose_source({{"solo", Mode::leader, 1}}), 0u) << "a single server: the leader";
  EXPECT_EQ(choose_source({{"solo", Mode::standalone, 1}}), 0u);
  EXPECT_FALSE(choose_source({{"a", Mode::down, 0}, {"b", Mode::not_serving, 5}}));
}

TEST(Choice, SurvivorWithTheHighestZxidWins) {
  std::vector<Survivor> s(3);
  s[0].host = "node1";
  s[0].archive = "a";
  s[0].last_zxid = 0x200000010;
  s[1].host = "node2";  // no data
  s[2].host = "nn01";
  s[2].archive = "c";
  s[2].last_zxid = 0x200000012;
  EXPECT_EQ(choose_survivor(s), 2u);
  s[2].archive.clear();
  EXPECT_EQ(choose_survivor(s), 0u);
  s[0].archive.clear();
  EXPECT_FALSE(choose_survivor(s));
}

TEST(Restore, VerifiedByPersistentCountAndTheNextEpoch) {
  Manifest m;
  m.last_zxid = 0x300000040;
  m.znode_count = 2100;
  m.ephemeral_count = 7;
  EXPECT_TRUE(restore_mismatches(m, 2100, 7, 0x400000000).empty());
  EXPECT_TRUE(restore_mismatches(m, 2093, 0, 0x400000003).empty())
      << "ephemerals of the archive's sessions may have expired";
  EXPECT_EQ(restore_mismatches(m, 2050, 7, 0x400000000).size(), 1u);
  EXPECT_EQ(restore_mismatches(m, 2100, 7, 0x500000000).size(), 1u)
      << "another epoch: the ensemble did not elect from the restored state";
  m.znode_count.reset();
  EXPECT_TRUE(restore_mismatches(m, 1, 0, 0x400000000).empty());
}

TEST(RestoreCheck, ConfirmationWhenServingOrNewer) {
  RestoreCheck c;
  c.archive.manifest.last_zxid = 0x100;
  c.servers.push_back({"node1", false, 0, 0x80, ""});
  EXPECT_FALSE(c.needs_confirmation());
  c.servers.push_back({"node2", false, 0, 0x180, ""});
  EXPECT_TRUE(c.needs_confirmation());
  ASSERT_EQ(c.newer().size(), 1u);
  EXPECT_EQ(c.newer()[0]->host, "node2");
  c.servers[1].named_zxid = 0;
  c.servers[0].serving = true;
  EXPECT_TRUE(c.needs_confirmation());
  EXPECT_TRUE(c.newer().empty());
}

TEST(LocalLoad, SnapshotFormatterOutput) {
  auto r = parse_snapshot_formatter(
      "ZNode Details (count=457):\n----\n/\n  cZxid = 0x00000000000000\n----\n"
      "Session Details (sid, timeout, ephemeralCount):\n0x1000140e19f0000, 10000, 0\n----\n"
      "Last zxid: 0x1c6\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->snapshot_znodes, 457);
  EXPECT_EQ(r->snapshot_zxid, 0x1c6u);
  EXPECT_FALSE(parse_snapshot_formatter("Exception in thread main\n"));
}

}  // namespace
}  // namespace zkctl::ops
