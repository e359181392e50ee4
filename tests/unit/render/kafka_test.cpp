// Kafka node files: values, rendering rules, refusals, and the golden files under
// tests/golden/kafka-zk/ and tests/golden/kafka-kraft/ compared byte for byte
// (ZKCTL_UPDATE_GOLDEN=1 rewrites them instead; review the diff).

#include "render/kafka.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "render/kafka_paths.hpp"
#include "seed_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

namespace fs = std::filesystem;
using inventory::KafkaMode;
using inventory::KafkaNode;

KafkaNode kafka_node(const char* host, int id, bool broker, bool controller) {
  KafkaNode n;
  n.host = host;
  n.id = id;
  n.broker = broker;
  n.controller = controller;
  n.listener_port = 9092;
  n.controller_port = 9093;
  n.install_dir = "/opt/kafka";
  n.log_dirs = {"/var/lib/kafka/data"};
  return n;
}

// inventories/seed-kafka.toml by hand: the seed ensemble, brokers 11..13 on node1..node3.
inventory::Cluster seed_kafka_cluster() {
  inventory::Cluster c = testing::seed_cluster();
  inventory::KafkaSettings k;
  k.mode = KafkaMode::zookeeper;
  k.heap_mb = 256;
  k.zookeeper_chroot = "/kafka";
  k.extra_config = {{"num.partitions", "3"}, {"group.initial.rebalance.delay.ms", "0"}};
  c.kafka = k;
  for (int i = 1; i <= 3; ++i) {
    const std::string host = "node" + std::to_string(i);
    c.kafka_nodes.push_back(kafka_node(host.c_str(), 10 + i, true, false));
  }
  return c;
}

// inventories/kraft.toml by hand: combined broker+controller nodes kf1..kf3 (ids 1..3).
inventory::Cluster kraft_cluster() {
  inventory::Cluster c;
  c.name = "kraft";
  inventory::KafkaSettings k;
  k.mode = KafkaMode::kraft;
  k.heap_mb = 256;
  k.extra_config = {{"num.partitions", "3"}, {"group.initial.rebalance.delay.ms", "0"}};
  c.kafka = k;
  // Out of id order on purpose: controller.quorum.voters is sorted by id.
  c.kafka_nodes.push_back(kafka_node("kf3", 3, true, true));
  c.kafka_nodes.push_back(kafka_node("kf1", 1, true, true));
  c.kafka_nodes.push_back(kafka_node("kf2", 2, true, true));
  return c;
}

// A KRaft cluster of `brokers` broker-only nodes b1.. and controller-only c1.
inventory::Cluster kraft_with_brokers(int brokers) {
  inventory::Cluster c;
  c.name = "k";
  c.kafka = inventory::KafkaSettings{.mode = KafkaMode::kraft};
  c.kafka_nodes.push_back(kafka_node("c1", 100, false, true));
  for (int i = 1; i <= brokers; ++i) {
    const std::string host = "b" + std::to_string(i);
    c.kafka_nodes.push_back(kafka_node(host.c_str(), i, true, false));
  }
  return c;
}

