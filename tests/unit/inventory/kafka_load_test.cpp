// Loading [kafka], [kafka.config] and [[kafka.nodes]]: the model, and every
// error and warning with its exact file:line:col.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using namespace test;  // inventory_builder.hpp
using KV = std::vector<std::pair<std::string, std::string>>;

// Three ZooKeeper voters a, b, c and three brokers 11..13 on them (zookeeper mode).
const Lines& kZk = test::kThreeVotersThreeBrokers;

// Three combined broker+controller nodes k1..k3, no ZooKeeper (kraft mode).
const Lines kKraft = {
    "[cluster]",                             // 1
    "name = \"k\"",                          // 2
    "[kafka]",                               // 3
    "mode = \"kraft\"",                      // 4
    "distribution = \"kafka.tgz\"",          // 5
    "[[kafka.nodes]]",                       // 6
    "host = \"k1\"",                         // 7
    "id = 1",                                // 8
    "roles = [\"broker\", \"controller\"]",  // 9
    "[[kafka.nodes]]",                       // 10
    "host = \"k2\"",                         // 11
    "id = 2",                                // 12
    "roles = [\"broker\", \"controller\"]",  // 13
    "[[kafka.nodes]]",                       // 14
    "host = \"k3\"",                         // 15
    "id = 3",                                // 16
    "roles = [\"broker\", \"controller\"]",  // 17
};

// kKraft with the roles lines of its three nodes (9, 13, 17) replaced by these.
Lines with_roles(const std::string& k1, const std::string& k2, const std::string& k3) {
  return replace_line(replace_line(replace_line(kKraft, 9, k1), 13, k2), 17, k3);
}

class KafkaLoadTest : public test::InventoryTest {};

// The lab inventories are open and say so: their one diagnostic is that warning.
void expect_only_the_open_warning(const LoadResult& r) {
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].severity, Diagnostic::Severity::warning);
  EXPECT_EQ(r.diagnostics[0].message,
            "[security] is open: no TLS, no authentication, no authorization (every client can "
            "read and change everything)");
}

// ---- the shipped inventories ------------------------------------------------

TEST_F(KafkaLoadTest, SeedKafkaParsesToTheExpectedModel) {
  const LoadResult r = load_shipped(fs::path(ZKCTL_SOURCE_ROOT) / "inventories" / "seed-kafka.toml",
                                    "seed-kafka.toml",
                                    {"apache-zookeeper-3.8.0-bin.tar.gz", "kafka_2.13-3.9.2.tgz"});
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  expect_only_the_open_warning(r);
  const Cluster& c = *r.cluster;
  EXPECT_TRUE(c.security.open());
  EXPECT_EQ(c.name, "seed");
  ASSERT_EQ(c.servers.size(), 4u);
  ASSERT_TRUE(c.kafka.has_value());
  const KafkaSettings& k = *c.kafka;
  EXPECT_EQ(k.mode, KafkaMode::zookeeper);
  EXPECT_EQ(k.distribution, (dir_ / "kafka_2.13-3.9.2.tgz").string());
  EXPECT_EQ(k.distribution_pos.file, "seed-kafka.toml");
  EXPECT_GT(k.distribution_pos.line, 0);
  EXPECT_EQ(k.heap_mb, 256);
  EXPECT_EQ(k.zookeeper_chroot, "/kafka");
  EXPECT_EQ(k.cluster_id, "");
  EXPECT_EQ(k.extra_config, (KV{{"num.partitions", "3"},
                                {"group.initial.rebalance.delay.ms", "0"},
                                {"broker.session.timeout.ms", "4500"},
                                {"broker.heartbeat.interval.ms", "1500"}}));
  ASSERT_EQ(c.kafka_nodes.size(), 3u);
  const char* hosts[] = {"node1", "node2", "node3"};
  for (size_t i = 0; i < 3; ++i) {
    const KafkaNode& n = c.kafka_nodes[i];
    EXPECT_EQ(n.host, hosts[i]);
    EXPECT_EQ(n.id, 11 + static_cast<int>(i));
    EXPECT_TRUE(n.broker);
    EXPECT_FALSE(n.controller);
    EXPECT_EQ(n.listener_port, 9092);
    EXPECT_EQ(n.internal_port, 0);  // open: no INTERNAL listener
    EXPECT_EQ(n.install_dir, "/opt/kafka");
    EXPECT_EQ(n.log_dirs, std::vector<std::string>{"/var/lib/kafka/data"});
    EXPECT_EQ(n.ssh.identity_file, "/var/lib/zkctl-lab/id_ed25519");
    EXPECT_EQ(n.ssh.known_hosts_file, "/var/lib/zkctl-lab/known_hosts");
    EXPECT_EQ(n.pos.file, "seed-kafka.toml");
    EXPECT_EQ(n.pos.col, 1);
  }
  EXPECT_EQ(c.brokers().size(), 3u);
  EXPECT_TRUE(c.controllers().empty());
  ASSERT_NE(c.find_kafka("node2"), nullptr);
  EXPECT_EQ(c.find_kafka("node2")->id, 12);
}

