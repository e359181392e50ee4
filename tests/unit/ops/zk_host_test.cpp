#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>

#include "ops/host/java.hpp"
#include "ops/zookeeper/host.hpp"

using namespace zkctl;

namespace {
const ops::JavaNeed kZooKeeper{8, "ZooKeeper 3.8.0"};

inventory::Server node1() {
  inventory::Server s;
  s.host = "node1";
  s.id = 1;
  s.install_dir = "/opt/zookeeper";
  s.data_dir = "/var/lib/zookeeper";
  return s;
}
}  // namespace

TEST(ParseFacts, ReadsEveryKey) {
  std::string out =
      "java=openjdk version \"17.0.15\" 2025-04-15\n"
      "release=abc123\n"
      "myid=1\n"
      "history=1\n"
      "pid=4242\n"
      "listen=2181 LISTEN 0 50 *:2181 *:* users:((\"java\",pid=4242,fd=51))\n"
      "listen=3888 LISTEN 0 50 [::ffff:10.231.0.11]:3888 *:* users:((\"java\",pid=4242,fd=48))\n"
      "file=0123abcd /opt/zookeeper/conf/zoo.cfg\n"
      "file=ffff /opt/my dir/conf/zookeeper-env.sh\n";
  auto f = ops::parse_facts(out, node1(), {});
  EXPECT_EQ(f.java_version, "openjdk version \"17.0.15\" 2025-04-15");
  EXPECT_EQ(f.release_sha256, "abc123");
  EXPECT_EQ(f.myid, "1");
  EXPECT_TRUE(f.data_has_history);
  EXPECT_EQ(f.pid, 4242);
  ASSERT_EQ(f.listeners.size(), 2u);
  EXPECT_EQ(f.listeners[0].port, 2181);
  EXPECT_EQ(f.listeners[0].pids, std::vector<int>{4242});
  EXPECT_EQ(f.file_sha256.at("/opt/zookeeper/conf/zoo.cfg"), "0123abcd");
  EXPECT_EQ(f.file_sha256.at("/opt/my dir/conf/zookeeper-env.sh"), "ffff");
  EXPECT_TRUE(ops::preflight_problems(node1(), f, kZooKeeper).empty());
}

TEST(Preflight, MissingJavaIsReported) {
  auto f = ops::parse_facts("", node1(), {});
  auto p = ops::preflight_problems(node1(), f, kZooKeeper);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("java not found"), std::string::npos);
}

TEST(Preflight, MyidMismatchIsRefused) {
  auto f = ops::parse_facts("java=x\nmyid=7\n", node1(), {});
  auto p = ops::preflight_problems(node1(), f, kZooKeeper);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0],
            "data dir /var/lib/zookeeper holds myid 7 but the inventory gives id 1: refusing to "
            "reuse another server's data");
}

TEST(Preflight, DataWithoutMyidIsRefused) {
  auto f = ops::parse_facts("java=x\nhistory=1\n", node1(), {});
  auto p = ops::preflight_problems(node1(), f, kZooKeeper);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("no myid"), std::string::npos);
}

TEST(Preflight, PortHeldBySomethingElseIsReported) {
  auto f = ops::parse_facts(
      "java=x\nlisten=2181 LISTEN 0 5 0.0.0.0:2181 0.0.0.0:* users:((\"nc\",pid=99,fd=3))\n",
      node1(), {});
  auto p = ops::preflight_problems(node1(), f, kZooKeeper);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "port 2181 is already in use by pid 99 (not this cluster's ZooKeeper)");
}

TEST(Preflight, PortHeldByOurOwnServerIsFine) {
  auto f = ops::parse_facts(
      "java=x\nmyid=1\npid=5\nlisten=2181 LISTEN 0 5 *:2181 *:* users:((\"java\",pid=5,fd=3))\n",
      node1(), {});
  EXPECT_TRUE(ops::preflight_problems(node1(), f, kZooKeeper).empty());
}

TEST(Preflight, UnwritableDirIsReported) {
  auto f = ops::parse_facts("java=x\nunwritable=/opt/zookeeper\n", node1(), {});
  auto p = ops::preflight_problems(node1(), f, kZooKeeper);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("cannot create /opt/zookeeper"), std::string::npos);
}

TEST(ForeignData, AMarkNamingAnotherClusterIsRefused) {
  inventory::Server s;
  s.host = "node4";
  s.id = 5;
  s.data_dir = "/var/lib/zookeeper";
  ops::HostFacts f;
  f.cluster_mark = "prod-eu";
  auto p = ops::foreign_data_problems("seed", {{&s, &f}});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0],
            "node4: data dir /var/lib/zookeeper belongs to cluster 'prod-eu', not 'seed': "
            "refusing to start on another cluster's data");
  f.cluster_mark = "seed";
  EXPECT_TRUE(ops::foreign_data_problems("seed", {{&s, &f}}).empty());
}

