// Directories and names the loader refuses because they would break later or let
// deploy and destroy reach what is not theirs: system directories, a node's own
// directories equal or nested, characters the configs and start scripts misread,
// unsafe cluster names, numeric-looking hosts; and the bounded unknown-key hint.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/load.hpp"
#include "inventory/validate.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

using namespace test;  // inventory_builder.hpp

// kThreeVoters (lines 1-13) plus brokers 11 and 12 on hosts a and b (zookeeper mode).
const Lines kWithKafka(kThreeVotersThreeBrokers.begin(), kThreeVotersThreeBrokers.begin() + 21);

class DirsTest : public test::InventoryTest {};

// ---- system directories ------------------------------------------------------

TEST_F(DirsTest, SystemDirectoriesAreRefusedAfterNormalizing) {
  Lines l = insert_after(
      kThreeVoters, 4,
      {"install_dir = \"/opt\"", "data_dir = \"/etc/\"", "data_log_dir = \"/var//lib/./\""});
  l = insert_after(l, 10, {"data_dir = \"/usr/local\""});
  l = insert_after(l, 14, {"install_dir = \"/proc/zk\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:5:15: error: zookeeper.install_dir: '/opt' is a system directory: deploy "
          "would take it over for ZooKeeper and destroy remove it; name a directory of its own "
          "(such as '/opt/zookeeper')",
          "inv.toml:6:12: error: zookeeper.data_dir: '/etc' is a system directory: deploy would "
          "take it over for ZooKeeper and destroy remove it; name a directory of its own (such "
          "as '/etc/zookeeper')",
          "inv.toml:7:16: error: zookeeper.data_log_dir: '/var/lib' is a system directory: "
          "deploy would take it over for ZooKeeper and destroy remove it; name a directory of "
          "its own (such as '/var/lib/zookeeper')",
          "inv.toml:11:12: error: zookeeper.servers[0].data_dir: '/usr/local' is a system "
          "directory: deploy would take it over for ZooKeeper and destroy remove it; name a "
          "directory of its own (such as '/usr/local/zookeeper')",
          "inv.toml:15:15: error: zookeeper.servers[1].install_dir: '/proc/zk' lies in the "
          "kernel's /proc/ tree: deploy would take it over for ZooKeeper and destroy remove it; "
          "name a directory of its own (such as '/proc/zk/zookeeper')"}));
}

TEST_F(DirsTest, KafkaSystemDirectoriesAreRefused) {
  Lines l = insert_after(kWithKafka, 15, {"log_dirs = [\"/var/lib/kafka\", \"/tmp\"]"});
  l = insert_after(l, 19, {"install_dir = \"/home\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:16:31: error: kafka.log_dirs[1]: '/tmp' is a system directory: deploy would "
          "take it over for Kafka and destroy remove it; name a directory of its own (such as "
          "'/tmp/kafka')",
          "inv.toml:20:15: error: kafka.nodes[0].install_dir: '/home' is a system directory: "
          "deploy would take it over for Kafka and destroy remove it; name a directory of its "
          "own (such as '/home/kafka')"}));
}

TEST_F(DirsTest, DirectoriesBelowSystemDirectoriesAreFine) {
  const LoadResult r = load(insert_after(kThreeVoters, 4,
                                         {"install_dir = \"/opt/zk\"", "data_dir = \"/var/lib/zk\"",
                                          "data_log_dir = \"/srv/txlog\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->servers[0].data_log_dir, "/srv/txlog");
}

// ---- one node's own directories ----------------------------------------------

TEST_F(DirsTest, DefaultDirsThatOverlapAreReportedOnceWhereSet) {
  // install_dir == data_dir: a plain destroy (data kept) would delete the data.
  const LoadResult r =
      load(insert_after(kThreeVoters, 4, {"install_dir = \"/srv/zk\"", "data_dir = \"/srv/zk/\""}));
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:6:12: error: zookeeper.data_dir: '/srv/zk' is also the install_dir '/srv/zk' "
      "of the same server; destroy removes an install dir and keeps data dirs, so a "
      "server's directories must not overlap"));
}

TEST_F(DirsTest, AServersOverridesMustNotNestInItsOtherDirs) {
  Lines l = insert_after(kThreeVoters, 7, {"data_dir = \"/opt/zookeeper/data\""});
  l = insert_after(l, 11, {"data_log_dir = \"/var/lib/zookeeper\""});
  l = insert_after(l, 15, {"install_dir = \"/var/lib\"", "data_dir = \"/var/lib/zk/data\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:8:12: error: zookeeper.servers[0].data_dir: '/opt/zookeeper/data' lies "
          "inside the install_dir '/opt/zookeeper' of the same server; destroy removes an "
          "install dir and keeps data dirs, so a server's directories must not overlap",
          "inv.toml:12:16: error: zookeeper.servers[1].data_log_dir: '/var/lib/zookeeper' is "
          "also the data_dir '/var/lib/zookeeper' of the same server; destroy removes an "
          "install dir and keeps data dirs, so a server's directories must not overlap",
          "inv.toml:16:15: error: zookeeper.servers[2].install_dir: '/var/lib' is a system "
          "directory: deploy would take it over for ZooKeeper and destroy remove it; name a "
          "directory of its own (such as '/var/lib/zookeeper')"}));
}