TEST_F(KafkaLoadTest, KraftParsesToTheExpectedModel) {
  const LoadResult r = load_shipped(fs::path(ZKCTL_SOURCE_ROOT) / "inventories" / "kraft.toml",
                                    "kraft.toml", {"kafka_2.13-4.4.0.tgz"});
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  expect_only_the_open_warning(r);
  const Cluster& c = *r.cluster;
  EXPECT_TRUE(c.security.open());
  EXPECT_EQ(c.name, "kraft");
  EXPECT_TRUE(c.servers.empty());
  ASSERT_TRUE(c.kafka.has_value());
  EXPECT_EQ(c.kafka->mode, KafkaMode::kraft);
  EXPECT_EQ(c.kafka->heap_mb, 256);
  EXPECT_EQ(c.kafka->cluster_id, "");
  ASSERT_EQ(c.kafka_nodes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const KafkaNode& n = c.kafka_nodes[i];
    EXPECT_EQ(n.host, "kf" + std::to_string(i + 1));
    EXPECT_EQ(n.id, static_cast<int>(i) + 1);
    EXPECT_TRUE(n.broker);
    EXPECT_TRUE(n.controller);
    EXPECT_EQ(n.listener_port, 9092);
    EXPECT_EQ(n.internal_port, 0);  // open: no INTERNAL listener
    EXPECT_EQ(n.controller_port, 9093);
    EXPECT_EQ(n.ssh.identity_file, "/var/lib/zkctl-lab/id_ed25519");
  }
  EXPECT_EQ(c.controllers().size(), 3u);
}

// ---- modes and required parts ---------------------------------------------------

TEST_F(KafkaLoadTest, ZooKeeperModeDefaults) {
  const LoadResult r = load(kZk);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const KafkaSettings& k = *r.cluster->kafka;
  EXPECT_EQ(k.mode, KafkaMode::zookeeper);
  EXPECT_EQ(k.heap_mb, 512);
  EXPECT_EQ(k.zookeeper_chroot, "/kafka");
  EXPECT_TRUE(k.extra_config.empty());
  const KafkaNode& n = r.cluster->kafka_nodes.at(1);
  EXPECT_EQ(n.host, "b");
  EXPECT_EQ(n.pos.line, 19);
  EXPECT_EQ(n.listener_port, 9092);
  EXPECT_EQ(n.controller_port, 9093);
  EXPECT_EQ(n.install_dir, "/opt/kafka");
  EXPECT_EQ(n.log_dirs, std::vector<std::string>{"/var/lib/kafka/data"});
  EXPECT_EQ(n.ssh.user, "");  // not set: the ssh config's User, else root (at connect)
}

TEST_F(KafkaLoadTest, NodeOverrides) {
  Lines l = insert_after(
      kZk, 18,
      {"listener_port = 9192", "install_dir = \"/srv/kafka/\"",
       "log_dirs = [\"/d1/kafka\", \"/d2//kafka\"]", "ssh_user = \"kafka\"", "ssh_port = 2222"});
  l = insert_after(l, 15, {"heap_mb = 1024", "zookeeper_chroot = \"/clusters/prod\""});
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->kafka->heap_mb, 1024);
  EXPECT_EQ(r.cluster->kafka->zookeeper_chroot, "/clusters/prod");
  const KafkaNode& n = r.cluster->kafka_nodes.at(0);
  EXPECT_EQ(n.listener_port, 9192);
  EXPECT_EQ(n.install_dir, "/srv/kafka");
  EXPECT_EQ(n.log_dirs, (std::vector<std::string>{"/d1/kafka", "/d2/kafka"}));
  EXPECT_EQ(n.ssh.user, "kafka");
  EXPECT_EQ(n.ssh.port, 2222);
  EXPECT_EQ(r.cluster->kafka_nodes.at(1).listener_port, 9092);
}