TEST(ForeignData, AStoppedServerWithAHistoryAheadOfTheRunningEnsembleIsRefused) {
  inventory::Server a, b, c;
  a.host = "node1";
  b.host = "node2";
  c.host = "node4";
  c.data_dir = "/var/lib/zookeeper";
  ops::HostFacts fa, fb, fc;
  fa.pid = 100;
  fa.current_epoch = 3;
  fb.pid = 200;
  fb.current_epoch = 4;
  fc.current_epoch = 4;  // a member that was down a while: not ahead
  EXPECT_TRUE(ops::foreign_data_problems("seed", {{&a, &fa}, {&b, &fb}, {&c, &fc}}).empty());
  fc.current_epoch = 999;
  auto p = ops::foreign_data_problems("seed", {{&a, &fa}, {&b, &fb}, {&c, &fc}});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("node4: data dir /var/lib/zookeeper has epoch 999, ahead of the running "
                      "ensemble's 4"),
            std::string::npos)
      << p[0];
  fc.pid = 300;  // running already: it is part of the ensemble, whatever its epoch
  EXPECT_TRUE(ops::foreign_data_problems("seed", {{&a, &fa}, {&b, &fb}, {&c, &fc}}).empty());
  // Nothing running (first deploy, or all stopped): epochs cannot be compared.
  fa.pid.reset();
  fb.pid.reset();
  fc.pid.reset();
  EXPECT_TRUE(ops::foreign_data_problems("seed", {{&a, &fa}, {&b, &fb}, {&c, &fc}}).empty());
}

TEST(ForeignData, InspectOutputCarriesEpochAndMark) {
  inventory::Server s;
  s.host = "node1";
  s.id = 1;
  auto f = ops::parse_facts("history=1\nepoch=7\nmark=seed\nmyid=1\n", s, {});
  EXPECT_EQ(f.current_epoch, 7);
  EXPECT_EQ(f.cluster_mark, "seed");
}

TEST(JavaPolicy, VersionsComeFromTheJarsNotTheFileName) {
  auto zk = ops::version_from_listing(
      "apache-zookeeper-3.9.4-bin/lib/zookeeper-jute-3.9.4.jar\n"
      "apache-zookeeper-3.9.4-bin/lib/zookeeper-prometheus-metrics-3.9.4.jar\n"
      "apache-zookeeper-3.9.4-bin/lib/zookeeper-3.9.4.jar\n",
      render::Product::zookeeper);
  ASSERT_TRUE(zk) << zk.error().message;
  EXPECT_EQ(zk->text, "3.9.4");
  EXPECT_EQ(zk->minor, 9);
  auto kafka = ops::version_from_listing(
      "k/libs/kafka_2.13-4.1.0.jar\nk/libs/kafka-clients-4.1.0.jar\n", render::Product::kafka);
  ASSERT_TRUE(kafka);
  EXPECT_EQ(kafka->major, 4);
  EXPECT_FALSE(ops::version_from_listing("k/libs/kafka-clients.jar\n", render::Product::kafka));
  EXPECT_FALSE(
      ops::version_from_listing("k/lib/zookeeper-99999.0.0.jar\n", render::Product::zookeeper));
}

TEST(JavaPolicy, OnePolicyForPreflightAndCheck) {
  EXPECT_EQ(ops::java_need(render::Product::zookeeper, {3, 8, 0, "3.8.0"}).min_major, 8);
  EXPECT_EQ(ops::java_need(render::Product::kafka, {3, 9, 2, "3.9.2"}).min_major, 8);
  auto k4 = ops::java_need(render::Product::kafka, {4, 0, 0, "4.0.0"});
  EXPECT_EQ(k4.min_major, 17);
  EXPECT_EQ(k4.product, "Kafka 4.0.0");
}

TEST(JavaPolicy, ARealTarballIsRead) {
  char dir[] = "/tmp/zkctl-java-policy-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string d = dir;
  // The file name says 4.x, the jars say 3.9.2: the jars win.
  ASSERT_EQ(std::system(("mkdir -p " + d + "/kafka_2.13-3.9.2/libs && touch " + d +
                         "/kafka_2.13-3.9.2/libs/kafka-clients-3.9.2.jar && tar -czf " + d +
                         "/kafka_2.13-4.0.0.tgz -C " + d + " kafka_2.13-3.9.2")
                            .c_str()),
            0);
  auto v = ops::distribution_version(d + "/kafka_2.13-4.0.0.tgz", render::Product::kafka);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->text, "3.9.2");
  EXPECT_EQ(ops::java_need_of(d + "/kafka_2.13-4.0.0.tgz", render::Product::kafka)->min_major, 8);
  EXPECT_FALSE(ops::distribution_version(d + "/missing.tgz", render::Product::kafka));
  std::system(("rm -rf " + d).c_str());
}