TEST_F(DirsTest, AnInstallDirHoldingTheDataIsRefused) {
  const LoadResult r = load(insert_after(
      kThreeVoters, 7, {"install_dir = \"/var/lib/zk\"", "data_dir = \"/var/lib/zk/data\""}));
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:9:12: error: zookeeper.servers[0].data_dir: '/var/lib/zk/data' lies inside "
      "the install_dir '/var/lib/zk' of the same server; destroy removes an install dir and "
      "keeps data dirs, so a server's directories must not overlap"));
}

TEST_F(DirsTest, KafkaInstallDirEqualToALogDirOrNestedLogDirsAreRefused) {
  Lines l = insert_after(kWithKafka, 15, {"install_dir = \"/srv/kafka\""});
  l = insert_after(l, 19, {"log_dirs = [\"/srv/kafka\"]"});
  l = insert_after(l, 23, {"log_dirs = [\"/data/k\", \"/data/k/2\"]"});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:20:12: error: kafka.nodes[0].log_dirs: '/srv/kafka' is also the install_dir "
          "'/srv/kafka' of the same node; destroy removes an install dir and keeps data dirs, "
          "so a node's directories must not overlap",
          "inv.toml:24:12: error: kafka.nodes[1].log_dirs: '/data/k/2' lies inside the log dir "
          "'/data/k' of the same node; destroy removes an install dir and keeps data dirs, so a "
          "node's directories must not overlap"}));
}

TEST_F(DirsTest, KafkaDefaultsOverlappingAreReportedAtKafka) {
  const LoadResult r = load(insert_after(
      kWithKafka, 15, {"install_dir = \"/srv/kafka\"", "log_dirs = [\"/srv/kafka/data\"]"}));
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:17:12: error: kafka.log_dirs: '/srv/kafka/data' lies inside the install_dir "
      "'/srv/kafka' of the same node; destroy removes an install dir and keeps data dirs, so "
      "a node's directories must not overlap"));
}

TEST_F(DirsTest, AnInstallDirHoldingAnotherNodesDirOnTheSameHostIsRefused) {
  const LoadResult r = load(insert_after(kWithKafka, 18, {"install_dir = \"/srv/apps\""}));
  const LoadResult r2 =
      load(insert_after(insert_after(kWithKafka, 18, {"install_dir = \"/srv/apps\""}), 4,
                        {"install_dir = \"/srv/apps/zk\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasOnlyError(r2,
                           "inv.toml:20:15: error: host 'a' install_dir '/srv/apps' holds "
                           "'/srv/apps/zk', the install_dir of ZooKeeper server id 1 (line 6)"));
}

// ---- characters that break configs and start scripts -------------------------

TEST_F(DirsTest, SpacesAtEitherEndAndEqualsSignsAreRefused) {
  Lines l = insert_after(kThreeVoters, 7, {"data_dir = \"/var/lib/zk \""});
  l = insert_after(l, 11, {"data_dir = \" /var/lib/zk\""});
  l = insert_after(l, 15, {"data_dir = \"/var/lib/a=b\"", "data_log_dir = \"/x=y\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:8:12: error: zookeeper.servers[0].data_dir: '/var/lib/zk ' starts or ends "
          "with a space (zoo.cfg readers trim it, zkctl's paths would not)",
          "inv.toml:12:12: error: zookeeper.servers[1].data_dir: ' /var/lib/zk' starts or ends "
          "with a space (zoo.cfg readers trim it, zkctl's paths would not)",
          "inv.toml:16:12: error: zookeeper.servers[2].data_dir: '/var/lib/a=b' contains '=' "
          "(zkServer.sh reads zoo.cfg's dirs after the last '=')",
          "inv.toml:17:16: error: zookeeper.servers[2].data_log_dir: '/x=y' contains '=' "
          "(zkServer.sh reads zoo.cfg's dirs after the last '=')"}));
}