TEST_F(KafkaLoadTest, ASecondNodeOnAHostGetsASystemdUnitOfItsOwn) {
  // Two units of one name on a host would be one service: the second node's is "-<id>".
  Lines l = insert_after(kKraft, 2, {"[service]", "launcher = \"systemd\""});
  for (const std::string& line :
       {"[[kafka.nodes]]", "host = \"k1\"", "id = 4", "roles = [\"controller\"]",
        "controller_port = 9193", "install_dir = \"/opt/kafka-controller\"",
        "log_dirs = [\"/var/lib/kafka/controller\"]"})
    l.push_back(line);
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  const auto& nodes = r.cluster->kafka_nodes;
  ASSERT_EQ(nodes.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(nodes[i].service.unit_suffix, "") << i;
  EXPECT_EQ(nodes[3].service.unit_suffix, "-4");
}

// [kafka] reassign_throttle (#15): drain/rebalance's bytes/s; a value out of range at its place.
TEST_F(KafkaLoadTest, ReassignThrottle) {
  EXPECT_EQ(load(kZk).cluster->kafka->reassign_throttle, 50000000);
  LoadResult r = load(insert_after(kZk, 15, {"reassign_throttle = 2000000"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->kafka->reassign_throttle, 2000000);
  r = load(insert_after(kZk, 15, {"reassign_throttle = 10"}));
  EXPECT_FALSE(r.cluster.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].str().rfind("inv.toml:16:21: error: kafka.reassign_throttle: 10 is "
                                         "outside",
                                         0),
            0u)
      << dump(r);
}

TEST_F(KafkaLoadTest, KraftNeedsNoZooKeeper) {
  const LoadResult r = load(kKraft);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  EXPECT_TRUE(r.cluster->servers.empty());
}

TEST_F(KafkaLoadTest, KraftAcceptsAZooKeeperTableWithoutServers) {
  const LoadResult r = load(insert_after(kKraft, 2, {"[zookeeper]", "heap_mb = 256"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
}

TEST_F(KafkaLoadTest, KraftBesideAFullEnsembleChecksBoth) {
  Lines l(kZk.begin(), kZk.begin() + 13);
  l.insert(l.end(), kKraft.begin() + 2, kKraft.end());
  l = replace_line(l, 19, "id = 0");  // node.id 0 is valid in Kafka
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->servers.size(), 3u);
  EXPECT_EQ(r.cluster->kafka_nodes.at(0).id, 0);
}

TEST_F(KafkaLoadTest, ZooKeeperModeWithoutEnsemble) {
  const Lines l = {"[cluster]",       "name = \"t\"", "[kafka]", "distribution = \"kafka.tgz\"",
                   "[[kafka.nodes]]", "host = \"a\"", "id = 1"};
  LoadResult r = load(l);
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:3:1: error: kafka.mode = \"zookeeper\" needs "
                           "[[zookeeper.servers]] in the same inventory"));
  r = load(insert_after(l, 3, {"mode = \"zookeeper\""}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:4:8: error: kafka.mode = \"zookeeper\" needs "
                           "[[zookeeper.servers]] in the same inventory"));
}

TEST_F(KafkaLoadTest, ZooKeeperModeWithAnEmptyEnsemble) {
  const Lines l = {"[cluster]",       "name = \"t\"",
                   "[zookeeper]",     "distribution = \"zk.tar.gz\"",
                   "[kafka]",         "distribution = \"kafka.tgz\"",
                   "[[kafka.nodes]]", "host = \"a\"",
                   "id = 1"};
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:3:1: error: no servers: add at least one [[zookeeper.servers]] entry",
                    "inv.toml:5:1: error: kafka.mode = \"zookeeper\" needs "
                    "[[zookeeper.servers]] in the same inventory"}));
}

TEST_F(KafkaLoadTest, NeitherZooKeeperNorKafka) {
  const LoadResult r = load({"[cluster]", "name = \"t\""});
  EXPECT_TRUE(HasOnlyError(r, "inv.toml:1:1: error: missing required table [zookeeper]"));
}

TEST_F(KafkaLoadTest, BadModeSuggestsTheClosest) {
  const LoadResult r = load(replace_line(kKraft, 4, "mode = \"kraf\""));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:4:8: error: kafka.mode: 'kraf' is not a mode; expected "
                           "'zookeeper' or 'kraft'; did you mean 'kraft'?"));
}

TEST_F(KafkaLoadTest, NoNodes) {
  LoadResult r = load(Lines(kKraft.begin(), kKraft.begin() + 5));
  EXPECT_TRUE(HasOnlyError(
      r, "inv.toml:3:1: error: no Kafka nodes: add at least one [[kafka.nodes]] entry"));
  r = load(insert_after(Lines(kKraft.begin(), kKraft.begin() + 5), 5, {"nodes = []"}));
  EXPECT_TRUE(
      HasDiag(r, "inv.toml:6:9: error: no Kafka nodes: add at least one [[kafka.nodes]] entry"));
  r = load(insert_after(Lines(kKraft.begin(), kKraft.begin() + 5), 5, {"nodes = 3"}));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:6:9: error: kafka.nodes: expected an array of tables "
                      "([[kafka.nodes]]), got an integer"));
}