std::string properties_of(const inventory::Cluster& c, const KafkaNode& n) {
  auto r = render_server_properties(server_properties_values(c, n));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::string();
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

bool has_key(const std::string& text, const std::string& key) {
  return ("\n" + text).find("\n" + key + "=") != std::string::npos;
}

size_t count_key(const std::string& text, const std::string& key) {
  size_t n = 0;
  const std::string t = "\n" + text;
  for (auto at = t.find("\n" + key + "="); at != std::string::npos;
       at = t.find("\n" + key + "=", at + 1))
    ++n;
  return n;
}

// ---- paths ------------------------------------------------------------------------

TEST(KafkaPaths, DerivedFromInstallDirAndLogDirs) {
  KafkaNode n = kafka_node("h", 1, true, false);
  n.install_dir = "/srv/kafka/";
  n.log_dirs = {"/d1/kafka/", "/d2/kafka"};
  const KafkaPaths p = kafka_paths(n);
  EXPECT_EQ(p.install_dir, "/srv/kafka");
  EXPECT_EQ(p.releases_dir, "/srv/kafka/releases");
  EXPECT_EQ(p.current_link, "/srv/kafka/current");
  EXPECT_EQ(p.config_dir, "/srv/kafka/config");
  EXPECT_EQ(p.server_properties, "/srv/kafka/config/server.properties");
  EXPECT_EQ(p.env_file, "/srv/kafka/config/kafka-env.sh");
  EXPECT_EQ(p.log_dir, "/srv/kafka/logs");
  EXPECT_EQ(p.pid_file, "/srv/kafka/kafka.pid");
  EXPECT_EQ(p.log_dirs, (std::vector<std::string>{"/d1/kafka", "/d2/kafka"}));
  EXPECT_EQ(p.meta_properties, "/d1/kafka/meta.properties");
}

// ---- zookeeper.connect ---------------------------------------------------------------

TEST(KafkaZooKeeperConnect, VotersFirstThenObserversChrootOnceAtTheEnd) {
  // seed_cluster() lists the observer nn01 first.
  EXPECT_EQ(kafka_zookeeper_connect(seed_kafka_cluster()),
            "node1:2181,node2:2181,node3:2181,nn01:2181/kafka");
}

TEST(KafkaZooKeeperConnect, OwnClientPortsIpv6AndChroot) {
  inventory::Cluster c = seed_kafka_cluster();
  c.servers[1].host = "2001:db8::1";
  c.servers[2].ports.client = 2182;
  c.kafka->zookeeper_chroot = "/clusters/prod";
  EXPECT_EQ(kafka_zookeeper_connect(c),
            "[2001:db8::1]:2181,node2:2182,node3:2181,nn01:2181/clusters/prod");
  c.kafka.reset();
  EXPECT_EQ(kafka_zookeeper_connect(c), "[2001:db8::1]:2181,node2:2182,node3:2181,nn01:2181");
}

// ---- zookeeper mode ----------------------------------------------------------------

TEST(KafkaServerProperties, ZooKeeperModeLines) {
  const auto c = seed_kafka_cluster();
  const std::string text = properties_of(c, c.kafka_nodes[1]);
  EXPECT_TRUE(text.starts_with("# generated by zkctl — do not edit\n"));
  EXPECT_TRUE(has_line(text, "broker.id=12"));
  EXPECT_TRUE(has_line(text, "listeners=PLAINTEXT://:9092"));
  EXPECT_TRUE(has_line(text, "advertised.listeners=PLAINTEXT://node2:9092"));
  EXPECT_TRUE(has_line(text, "log.dirs=/var/lib/kafka/data"));
  EXPECT_TRUE(has_line(text, "zookeeper.connect=node1:2181,node2:2181,node3:2181,nn01:2181/kafka"));
  EXPECT_TRUE(has_line(text, "zookeeper.connection.timeout.ms=18000"));
  for (const char* kraft_key :
       {"node.id", "process.roles", "controller.quorum.voters", "controller.listener.names",
        "listener.security.protocol.map", "inter.broker.listener.name"})
    EXPECT_FALSE(has_key(text, kraft_key)) << kraft_key;
  // The extra config comes last, in inventory order.
  EXPECT_TRUE(text.ends_with("num.partitions=3\ngroup.initial.rebalance.delay.ms=0\n")) << text;
}

TEST(KafkaServerProperties, SeveralLogDirsAreCommaJoined) {
  auto c = seed_kafka_cluster();
  c.kafka_nodes[0].log_dirs = {"/d1/kafka", "/d2/kafka/"};
  EXPECT_TRUE(has_line(properties_of(c, c.kafka_nodes[0]), "log.dirs=/d1/kafka,/d2/kafka"));
}

TEST(KafkaServerProperties, Ipv6AdvertisedListenerIsBracketed) {
  auto c = seed_kafka_cluster();
  c.kafka_nodes[0].host = "fd00::11";
  EXPECT_TRUE(has_line(properties_of(c, c.kafka_nodes[0]),
                       "advertised.listeners=PLAINTEXT://[fd00::11]:9092"));
}

// ---- replication sized by the brokers ------------------------------------------------

TEST(KafkaReplication, SizedByTheBrokerCount) {
  struct Case {
    int brokers, rf, min_isr;
  };
  for (const Case& k : {Case{1, 1, 1}, Case{2, 2, 1}, Case{3, 3, 2}, Case{5, 3, 2}}) {
    const ReplicationDefaults d = replication_defaults(k.brokers);
    EXPECT_EQ(d.offsets_topic_replication_factor, k.rf) << k.brokers;
    EXPECT_EQ(d.transaction_state_log_replication_factor, k.rf) << k.brokers;
    EXPECT_EQ(d.default_replication_factor, k.rf) << k.brokers;
    EXPECT_EQ(d.transaction_state_log_min_isr, k.min_isr) << k.brokers;

    // The same through a rendered KRaft broker (the controller-only node does not count).
    const auto c = kraft_with_brokers(k.brokers);
    const std::string text = properties_of(c, c.kafka_nodes[1]);
    const std::string rf = std::to_string(k.rf);
    EXPECT_TRUE(has_line(text, "offsets.topic.replication.factor=" + rf)) << text;
    EXPECT_TRUE(has_line(text, "transaction.state.log.replication.factor=" + rf)) << text;
    EXPECT_TRUE(has_line(text, "default.replication.factor=" + rf)) << text;
    EXPECT_TRUE(has_line(text, "transaction.state.log.min.isr=" + std::to_string(k.min_isr)))
        << text;
    // min.insync.replicas stays at Kafka's default (1): zkctl does not write it.
    EXPECT_FALSE(has_key(text, "min.insync.replicas")) << text;
  }
}

TEST(KafkaReplication, ZooKeeperModeCountsEveryNode) {
  auto c = seed_kafka_cluster();
  c.kafka_nodes.pop_back();  // two brokers
  const std::string text = properties_of(c, c.kafka_nodes[0]);
  EXPECT_TRUE(has_line(text, "offsets.topic.replication.factor=2"));
  EXPECT_TRUE(has_line(text, "transaction.state.log.min.isr=1"));
}

TEST(KafkaReplication, ExtraConfigReplacesADefault) {
  auto c = seed_kafka_cluster();
  c.kafka->extra_config = {{"offsets.topic.replication.factor", "1"},
                           {"zookeeper.connection.timeout.ms", "6000"},
                           {"min.insync.replicas", "2"}};
  const std::string text = properties_of(c, c.kafka_nodes[0]);
  EXPECT_EQ(count_key(text, "offsets.topic.replication.factor"), 1U);
  EXPECT_TRUE(has_line(text, "offsets.topic.replication.factor=1"));
  EXPECT_EQ(count_key(text, "zookeeper.connection.timeout.ms"), 1U);
  EXPECT_TRUE(has_line(text, "zookeeper.connection.timeout.ms=6000"));
  EXPECT_TRUE(has_line(text, "min.insync.replicas=2"));
  EXPECT_TRUE(has_line(text, "default.replication.factor=3"));  // not overridden
}

// ---- kraft roles and listeners --------------------------------------------------------

TEST(KafkaServerProperties, KraftCombinedNode) {
  const auto c = kraft_cluster();
  const std::string text = properties_of(c, c.kafka_nodes[1]);  // kf1
  EXPECT_TRUE(has_line(text, "process.roles=broker,controller"));
  EXPECT_TRUE(has_line(text, "node.id=1"));
  EXPECT_TRUE(has_line(text, "controller.quorum.voters=1@kf1:9093,2@kf2:9093,3@kf3:9093"));
  EXPECT_TRUE(has_line(text, "controller.listener.names=CONTROLLER"));
  EXPECT_TRUE(has_line(text, "listeners=PLAINTEXT://:9092,CONTROLLER://:9093"));
  EXPECT_TRUE(has_line(text, "advertised.listeners=PLAINTEXT://kf1:9092"));
  EXPECT_TRUE(
      has_line(text, "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"));
  EXPECT_TRUE(has_line(text, "inter.broker.listener.name=PLAINTEXT"));
  EXPECT_FALSE(has_key(text, "broker.id"));
  EXPECT_FALSE(has_key(text, "zookeeper.connect"));
  EXPECT_FALSE(has_key(text, "zookeeper.connection.timeout.ms"));
}

TEST(KafkaServerProperties, KraftBrokerOnlyAndControllerOnly) {
  auto c = kraft_with_brokers(2);
  c.kafka_nodes[0].controller_port = 9193;
  const std::string controller = properties_of(c, c.kafka_nodes[0]);
  EXPECT_TRUE(has_line(controller, "process.roles=controller"));
  EXPECT_TRUE(has_line(controller, "node.id=100"));
  EXPECT_TRUE(has_line(controller, "listeners=CONTROLLER://:9193"));
  EXPECT_FALSE(has_key(controller, "advertised.listeners"));
  EXPECT_FALSE(has_key(controller, "inter.broker.listener.name"));
  EXPECT_TRUE(has_line(controller, "controller.quorum.voters=100@c1:9193"));

  const std::string broker = properties_of(c, c.kafka_nodes[2]);
  EXPECT_TRUE(has_line(broker, "process.roles=broker"));
  EXPECT_TRUE(has_line(broker, "node.id=2"));
  EXPECT_TRUE(has_line(broker, "listeners=PLAINTEXT://:9092"));
  EXPECT_TRUE(has_line(broker, "advertised.listeners=PLAINTEXT://b2:9092"));
  EXPECT_TRUE(has_line(broker, "inter.broker.listener.name=PLAINTEXT"));
  EXPECT_TRUE(has_line(broker, "controller.quorum.voters=100@c1:9193"));
  EXPECT_TRUE(has_line(broker, "controller.listener.names=CONTROLLER"));
}

TEST(KafkaServerProperties, ZooKeeperModeIgnoresControllerFlags) {
  auto c = seed_kafka_cluster();
  c.kafka_nodes[0].controller = true;  // the loader refuses this; render stays a broker
  const auto v = server_properties_values(c, c.kafka_nodes[0]);
  EXPECT_TRUE(v.broker);
  EXPECT_FALSE(v.controller);
  EXPECT_TRUE(v.controller_quorum_voters.empty());
}

// ---- refusals -------------------------------------------------------------------------

TEST(KafkaServerProperties, HostileValuesAreRefused) {
  const auto c = seed_kafka_cluster();
  const auto base = server_properties_values(c, c.kafka_nodes[0]);
  const auto refused = [&](auto edit, const std::string& expected) {
    ServerPropertiesValues v = base;
    edit(v);
    auto r = render_server_properties(v);
    ASSERT_FALSE(r.ok()) << expected;
    EXPECT_EQ(r.error().message, expected);
  };
  refused([](auto& v) { v.advertised_listeners[0].host = "node1\nbroker.id=7"; },
          "advertised listener PLAINTEXT host contains a line break");
  refused([](auto& v) { v.advertised_listeners[0].host = "a,b"; },
          "advertised listener PLAINTEXT host 'a,b' contains one of , space / @ = [ ]");
  refused([](auto& v) { v.advertised_listeners[0].host = ""; },
          "advertised listener PLAINTEXT has an empty host");
  refused([](auto& v) { v.listeners[0].port = 0; },
          "listener PLAINTEXT port 0 is outside 1..65535");
  refused([](auto& v) { v.id = -1; }, "node id -1 is outside 0..2147483647");
  refused([](auto& v) { v.log_dirs = {"/a,/b"}; }, "log dir '/a,/b' contains ','");
  refused([](auto& v) { v.log_dirs = {"data"}; }, "log dir 'data' is not an absolute path");
  refused([](auto& v) { v.log_dirs.clear(); }, "no log dirs");
  refused([](auto& v) { v.zookeeper_connect = "a:2181\nx=1"; },
          "zookeeper.connect contains a line break");
  refused(
      [](auto& v) {
        v.extra_config = {{"metric.reporters", "C:\\k"}};
      },
      "server.properties extra key 'metric.reporters' value contains a backslash (a Java "
      "properties escape)");
  refused(
      [](auto& v) {
        v.extra_config = {{"client.id", "caf\xc3\xa9"}};
      },
      "server.properties extra key 'client.id' value contains a non-ASCII byte "
      "(server.properties is read as Latin-1)");
  refused(
      [](auto& v) {
        v.extra_config = {{"a b", "1"}};
      },
      "server.properties extra key 'a b' may hold only letters, digits, '.', '_' and '-'");
  refused(
      [](auto& v) {
        v.extra_config = {{"x", "1"}, {"x", "2"}};
      },
      "server.properties extra key 'x' appears twice");
  refused([](auto& v) { v.controller = true; },
          "in zookeeper mode a node is a broker and nothing else");
}

TEST(KafkaServerProperties, ManagedExtraKeysAreRefused) {
  const auto c = seed_kafka_cluster();
  for (const char* key :
       {"broker.id", "node.id", "process.roles", "listeners", "advertised.listeners",
        "listener.security.protocol.map", "controller.listener.names", "controller.quorum.voters",
        "controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "zookeeper.connect",
        "inter.broker.listener.name"}) {
    auto v = server_properties_values(c, c.kafka_nodes[0]);
    v.extra_config = {{key, "x"}};
    auto r = render_server_properties(v);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.error().message, std::string("server.properties extra key '") + key +
                                     "' is written by zkctl itself; set it through the inventory");
  }
}