TEST_F(DirsTest, InstallDirsRefuseWhatTheStartScriptsSplitOn) {
  Lines l = insert_after(kWithKafka, 15, {"install_dir = \"/srv/my kafka\""});
  l = insert_after(l, 4, {"install_dir = \"/srv/zk:1\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:5:15: error: zookeeper.install_dir: '/srv/zk:1' contains ':', which splits "
          "the Java class path the start scripts build from it",
          "inv.toml:17:15: error: kafka.install_dir: '/srv/my kafka' contains a space, which "
          "Kafka's start scripts split its paths on"}));
}

TEST_F(DirsTest, InnerSpacesStayAllowedWhereTheScriptsQuote) {
  // zkServer.sh quotes its paths; Kafka reads log.dirs from server.properties.
  const LoadResult ok =
      load(insert_after(insert_after(kWithKafka, 15, {"log_dirs = [\"/srv/kafka data\"]"}), 4,
                        {"install_dir = \"/srv/zoo keeper\""}));
  ASSERT_TRUE(ok.cluster.has_value()) << dump(ok);
  EXPECT_EQ(ok.cluster->servers[0].install_dir, "/srv/zoo keeper");
  EXPECT_EQ(ok.cluster->kafka_nodes[0].log_dirs[0], "/srv/kafka data");
}

// ---- names -------------------------------------------------------------------

TEST_F(DirsTest, ClusterNamesThatAreNoSafeFileNameAreRefused) {
  for (const char* name : {".", "..", ".hidden", "-rf"}) {
    const LoadResult r =
        load(replace_line(kThreeVoters, 2, "name = \"" + std::string(name) + "\""));
    EXPECT_TRUE(HasOnlyError(r, "inv.toml:2:8: error: cluster.name: '" + std::string(name) +
                                    "' must be 1-64 characters from letters, digits, '_', '.', "
                                    "'-', not starting with '.' or '-'"))
        << name;
  }
  EXPECT_TRUE(load(replace_line(kThreeVoters, 2, "name = \"a.b-c_1.\"")).cluster.has_value());
}

TEST_F(DirsTest, NumericLookingHostsThatAreNoDottedQuadAreRefused) {
  for (const char* host : {"0x7f.1", "0x7f000001", "127.1", "a.123", "0177.0.0.1"}) {
    const LoadResult r =
        load(replace_line(kThreeVoters, 6, "host = \"" + std::string(host) + "\""));
    EXPECT_TRUE(HasOnlyError(r, "inv.toml:6:8: error: zookeeper.servers[0].host: '" +
                                    std::string(host) +
                                    "' is not a valid host name, IPv4 or IPv6 address"))
        << host;
  }
}

TEST(IsValidHost, RefusesWhatInetAtonWouldReadAsAnAddress) {
  for (const char* h : {"0x7f.1", "0x7f000001", "0x7f.0.0.1", "1.0x2", "node.1", "0xa"})
    EXPECT_FALSE(is_valid_host(h)) << h;
  for (const char* h : {"0x7f.example", "x1", "a1.b2", "deadbeef", "10.0.0.1"})
    EXPECT_TRUE(is_valid_host(h)) << h;
}

// ---- the unknown-key hint stays cheap ----------------------------------------

TEST(ClosestMatch, NoHintForWordsLongerThanTheLimit) {
  const std::string long_key(kMaxHintWordLength + 1, 'k');
  std::string near = long_key;
  near.back() = 'x';  // one edit away: hinted below the limit, not above
  EXPECT_EQ(closest_match(long_key, {near}), std::nullopt);
  const std::string at_limit(kMaxHintWordLength, 'k');
  std::string near_limit = at_limit;
  near_limit.back() = 'x';
  EXPECT_EQ(closest_match(at_limit, {near_limit}), near_limit);
}

TEST_F(DirsTest, AHugeUnknownZooCfgKeyGetsNoHint) {
  // A 180 KB key one letter off a known key would, unbounded, cost seconds of edit
  // distance; the hint is skipped without computing one.
  const std::string key = "snapCount" + std::string(180 * 1024, 'x');
  const LoadResult r = load(insert_after(kThreeVoters, 4, {"[zookeeper.config]", key + " = 1"}));
  ASSERT_TRUE(r.cluster.has_value()) << r.diagnostics.size();
  ASSERT_EQ(warnings(r), 1u);
  EXPECT_EQ(r.diagnostics[0].message.find("did you mean"), std::string::npos);
}

}  // namespace
}  // namespace zkctl::inventory