TEST_F(KafkaLoadTest, UnknownKeysSuggestTheClosest) {
  Lines l = insert_after(kZk, 18, {"listner_port = 1"});
  l = insert_after(l, 15, {"log_dir = [\"/x\"]", "jvm_heap = 1"});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:16:1: error: unknown key 'log_dir' in [kafka]; did you mean 'log_dirs'?",
          "inv.toml:17:1: error: unknown key 'jvm_heap' in [kafka]",
          "inv.toml:21:1: error: unknown key 'listner_port' in [[kafka.nodes]]; did "
          "you mean 'listener_port'?"}));
}

TEST_F(KafkaLoadTest, MissingHostAndIdAndDistribution) {
  Lines l = kZk;
  l.erase(l.begin() + 16, l.begin() + 18);  // node 11 keeps only its header (line 16)
  l.erase(l.begin() + 14);                  // no distribution
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(r, {"inv.toml:14:1: error: missing required key 'distribution' in [kafka]",
                            "inv.toml:15:1: error: missing required key 'host' in [[kafka.nodes]]",
                            "inv.toml:15:1: error: missing required key 'id' in [[kafka.nodes]]"}));
}

// ---- distribution -------------------------------------------------------------------

TEST_F(KafkaLoadTest, DistributionMustExist) {
  const LoadResult r = load(replace_line(kZk, 15, "distribution = \"nope.tgz\""));
  EXPECT_TRUE(HasOnlyError(r, "inv.toml:15:16: error: kafka.distribution: file '" +
                                  (dir_ / "nope.tgz").string() + "' does not exist"));
}

// The version is not guessed from the file name: deploy's pre-flight reads it from the
// tarball's jars (ops::KafkaTier::release_problem), so any name loads.
TEST_F(KafkaLoadTest, TheFileNameDoesNotDecideTheVersion) {
  touch(dir_ / "kafka_2.13-4.0.0.tgz");
  touch(dir_ / "kafka_2.13-3.2.3.tgz");
  LoadResult r = load(replace_line(kZk, 15, "distribution = \"kafka_2.13-4.0.0.tgz\""));
  EXPECT_TRUE(r.cluster.has_value()) << dump(r);
  r = load(replace_line(kKraft, 5, "distribution = \"kafka_2.13-3.2.3.tgz\""));
  EXPECT_TRUE(r.cluster.has_value()) << dump(r);
}

// ---- ids and roles ------------------------------------------------------------------

TEST_F(KafkaLoadTest, IdRangeAllowsZero) {
  Lines l = replace_line(kZk, 18, "id = -1");
  l = replace_line(l, 21, "id = 2147483648");
  l = replace_line(l, 24, "id = 0");
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:18:6: error: kafka.nodes[0].id: -1 is outside 0..2147483647",
          "inv.toml:21:6: error: kafka.nodes[1].id: 2147483648 is outside 0..2147483647"}));
}

TEST_F(KafkaLoadTest, DuplicateIdPointsAtTheSecondAndNamesTheFirst) {
  const LoadResult r = load(replace_line(kZk, 24, "id = 11"));
  EXPECT_TRUE(HasOnlyError(
      r, "inv.toml:24:6: error: duplicate Kafka node id 11: already used by node 'a' at line 16"));
}

TEST_F(KafkaLoadTest, KafkaIdsAreTheirOwnSpace) {
  // ZooKeeper myid 1 and Kafka broker.id 1 on the same host do not clash.
  const LoadResult r = load(replace_line(kZk, 18, "id = 1"));
  EXPECT_TRUE(r.cluster.has_value()) << dump(r);
}

TEST_F(KafkaLoadTest, ZooKeeperModeAllowsOnlyBrokers) {
  Lines l = insert_after(kZk, 24, {"roles = [\"controller\"]"});
  l = insert_after(l, 21, {"roles = [\"broker\", \"controller\"]"});
  l = insert_after(l, 18, {"roles = [\"broker\"]"});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:23:20: error: kafka.nodes[1].roles[1]: 'controller' needs "
                    "kafka.mode = \"kraft\"; in zookeeper mode every node is a broker (roles = "
                    "[\"broker\"])",
                    "inv.toml:27:10: error: kafka.nodes[2].roles[0]: 'controller' needs "
                    "kafka.mode = \"kraft\"; in zookeeper mode every node is a broker (roles = "
                    "[\"broker\"])"}));
}