TEST(KafkaServerProperties, KraftRefusesInconsistentRoles) {
  const auto c = kraft_cluster();
  const auto base = server_properties_values(c, c.kafka_nodes[0]);
  auto v = base;
  v.controller_quorum_voters.clear();
  EXPECT_EQ(render_server_properties(v).error().message, "controller.quorum.voters is empty");
  v = base;
  v.controller_quorum_voters.erase(v.controller_quorum_voters.begin() + 2);  // kf3 itself
  EXPECT_EQ(render_server_properties(v).error().message, "controller 3 is not a voter");
  v = base;
  v.broker = false;
  v.controller = false;
  EXPECT_EQ(render_server_properties(v).error().message,
            "node has neither the broker nor the controller role");
  v = base;
  v.controller_quorum_voters[0].host = "kf1@x";
  EXPECT_EQ(render_server_properties(v).error().message,
            "voter 1 host 'kf1@x' contains one of , space / @ = [ ]");
  v = base;
  v.advertised_listeners.push_back(KafkaListener{kKafkaControllerListener, "kf3", 9093});
  EXPECT_EQ(render_server_properties(v).error().message,
            "the CONTROLLER listener is not advertised (controllers are found through "
            "controller.quorum.voters)");
}

// ---- kafka-env.sh -------------------------------------------------------------------

