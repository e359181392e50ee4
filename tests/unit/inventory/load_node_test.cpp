// What the loader does the same for ZooKeeper servers and Kafka nodes: the shared
// per-node keys (load_node) and the one same-host check over every node's ports
// and directories, within a kind and across kinds.

#include "inventory/load_node.hpp"

#include <gtest/gtest.h>

#include <string>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

using namespace test;  // inventory_builder.hpp

// ZooKeeper server id 1 on host a (lines 5-7), Kafka node 11 on host b (lines 10-12).
const Lines kMixed = insert_after(
    Lines(kThreeVoters.begin(), kThreeVoters.begin() + 7), 7,
    {"[kafka]", "distribution = \"kafka.tgz\"", "[[kafka.nodes]]", "host = \"b\"", "id = 11"});

class LoadNodeTest : public test::InventoryTest {};

// ---- the model: what each kind uses ------------------------------------------

TEST(UsedPortsAndDirs, ServerListsAdminOnlyWhenEnabledAndDataLogDirOnlyWhenSet) {
  Server s;
  s.install_dir = "/opt/zk";
  s.data_dir = "/var/lib/zk";
  ASSERT_EQ(s.used_ports().size(), 3u);
  EXPECT_EQ(s.used_ports()[2].key, "election_port");
  ASSERT_EQ(s.used_dirs().size(), 2u);
  s.ports.admin = 8080;
  s.data_log_dir = "/var/log/zk";
  ASSERT_EQ(s.used_ports().size(), 4u);
  EXPECT_EQ(s.used_ports()[3].port, 8080);
  ASSERT_EQ(s.used_dirs().size(), 3u);
  EXPECT_EQ(s.used_dirs()[2].dir, "/var/log/zk");
}

TEST(UsedPortsAndDirs, KafkaNodeListsThePortsOfItsRoles) {
  KafkaNode n;
  n.install_dir = "/opt/kafka";
  n.log_dirs = {"/d1", "/d2"};
  ASSERT_EQ(n.used_ports().size(), 1u);
  EXPECT_EQ(n.used_ports()[0].key, "listener_port");
  n.broker = false;
  n.controller = true;
  ASSERT_EQ(n.used_ports().size(), 1u);
  EXPECT_EQ(n.used_ports()[0].key, "controller_port");
  n.broker = true;
  EXPECT_EQ(n.used_ports().size(), 2u);
  ASSERT_EQ(n.used_dirs().size(), 3u);
  EXPECT_EQ(n.used_dirs()[1].label, "log dir");
  EXPECT_EQ(n.used_dirs()[1].key, "log_dirs");
}

// ---- the shared per-node keys ------------------------------------------------

TEST_F(LoadNodeTest, SharedKeysLoadAlikeForBothKinds) {
  Lines l = insert_after(kMixed, 12,
                         {"install_dir = \"/srv/kafka/\"", "ssh_user = \"kops\"", "ssh_port = 2222",
                          "ssh_become = \"sudo\""});
  l = insert_after(l, 7,
                   {"install_dir = \"/srv/zk\"", "ssh_user = \"zops\"", "ssh_port = 2223",
                    "ssh_become = \"sudo\""});
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  const Node& zk = r.cluster->servers.at(0);
  const Node& kafka = r.cluster->kafka_nodes.at(0);
  EXPECT_EQ(zk.install_dir, "/srv/zk");
  EXPECT_EQ(kafka.install_dir, "/srv/kafka");
  EXPECT_EQ(zk.ssh.user, "zops");
  EXPECT_EQ(kafka.ssh.user, "kops");
  EXPECT_EQ(zk.ssh.port, 2223);
  EXPECT_EQ(kafka.ssh.port, 2222);
  EXPECT_EQ(zk.ssh.become, Become::sudo);
  EXPECT_EQ(kafka.ssh.become, Become::sudo);
  EXPECT_EQ(zk.pos.line, 5);
  EXPECT_EQ(kafka.pos.line, 14);
}

TEST_F(LoadNodeTest, SharedKeysReportAlikeForBothKinds) {
  // The same two mistakes in a server and in a node.
  Lines l = kMixed;
  l[5] = "host = \"a b\"";
  l[10] = "host = \"-b\"";
  l.insert(l.begin() + 12, "ssh_user = \"Root\"");
  l.insert(l.begin() + 7, "ssh_user = \"Root\"");
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:6:8: error: zookeeper.servers[0].host: 'a b' is not a valid host "
                    "name, IPv4 or IPv6 address",
                    "inv.toml:12:8: error: kafka.nodes[0].host: '-b' is not a valid host name, "
                    "IPv4 or IPv6 address",
                    "inv.toml:8:12: error: zookeeper.servers[0].ssh_user: 'Root' is not a "
                    "valid user name ([a-z_][a-z0-9_-]*)",
                    "inv.toml:14:12: error: kafka.nodes[0].ssh_user: 'Root' is not a valid user "
                    "name ([a-z_][a-z0-9_-]*)"}));
}

TEST_F(LoadNodeTest, MissingHostAndIdNameTheirTable) {
  Lines l = kMixed;
  l.erase(l.begin() + 10, l.begin() + 12);  // Kafka node: no host, no id
  l.erase(l.begin() + 5);                   // ZooKeeper server: no host
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(r, {"inv.toml:5:1: error: missing required key 'host' in "
                            "[[zookeeper.servers]]",
                            "inv.toml:9:1: error: missing required key 'host' in [[kafka.nodes]]",
                            "inv.toml:9:1: error: missing required key 'id' in [[kafka.nodes]]"}));
}

