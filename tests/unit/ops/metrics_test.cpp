// The metrics pieces of ops: the agent jar as a node's file (Kafka's; ZooKeeper's when zoo.cfg
// has TLS), the ZooKeeper distribution's provider check, and status's per-node metrics line and
// JSON from either source of ZooKeeper's page.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ops/host/metrics_agent.hpp"
#include "ops/host/node_metrics.hpp"
#include "ops/zookeeper/server.hpp"
#include "support/cluster.hpp"

namespace zkctl::ops {
namespace {

namespace fs = std::filesystem;

TEST(Metrics, TheAgentJarIsOneMoreFileOfANodeRunningIt) {
  const fs::path jar =
      fs::temp_directory_path() / ("zkctl-agent-" + std::to_string(::getpid()) + ".jar");
  std::ofstream(jar, std::ios::binary) << std::string("PK\x03\x04\0agent", 10);
  inventory::Cluster c;
  c.metrics.kafka_agent = jar.string();
  inventory::KafkaNode n;
  n.install_dir = "/opt/kafka";
  auto none = kafka_agent_files(c, n);  // metrics_port 0: no agent
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
  n.metrics_port = 7071;
  auto files = kafka_agent_files(c, n);
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, "/opt/kafka/config/jmx_prometheus_javaagent.jar");
  EXPECT_EQ((*files)[0].content, std::string("PK\x03\x04\0agent", 10));
  EXPECT_EQ((*files)[0].mode, 0644);
  fs::remove(jar);
  c.metrics.kafka_agent = "/nonexistent/agent.jar";
  EXPECT_FALSE(kafka_agent_files(c, n));
}

TEST(Metrics, ASecureZooKeeperServerGetsTheAgentJarAnOpenOneDoesNot) {
  const fs::path jar =
      fs::temp_directory_path() / ("zkctl-zk-agent-" + std::to_string(::getpid()) + ".jar");
  std::ofstream(jar, std::ios::binary) << "PKjar";
  inventory::Cluster c;  // secure by default
  c.metrics.kafka_agent = jar.string();
  inventory::Server s;
  s.host = "node1";
  s.id = 1;
  s.install_dir = "/opt/zookeeper";
  s.metrics_port = 7000;
  c.servers.push_back(s);
  auto files = zookeeper_agent_files(c, s);
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, "/opt/zookeeper/conf/jmx_prometheus_javaagent.jar");
  EXPECT_EQ((*files)[0].content, "PKjar");
  EXPECT_EQ((*files)[0].mode, 0644);
  c.security.tls = false;  // its own provider serves: no jar
  c.security.authentication = inventory::Authentication::none;
  c.security.authorization = false;
  auto open = zookeeper_agent_files(c, s);
  ASSERT_TRUE(open) << open.error().message;
  EXPECT_TRUE(open->empty());
  fs::remove(jar);
}

TEST(Metrics, AZooKeeperDistributionWithoutTheProviderIsNamed) {
  const std::string with =
      "apache-zookeeper-3.9.5-bin/lib/zookeeper-3.9.5.jar\n"
      "apache-zookeeper-3.9.5-bin/lib/zookeeper-prometheus-metrics-3.9.4.jar\n"
      "apache-zookeeper-3.9.5-bin/lib/simpleclient-0.9.0.jar\n";
  EXPECT_EQ(zk_provider_problem(with), std::nullopt);
  const std::string debian = "apache-zookeeper-3.8.0-bin/lib/zookeeper-3.8.0.jar\n";
  EXPECT_EQ(zk_provider_problem(debian),
            "the distribution has no Prometheus metrics provider "
            "(lib/zookeeper-prometheus-metrics-*.jar), which [metrics] needs: use a distribution "
            "that ships it (the official apache-zookeeper-*-bin.tar.gz does) or set [metrics] "
            "enabled = false");
  const std::string half = "d/lib/zookeeper-prometheus-metrics-3.8.0.jar\n";
  EXPECT_NE(zk_provider_problem(half)->find("lib/simpleclient-*.jar"), std::string::npos);
}