TEST(KafkaEnv, HeapAndLogDirQuoted) {
  const auto c = seed_kafka_cluster();
  const auto v = kafka_env_values(c, c.kafka_nodes[0]);
  EXPECT_EQ(v.heap_mb, 256);
  EXPECT_EQ(v.log_dir, "/opt/kafka/logs");
  auto r = render_kafka_env(v);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r,
            "# generated by zkctl — do not edit\n"
            "# Sourced before bin/kafka-server-start.sh; every value is shell-quoted by zkctl.\n"
            "export KAFKA_HEAP_OPTS='-Xmx256m -Xms256m'\n"
            "export LOG_DIR=/opt/kafka/logs\n");
}

TEST(KafkaEnv, JavaHomeAndHostileValues) {
  KafkaEnvValues v{
      .heap_mb = 512, .log_dir = "/opt/k $(id)/logs", .java_home = "/usr/lib/jvm/java-17"};
  auto r = render_kafka_env(v);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(has_line(*r, "export LOG_DIR='/opt/k $(id)/logs'")) << *r;
  EXPECT_TRUE(has_line(*r, "export JAVA_HOME=/usr/lib/jvm/java-17")) << *r;
  v.log_dir = "/opt/k\n/logs";
  EXPECT_EQ(render_kafka_env(v).error().message, "LOG_DIR contains a line break");
  v.log_dir = "/opt/kafka/logs";
  v.heap_mb = 0;
  EXPECT_EQ(render_kafka_env(v).error().message, "heap 0 MB is not positive");
}