TEST_F(KafkaLoadTest, BadRoles) {
  Lines l = with_roles("roles = [\"brokr\", \"controller\"]",
                       "roles = [\"controller\", \"controller\"]", "roles = []");
  LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:9:10: error: kafka.nodes[0].roles[0]: 'brokr' is not a role; "
                    "expected 'broker' or 'controller'; did you mean 'broker'?",
                    "inv.toml:13:24: error: kafka.nodes[1].roles[1]: 'controller' is listed twice",
                    "inv.toml:17:9: error: kafka.nodes[2].roles: must name at least one role "
                    "(\"broker\", \"controller\" or both)"}));
  r = load(replace_line(kKraft, 9, "roles = \"broker\""));
  EXPECT_TRUE(HasDiag(
      r, "inv.toml:9:9: error: kafka.nodes[0].roles: expected an array of strings, got a string"));
}

TEST_F(KafkaLoadTest, KraftNeedsAControllerAndABroker) {
  Lines l = with_roles("roles = [\"broker\"]", "roles = [\"broker\"]", "roles = [\"broker\"]");
  LoadResult r = load(l);
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:6:1: error: no controllers: kafka.mode = \"kraft\" needs at least "
                   "one node with \"controller\" in its roles"));
  // Without roles every node is a broker: the same error.
  l = kKraft;
  for (size_t line : {17u, 13u, 9u}) l.erase(l.begin() + static_cast<long>(line) - 1);
  r = load(l);
  EXPECT_EQ(errors(r), 1u) << dump(r);

  l = with_roles("roles = [\"controller\"]", "roles = [\"controller\"]",
                 "roles = [\"controller\"]");
  r = load(l);
  EXPECT_TRUE(HasOnlyError(
      r, "inv.toml:6:1: error: no brokers: at least one Kafka node needs \"broker\" in its roles"));
}

TEST_F(KafkaLoadTest, ControllerCountWarnings) {
  Lines l = replace_line(kKraft, 17, "roles = [\"broker\"]");
  LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:6:1: warning: 2 controllers: no controller failure will be "
                      "tolerated; use at least 3 controllers",
                      "inv.toml:6:1: warning: 2 controllers tolerate no more failures than 1; "
                      "use an odd number of controllers"}));
  l = insert_after(kKraft, 17,
                   {"[[kafka.nodes]]", "host = \"k4\"", "id = 4", "roles = [\"controller\"]"});
  r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:6:1: warning: 4 controllers tolerate no more failures than 3; "
                      "use an odd number of controllers"}));
}

// ---- ports and directories ----------------------------------------------------------

TEST_F(KafkaLoadTest, ListenerPortOfAZooKeeperHost) {
  Lines l = insert_after(kZk, 21, {"listener_port = 3888"});
  l = insert_after(l, 18, {"listener_port = 2181"});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:19:17: error: host 'a' port 2181 (listener_port) is already used "
                    "by ZooKeeper server id 1 (line 5) as its client_port",
                    "inv.toml:23:17: error: host 'b' port 3888 (listener_port) is already used "
                    "by ZooKeeper server id 2 (line 8) as its election_port"}));
}

TEST_F(KafkaLoadTest, InheritedListenerPortOfAZooKeeperHostIsReportedPerHost) {
  Lines l = insert_after(kZk, 4, {"admin_port = 8080"});  // ZooKeeper lines shift by 1
  l = insert_after(l, 16, {"listener_port = 8080"});      // in [kafka]
  const LoadResult r = load(l);
  EXPECT_EQ(errors(r), 3u) << dump(r);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:19:8: error: host 'a' port 8080 (listener_port) is already used "
                      "by ZooKeeper server id 1 (line 6) as its admin_port"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:25:8: error: host 'c' port 8080 (listener_port) is already used "
                      "by ZooKeeper server id 3 (line 12) as its admin_port"));
}

TEST_F(KafkaLoadTest, InstallDirAndLogDirOfAZooKeeperServer) {
  Lines l = insert_after(
      kZk, 18, {"install_dir = \"/opt/zookeeper\"", "log_dirs = [\"/var/lib/zookeeper\"]"});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:19:15: error: host 'a' install_dir '/opt/zookeeper' is already "
                    "used by ZooKeeper server id 1 (line 5) as its install_dir",
                    "inv.toml:20:12: error: host 'a' log dir '/var/lib/zookeeper' is already "
                    "used by ZooKeeper server id 1 (line 5) as its data_dir"}));
}