// Only ZooKeeper's own provider needs its jars: on a secure cluster the agent serves, and a
// distribution without the provider is fine.
TEST(Metrics, PreflightAsksForTheProviderOnlyWhereItServes) {
  const testing::TempDir dir("zkctl-metrics-dist");
  auto open = testing::cluster_of({testing::zk_server("node1", 1)});
  open.servers[0].metrics_port = 7000;
  open.zookeeper.distribution = testing::fake_distribution(
      dir.path(), "zk.tar.gz", "apache-zookeeper-3.9.5-bin/lib/logback-core-1.3.15.jar");
  ASSERT_FALSE(open.zookeeper.distribution.empty());
  const ZooKeeperTier open_tier(open, open.servers);
  auto problem = metrics_problem(open, open_tier);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("no Prometheus metrics provider"), std::string::npos) << *problem;
  const auto secure = testing::secure(open);
  const ZooKeeperTier secure_tier(secure, secure.servers);
  EXPECT_EQ(metrics_problem(secure, secure_tier), std::nullopt);
}

TEST(Metrics, ZooKeepersLinePicksWhatStatusShows) {
  auto s = probe::parse_metrics_text(
      "outstanding_requests 2.0\navg_latency 0.4375\nsynced_followers 2.0\n"
      "jvm_memory_bytes_used{area=\"heap\",} 3.5651584E7\n"
      "jvm_memory_bytes_max{area=\"heap\",} 2.68435456E8\n");
  const NodeMetrics m = zookeeper_metrics_of(s);
  EXPECT_EQ(m.line(), "outstanding 2, avg latency 0.4 ms, synced followers 2, heap 34/256 MiB");
  EXPECT_EQ(m.json()["synced_followers"], 2.0);
  EXPECT_EQ(m.json()["heap_max_mib"], 256.0);
}

// The agent's JVM families are client_java 1.x's names, the provider's simpleclient 0.x's.
TEST(Metrics, ZooKeepersHeapIsReadUnderTheAgentsJvmNamesToo) {
  auto s = probe::parse_metrics_text(
      "outstanding_requests 0.0\navg_latency 0.0\n"
      "jvm_memory_used_bytes{area=\"heap\"} 1.048576E8\n"
      "jvm_memory_max_bytes{area=\"heap\"} 2.68435456E8\n");
  EXPECT_EQ(zookeeper_metrics_of(s).line(), "outstanding 0, avg latency 0.0 ms, heap 100/256 MiB");
}

TEST(Metrics, KafkasLineShowsOfflinePartitionsOnlyOnTheActiveController) {
  const std::string page =
      "kafka_server_replicamanager_underminisrpartitioncount 1.0\n"
      "kafka_controller_kafkacontroller_offlinepartitionscount 0.0\n"
      "kafka_network_requestmetrics_totaltimems{quantile=\"0.99\",request=\"Produce\",} 12.25\n"
      "kafka_server_replicamanager_isrshrinks_oneminuterate 0.05\n"
      "jvm_memory_used_bytes{area=\"heap\"} 1.048576E8\n";
  const NodeMetrics follower = kafka_metrics_of(probe::parse_metrics_text(
      page + "kafka_controller_kafkacontroller_activecontrollercount 0.0\n"));
  EXPECT_EQ(follower.line(),
            "under-min-ISR 1, produce p99 12.2 ms, ISR shrinks 0.05/s, heap 100 MiB");
  const NodeMetrics active = kafka_metrics_of(probe::parse_metrics_text(
      page + "kafka_controller_kafkacontroller_activecontrollercount 1.0\n"));
  EXPECT_EQ(active.line(),
            "under-min-ISR 1, offline 0, produce p99 12.2 ms, ISR shrinks 0.05/s, heap 100 MiB");
}

TEST(Metrics, AFailedFetchSaysSoAndAnOffNodeSaysNothing) {
  const NodeMetrics off;
  EXPECT_EQ(off.line(), "");
  EXPECT_TRUE(off.json().is_null());
  const NodeMetrics failed{.enabled = true, .error = "node1:7071: refused", .values = {}};
  EXPECT_EQ(failed.line(), "unavailable: node1:7071: refused");
  EXPECT_EQ(failed.json()["error"], "node1:7071: refused");
}

}  // namespace
}  // namespace zkctl::ops