// ---- render_kafka_node ----------------------------------------------------------------

TEST(RenderKafkaNode, TwoFilesAtTheirPaths) {
  const auto c = seed_kafka_cluster();
  auto files = render_kafka_node(c, c.kafka_nodes[2]);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 2U);
  EXPECT_EQ((*files)[0].path, "/opt/kafka/config/server.properties");
  EXPECT_EQ((*files)[1].path, "/opt/kafka/config/kafka-env.sh");
  for (const auto& f : *files) EXPECT_EQ(f.mode, 0644);
  for (const auto& f : *files) EXPECT_EQ(f.owner, FileOwner::root) << f.path;
  EXPECT_EQ(local_name(c.kafka_nodes[2], (*files)[0]), "node3/kafka-13/server.properties");
  KafkaNode odd = c.kafka_nodes[2];
  odd.host = "../x";
  EXPECT_EQ(local_name(odd, (*files)[1]), ".._x/kafka-13/kafka-env.sh");
}

TEST(RenderKafkaNode, ASecretKeyMakesServerProperties0640WithTheServicesGroup) {
  auto c = seed_kafka_cluster();
  c.kafka->extra_config.emplace_back("password.encoder.secret", "x-very-secret");
  auto files = render_kafka_node(c, c.kafka_nodes[2]);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ((*files)[0].mode, 0640);
  EXPECT_EQ((*files)[0].owner, FileOwner::root_service);
  EXPECT_EQ((*files)[1].mode, 0644);
  EXPECT_EQ((*files)[1].owner, FileOwner::root);
}