TEST_F(KafkaLoadTest, TwoNodesOnOneHost) {
  // Same host (case-insensitively), everything inherited: ports (CLIENT and, the cluster
  // being secure, INTERNAL) and directories clash.
  LoadResult r = load(replace_line(kZk, 20, "host = \"A\""));
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:20:8: error: host 'A' already runs Kafka node id 11 (line 16) with "
                    "the same ports: listener_port 9092, internal_port 9094; give one of them "
                    "its own ports",
                    "inv.toml:20:8: error: host 'A' install_dir '/opt/kafka' is already used "
                    "by Kafka node id 11 (line 16) as its install_dir",
                    "inv.toml:20:8: error: host 'A' log dir '/var/lib/kafka/data' is already "
                    "used by Kafka node id 11 (line 16) as its log dir"}));
  // Their own port and directories: fine.
  Lines l = replace_line(kZk, 20, "host = \"a\"");
  l = insert_after(l, 21,
                   {"listener_port = 9192", "internal_port = 9194",
                    "install_dir = \"/opt/kafka-12\"", "log_dirs = [\"/var/lib/kafka/data-12\"]"});
  r = load(l);
  EXPECT_TRUE(r.cluster.has_value()) << dump(r);
}

TEST_F(KafkaLoadTest, ControllerOnlyNodesDoNotUseTheListenerPort) {
  // k4 (controller only) shares k1's host and listener_port but has its own controller
  // port and directories: fine. A broker-only node likewise ignores controller_port.
  Lines l = replace_line(kKraft, 9, "roles = [\"broker\"]");
  l = insert_after(l, 17,
                   {"[[kafka.nodes]]", "host = \"k1\"", "id = 4", "roles = [\"controller\"]",
                    "controller_port = 9095", "install_dir = \"/opt/kafka-4\"",
                    "log_dirs = [\"/var/lib/kafka/c4\"]"});
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->controllers().size(), 3u);
  EXPECT_EQ(r.cluster->brokers().size(), 3u);
}

TEST_F(KafkaLoadTest, ControllerPortCollisions) {
  // One node's own ports.
  LoadResult r = load(insert_after(kKraft, 9, {"controller_port = 9092"}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:10:19: error: kafka.nodes[0].controller_port: 9092 equals "
                           "listener_port of the same node; a node's ports must differ"));
  // The defaults: reported once.
  r = load(insert_after(kKraft, 5, {"listener_port = 9093"}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:6:17: error: kafka.listener_port: 9093 equals "
                           "kafka.controller_port; a node's ports must differ"));
  // Another node's controller port on the same host.
  Lines l = replace_line(kKraft, 11, "host = \"k1\"");
  l = insert_after(l, 13,
                   {"listener_port = 9093", "controller_port = 9095", "internal_port = 9096",
                    "install_dir = \"/opt/kafka-2\"", "log_dirs = [\"/var/lib/kafka/2\"]"});
  r = load(l);
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:14:17: error: host 'k1' port 9093 (listener_port) is already "
                           "used by Kafka node id 1 (line 6) as its controller_port"));
}

TEST_F(KafkaLoadTest, LogDirs) {
  Lines l = insert_after(kZk, 24, {"log_dirs = [\"/a\", \"/a/\", \"/b,c\"]"});
  l = insert_after(l, 21, {"log_dirs = [\"data\", 3]"});
  l = insert_after(l, 18, {"log_dirs = []"});
  l = insert_after(l, 15, {"log_dirs = \"/var/lib/kafka\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:28:26: error: kafka.nodes[2].log_dirs[2]: '/b,c' contains ',', "
          "which separates log.dirs entries",
          "inv.toml:16:12: error: kafka.log_dirs: expected an array of strings, got a string",
          "inv.toml:20:12: error: kafka.nodes[0].log_dirs: must name at least one directory",
          "inv.toml:24:13: error: kafka.nodes[1].log_dirs[0]: 'data' must be an "
          "absolute path (remote directory)",
          "inv.toml:24:21: error: kafka.nodes[1].log_dirs[1]: expected a string, got an integer",
          "inv.toml:28:19: error: kafka.nodes[2].log_dirs[1]: '/a' is listed twice"}));
}

TEST_F(KafkaLoadTest, InstallDirRulesAreZooKeepers) {
  const LoadResult r = load(insert_after(kZk, 15, {"install_dir = \"/\""}));
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:16:15: error: kafka.install_dir: the root directory '/' is not a "
                   "valid directory for Kafka"));
}