// ---- the same-host check across kinds ----------------------------------------

TEST_F(LoadNodeTest, PortClashBetweenAZooKeeperServerAndABroker) {
  Lines l = replace_line(kMixed, 11, "host = \"A\"");
  l = insert_after(l, 12, {"listener_port = 2181"});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:13:17: error: host 'A' port 2181 (listener_port) is already used "
                   "by ZooKeeper server id 1 (line 5) as its client_port"));
}

TEST_F(LoadNodeTest, DirectoryNestedInAnotherKindsDirectory) {
  // The broker's log dir inside the ZooKeeper server's data_dir, and its install_dir
  // inside the server's install_dir.
  Lines l = replace_line(kMixed, 11, "host = \"a\"");
  l = insert_after(
      l, 12,
      {"install_dir = \"/opt/zookeeper/kafka\"", "log_dirs = [\"/var/lib/zookeeper/kafka\"]"});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:13:15: error: host 'a' install_dir '/opt/zookeeper/kafka' lies "
                    "inside '/opt/zookeeper', the install_dir of ZooKeeper server id 1 (line 5)",
                    "inv.toml:14:12: error: host 'a' log dir '/var/lib/zookeeper/kafka' lies "
                    "inside '/var/lib/zookeeper', the data_dir of ZooKeeper server id 1 (line "
                    "5)"}));
}

TEST_F(LoadNodeTest, SiblingDirectoriesWithACommonPrefixAreFine) {
  // /opt/zookeeper-kafka is not inside /opt/zookeeper.
  Lines l = replace_line(kMixed, 11, "host = \"a\"");
  l = insert_after(
      l, 12, {"install_dir = \"/opt/zookeeper-kafka\"", "log_dirs = [\"/var/lib/zookeeper2\"]"});
  const LoadResult r = load(l);
  EXPECT_TRUE(r.cluster.has_value()) << dump(r);
}

// ---- the same-host check within a kind ---------------------------------------

TEST_F(LoadNodeTest, ServersOnOneHostWithNestedDirectories) {
  // Server 2 on a's host with its own ports, its data_dir inside server 1's.
  Lines l = insert_after(kMixed, 7,
                         {"[[zookeeper.servers]]", "host = \"a\"", "id = 2", "client_port = 2182",
                          "peer_port = 2889", "election_port = 3889", "install_dir = \"/opt/zk-2\"",
                          "data_dir = \"/var/lib/zookeeper/2\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:15:12: error: host 'a' data_dir '/var/lib/zookeeper/2' lies "
                           "inside '/var/lib/zookeeper', the data_dir of server id 1 (line 5)"));
}

TEST_F(LoadNodeTest, ServerDataDirEqualToAnotherServersDataLogDir) {
  // Different keys, one directory: caught too (it used to be compared by key only).
  Lines l =
      insert_after(kMixed, 7,
                   {"data_log_dir = \"/var/lib/zk-log\"", "[[zookeeper.servers]]", "host = \"a\"",
                    "id = 2", "client_port = 2182", "peer_port = 2889", "election_port = 3889",
                    "install_dir = \"/opt/zk-2\"", "data_dir = \"/var/lib/zk-log\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:16:12: error: host 'a' data_dir '/var/lib/zk-log' is already used "
                   "by server id 1 (line 5) as its data_log_dir"));
}

TEST_F(LoadNodeTest, OneInheritedPortClashIsNamedOnItsOwn) {
  // Server 2 on a's host sets every port but election_port.
  Lines l = insert_after(
      kMixed, 7,
      {"[[zookeeper.servers]]", "host = \"a\"", "id = 2", "client_port = 2182", "peer_port = 2889",
       "install_dir = \"/opt/zk-2\"", "data_dir = \"/var/lib/zk-2\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:9:8: error: host 'a' port 3888 (election_port) is already used "
                   "by server id 1 (line 5) as its election_port"));
}

TEST_F(LoadNodeTest, BrokersOnOneHostWithInheritedPortsAndDirs) {
  Lines l = insert_after(kMixed, 12, {"[[kafka.nodes]]", "host = \"B\"", "id = 12"});
  const LoadResult r = load(l);
  // A secure cluster (no [security]): the CLIENT and INTERNAL listeners both clash.
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:14:8: error: host 'B' already runs Kafka node id 11 (line 10) "
                    "with the same ports: listener_port 9092, internal_port 9094; give one of "
                    "them its own ports",
                    "inv.toml:14:8: error: host 'B' install_dir '/opt/kafka' is already used by "
                    "Kafka node id 11 (line 10) as its install_dir",
                    "inv.toml:14:8: error: host 'B' log dir '/var/lib/kafka/data' is already "
                    "used by Kafka node id 11 (line 10) as its log dir"}));
}

TEST_F(LoadNodeTest, NodesWithAnInvalidHostAreLeftOut) {
  // An invalid host is reported once, not compared with anything.
  Lines l = replace_line(kMixed, 11, "host = \"a;\"");
  const LoadResult r = load(l);
  EXPECT_EQ(errors(r), 1u) << dump(r);
}

}  // namespace
}  // namespace zkctl::inventory