TEST(RenderKafkaNode, RefusesWhatIsNotInTheCluster) {
  auto c = seed_kafka_cluster();
  KafkaNode stranger = kafka_node("elsewhere", 99, true, false);
  EXPECT_EQ(render_kafka_node(c, stranger).error().message,
            "elsewhere: Kafka node id 99 is not in cluster 'seed'");
  c.kafka_nodes[1].id = 11;
  EXPECT_EQ(render_kafka_node(c, c.kafka_nodes[0]).error().message,
            "node1: Kafka node id 11 appears twice");
  c = seed_kafka_cluster();
  c.kafka_nodes[0].install_dir = "opt/kafka";
  EXPECT_EQ(render_kafka_node(c, c.kafka_nodes[0]).error().message,
            "node1: install_dir 'opt/kafka' is not an absolute path");
  c.kafka.reset();
  EXPECT_EQ(render_kafka_node(c, c.kafka_nodes[1]).error().message,
            "node2: cluster 'seed' has no [kafka] table");
}

TEST(RenderKafkaNode, TemplateOverrideIsUsed) {
  const auto c = seed_kafka_cluster();
  RenderOptions options;
  options.template_overrides["kafka/server.properties.mustache"] = "broker.id={{id}}\n";
  auto files = render_kafka_node(c, c.kafka_nodes[0], options);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ((*files)[0].content, "broker.id=11\n");
}

// ---- golden files -----------------------------------------------------------------------

void compare_with_golden(const inventory::Cluster& cluster, const std::string& dir) {
  test::expect_golden_tree(
      test::golden_dir() / dir, cluster.kafka_nodes,
      [&](const KafkaNode& node) { return render_kafka_node(cluster, node); }, 2);
}

TEST(KafkaGolden, ZooKeeperModeMatchesGoldenFiles) {
  compare_with_golden(seed_kafka_cluster(), "kafka-zk");
}

TEST(KafkaGolden, KraftMatchesGoldenFiles) {
  compare_with_golden(kraft_cluster(), "kafka-kraft");
}

}  // namespace
}  // namespace zkctl::render