// ---- settings -----------------------------------------------------------------------

TEST_F(KafkaLoadTest, HeapRange) {
  const LoadResult r = load(insert_after(kZk, 15, {"heap_mb = 32"}));
  EXPECT_TRUE(HasDiag(r, "inv.toml:16:11: error: kafka.heap_mb: 32 is outside 64..1048576"));
}

TEST_F(KafkaLoadTest, ZooKeeperChroot) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"kafka", "must start with '/'"},
      {"/", "must name a znode below the root, not '/' itself"},
      {"/a b", "may contain only letters, digits, '_', '.', '-' and '/'"},
      {"/kafka/", "must not end with '/'"},
      {"/a//b", "must not contain an empty path component ('//')"},
      {"/a/../b", "must not contain a '.' or '..' component"},
      {"/zookeeper/kafka", "must not be under /zookeeper, which ZooKeeper reserves"},
  };
  for (const auto& [chroot, why] : bad) {
    const LoadResult r = load(insert_after(kZk, 15, {"zookeeper_chroot = \"" + chroot + "\""}));
    EXPECT_TRUE(
        HasOnlyError(r, "inv.toml:16:20: error: kafka.zookeeper_chroot: '" + chroot + "' " + why));
  }
}

TEST_F(KafkaLoadTest, SettingsOfTheOtherModeAreIgnoredWithAWarning) {
  Lines l = insert_after(kZk, 18, {"controller_port = 9999"});
  l = insert_after(l, 15, {"controller_port = 9093", "cluster_id = \"MkU3OEVBNTcwNTJENDM2Qg\""});
  LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:16:19: warning: kafka.controller_port: ignored when kafka.mode = "
                      "\"zookeeper\" (only KRaft controllers listen on it)",
                      "inv.toml:17:14: warning: kafka.cluster_id: ignored when kafka.mode = "
                      "\"zookeeper\" (the brokers take the id ZooKeeper holds at "
                      "<chroot>/cluster/id)",
                      "inv.toml:21:19: warning: kafka.nodes[0].controller_port: ignored when "
                      "kafka.mode = \"zookeeper\" (only KRaft controllers listen on it)"}));
  r = load(insert_after(kKraft, 5, {"zookeeper_chroot = \"/kafka\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:6:20: warning: kafka.zookeeper_chroot: ignored when kafka.mode = "
                      "\"kraft\" (KRaft brokers do not use ZooKeeper)"}));
}

TEST_F(KafkaLoadTest, ClusterId) {
  LoadResult r = load(insert_after(kKraft, 5, {"cluster_id = \"MkU3OEVBNTcwNTJENDM2Qg\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->kafka->cluster_id, "MkU3OEVBNTcwNTJENDM2Qg");
  for (const std::string bad : {"short", "MkU3OEVBNTcwNTJENDM2Q$", "MkU3OEVBNTcwNTJENDM2Qh",
                                "AAAAAAAAAAAAAAAAAAAAAA", "MkU3OEVBNTcwNTJENDM2QgA"}) {
    r = load(insert_after(kKraft, 5, {"cluster_id = \"" + bad + "\""}));
    EXPECT_TRUE(HasOnlyError(r, "inv.toml:6:14: error: kafka.cluster_id: '" + bad +
                                    "' is not a Kafka cluster id (22 base64url characters, as "
                                    "`kafka-storage.sh random-uuid` prints one)"));
  }
}

// ---- [kafka.config] -------------------------------------------------------------------

TEST_F(KafkaLoadTest, ConfigPassesThroughInOrder) {
  const LoadResult r = load(insert_after(
      kZk, 15,
      {"[kafka.config]", "\"num.partitions\" = 3", "log.retention.hours = 72",
       "\"auto.create.topics.enable\" = false", "\"log.cleaner.min.cleanable.ratio\" = 0.25",
       "\"compression.type\" = \"zstd\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);  // no unknown-key warnings for Kafka
  EXPECT_EQ(r.cluster->kafka->extra_config, (KV{{"num.partitions", "3"},
                                                {"log.retention.hours", "72"},
                                                {"auto.create.topics.enable", "false"},
                                                {"log.cleaner.min.cleanable.ratio", "0.25"},
                                                {"compression.type", "zstd"}}));
}

TEST_F(KafkaLoadTest, ManagedConfigKeysNameTheInventoryKey) {
  const LoadResult r = load(insert_after(kZk, 15,
                                         {"[kafka.config]",                                   // 16
                                          "\"broker.id\" = 5",                                // 17
                                          "\"node.id\" = 5",                                  // 18
                                          "\"process.roles\" = \"broker\"",                   // 19
                                          "\"listeners\" = \"PLAINTEXT://:9092\"",            // 20
                                          "\"advertised.listeners\" = \"PLAINTEXT://a:1\"",   // 21
                                          "\"listener.security.protocol.map\" = \"x\"",       // 22
                                          "\"controller.listener.names\" = \"C\"",            // 23
                                          "\"controller.quorum.voters\" = \"1@a:9093\"",      // 24
                                          "\"controller.quorum.bootstrap.servers\" = \"a\"",  // 25
                                          "\"log.dirs\" = \"/x\"",                            // 26
                                          "\"log.dir\" = \"/x\"",                             // 27
                                          "\"zookeeper.connect\" = \"a:2181\"",               // 28
                                          "\"inter.broker.listener.name\" = \"P\""}));        // 29
  EXPECT_EQ(errors(r), 13u) << dump(r);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:17:1: error: kafka.config: 'broker.id' is managed by zkctl; set "
                      "id in [[kafka.nodes]] instead"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:19:1: error: kafka.config: 'process.roles' is managed by zkctl; "
                      "set roles in [[kafka.nodes]] instead"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:20:1: error: kafka.config: 'listeners' is managed by zkctl; zkctl "
                      "writes its listeners CLIENT, INTERNAL and CONTROLLER (TLS and SASL from "
                      "[security]); set kafka.listener_port, kafka.internal_port and "
                      "kafka.controller_port (or a node's) instead"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:24:1: error: kafka.config: 'controller.quorum.voters' is managed "
                      "by zkctl; set roles = [\"controller\"] (or [\"broker\", \"controller\"]) "
                      "and controller_port in [[kafka.nodes]] instead"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:26:1: error: kafka.config: 'log.dirs' is managed by zkctl; set "
                      "kafka.log_dirs (or a node's log_dirs) instead"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:28:1: error: kafka.config: 'zookeeper.connect' is managed by "
                      "zkctl; set [[zookeeper.servers]] and kafka.zookeeper_chroot instead"));
}

TEST_F(KafkaLoadTest, HostileConfigIsRefused) {
  const LoadResult r = load(insert_after(kZk, 15,
                                         {"[kafka.config]",                           // 16
                                          "\"a b\" = 1",                              // 17
                                          "\"sasl.jaas.config\" = \"x\\ny=1\"",       // 18
                                          "\"ssl.keystore.location\" = \"C:\\\\k\"",  // 19
                                          "\"client.id\" = \"caf\u00e9\"",            // 20
                                          "\"x.y\" = [1]",                            // 21
                                          "\"x\\u0001\" = 1",                         // 22
                                          "\"num.partitions\" = 1",                   // 23
                                          "num.partitions = 2"}));                    // 24
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:17:1: error: kafka.config: key 'a b' may contain only letters, "
          "digits, '.', '_' and '-'",
          "inv.toml:18:22: error: kafka.config: key 'sasl.jaas.config': value "
          "contains a control character (it would inject a line into "
          "server.properties)",
          "inv.toml:19:27: error: kafka.config: key 'ssl.keystore.location': value "
          "contains '\\', which server.properties (a Java properties file) treats as "
          "an escape",
          "inv.toml:20:15: error: kafka.config: key 'client.id': value contains a "
          "non-ASCII character, which server.properties (read as Latin-1) would "
          "garble",
          "inv.toml:21:9: error: kafka.config: key 'x.y': expected a string, "
          "integer, boolean or float, got an array",
          "inv.toml:22:1: error: kafka.config: key 'x\\x01' contains a control "
          "character (it would inject a line into server.properties)",
          "inv.toml:24:5: error: kafka.config: key 'num.partitions' is already set at line 23"}));
}

TEST_F(KafkaLoadTest, SizedConfigLargerThanTheBrokersWarns) {
  Lines l = kZk;
  l.erase(l.begin() + 21, l.end());  // brokers 11 and 12 only
  const LoadResult r =
      load(insert_after(l, 15,
                        {"[kafka.config]", "\"offsets.topic.replication.factor\" = 3",
                         "\"default.replication.factor\" = 2", "\"min.insync.replicas\" = \"3\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:17:1: warning: kafka.config: offsets.topic.replication.factor = 3 "
                      "is more than the 2 brokers of this inventory; what needs it fails until "
                      "that many brokers run",
                      "inv.toml:19:1: warning: kafka.config: min.insync.replicas = 3 is more than "
                      "the 2 brokers of this inventory; what needs it fails until that many "
                      "brokers run"}));
}

}  // namespace
}  // namespace zkctl::inventory
