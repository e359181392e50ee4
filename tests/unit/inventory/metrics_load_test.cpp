// Loading [metrics]: defaults, each key, its errors with file:line:col, and the metrics ports in
// the port checks (a node's own ports, the same host's nodes, the host agent's port).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using namespace test;  // inventory_builder.hpp

class MetricsLoad : public InventoryTest {
 protected:
  void SetUp() override {
    InventoryTest::SetUp();
    std::ofstream(dir_ / "agent.jar") << "PK";
  }
  // kThreeVotersThreeBrokers (lines 1-24) with `metrics` appended from line 25.
  LoadResult with_kafka(const Lines& metrics) {
    return load(insert_after(kThreeVotersThreeBrokers, 24, metrics));
  }
  // kThreeVoters (lines 1-13) with `metrics` appended from line 14.
  LoadResult zookeeper_only(const Lines& metrics) {
    return load(insert_after(kThreeVoters, 13, metrics));
  }
};

TEST_F(MetricsLoad, DefaultsOnZooKeeperOnlyWithoutTheTable) {
  auto r = load(kThreeVotersThreeBrokers);
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const MetricsSettings& m = r.cluster->metrics;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.zookeeper_port, 7000);
  EXPECT_EQ(m.kafka_port, 7071);
  EXPECT_EQ(m.host_port, 9100);
  EXPECT_EQ(m.pos.line, 0);
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.metrics_port, 7000);
  // No [metrics]: an older inventory keeps working; its Kafka nodes run no agent.
  for (const auto& n : r.cluster->kafka_nodes) EXPECT_EQ(n.metrics_port, 0);
}

TEST_F(MetricsLoad, EveryKeyReachesTheModelAndTheNodes) {
  auto r = with_kafka({"[metrics]", "zookeeper_port = 7001", "kafka_port = 7072",
                       "host_port = 9101", "kafka_agent = \"agent.jar\""});
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const MetricsSettings& m = r.cluster->metrics;
  EXPECT_EQ(m.zookeeper_port, 7001);
  EXPECT_EQ(m.kafka_port, 7072);
  EXPECT_EQ(m.host_port, 9101);
  EXPECT_EQ(m.kafka_agent, (dir_ / "agent.jar").string());
  EXPECT_EQ(m.pos.line, 25);
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.metrics_port, 7001);
  for (const auto& n : r.cluster->kafka_nodes) EXPECT_EQ(n.metrics_port, 7072);
}

TEST_F(MetricsLoad, DisabledLeavesEveryNodeWithoutAPort) {
  auto r = with_kafka({"[metrics]", "enabled = false"});
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  EXPECT_FALSE(r.cluster->metrics.enabled);
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.metrics_port, 0);
  for (const auto& n : r.cluster->kafka_nodes) EXPECT_EQ(n.metrics_port, 0);
}

// A provider key of its own in [zookeeper.config] would clash with zkctl's (and once loaded,
// the inventory did not render: the fuzzer's invariant); with metrics off it is the operator's.
TEST_F(MetricsLoad, AProviderKeyInZooKeepersConfigIsRefusedWhileMetricsAreOn) {
  auto r = zookeeper_only({"[zookeeper.config]", "\"metricsProvider.httpPort\" = 7000"});
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:15:1: error: zookeeper.config: 'metricsProvider.httpPort' is "
                           "set by zkctl from [metrics] (its zookeeper_port); remove it, or set "
                           "metrics.enabled = false to configure a provider yourself"))
      << dump(r);
  r = zookeeper_only({"[metrics]", "enabled = false", "[zookeeper.config]",
                      "\"metricsProvider.httpPort\" = 7000"});
  ASSERT_TRUE(r.cluster) << dump(r);
}

TEST_F(MetricsLoad, KafkaNodesNeedTheAgentWhenTheTableIsThere) {
  auto r = with_kafka({"[metrics]", "zookeeper_port = 7001"});
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:25:1: error: metrics.kafka_agent: missing: Kafka nodes need the Prometheus JMX "
      "exporter agent (a local jmx_prometheus_javaagent 1.x jar, e.g. fetched by "
      "tests/fixtures/jmx-agent.sh), or set metrics.enabled = false"));
  // Without Kafka nodes nobody needs it.
  auto zk = zookeeper_only({"[metrics]", "zookeeper_port = 7001"});
  EXPECT_TRUE(zk.cluster) << dump(zk);
}

TEST_F(MetricsLoad, UnknownKeysAndWrongValuesAreRefusedWithTheirPositions) {
  auto r = zookeeper_only({"[metrics]", "zookeper_port = 7001", "kafka_port = 0",
                           "host_port = 70000", "enabled = \"yes\"", "kafka_agent = \"a.zip\""});
  EXPECT_TRUE(HasErrors(
      r,
      {"inv.toml:15:1: error: unknown key 'zookeper_port' in [metrics]; did you mean "
       "'zookeeper_port'?",
       "inv.toml:16:14: error: metrics.kafka_port: 0 is outside 1..65535",
       "inv.toml:17:13: error: metrics.host_port: 70000 is outside 1..65535",
       "inv.toml:18:11: error: metrics.enabled: expected a boolean (true or false), got a string",
       "inv.toml:19:15: error: metrics.kafka_agent: '" + (dir_ / "a.zip").string() +
           "' is not a .jar (the jmx_prometheus_javaagent jar, e.g. fetched by "
           "tests/fixtures/jmx-agent.sh)"}));
}

TEST_F(MetricsLoad, AMissingAgentJarIsRefused) {
  auto r = with_kafka({"[metrics]", "kafka_agent = \"gone.jar\""});
  EXPECT_TRUE(HasOnlyError(r, "inv.toml:26:15: error: metrics.kafka_agent: file '" +
                                  (dir_ / "gone.jar").string() + "' does not exist"));
}

TEST_F(MetricsLoad, AMetricsPortEqualToANodesOwnPortIsReportedAtMetrics) {
  auto r = zookeeper_only({"[metrics]", "zookeeper_port = 2181"});
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:15:18: error: metrics.zookeeper_port: 2181 equals the client_port of host "
          "'a' (id 1); give metrics their own port",
          "inv.toml:15:18: error: metrics.zookeeper_port: 2181 equals the client_port of host "
          "'b' (id 2); give metrics their own port",
          "inv.toml:15:18: error: metrics.zookeeper_port: 2181 equals the client_port of host "
          "'c' (id 3); give metrics their own port"}));
  auto k = with_kafka({"[metrics]", "kafka_port = 9092", "kafka_agent = \"agent.jar\""});
  EXPECT_EQ(errors(k), 3u) << dump(k);
  EXPECT_TRUE(HasDiag(k,
                      "inv.toml:26:14: error: metrics.kafka_port: 9092 equals the "
                      "listener_port of host 'a' (id 11); give metrics their own port"));
}

TEST_F(MetricsLoad, MetricsPortsClashWithOtherNodesOnTheSameHost) {
  // ZooKeeper server 1 and broker 11 share host a: the broker's agent on 7000 is taken.
  auto r = with_kafka({"[metrics]", "kafka_port = 7000", "kafka_agent = \"agent.jar\""});
  EXPECT_FALSE(r.cluster);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:17:8: error: host 'a' port 7000 (metrics.kafka_port) is "
                      "already used by ZooKeeper server id 1 (line 5) as its "
                      "metrics.zookeeper_port"))
      << dump(r);
  // A broker listening on ZooKeeper's metrics port of its host.
  auto l = load(insert_after(kThreeVotersThreeBrokers, 18, {"listener_port = 7000"}));
  EXPECT_TRUE(HasDiag(l,
                      "inv.toml:19:17: error: host 'a' port 7000 (listener_port) is already "
                      "used by ZooKeeper server id 1 (line 5) as its metrics.zookeeper_port"));
}

TEST_F(MetricsLoad, TheHostAgentsPortIsCheckedOncePerHost) {
  auto r = with_kafka({"[metrics]", "host_port = 9092", "kafka_agent = \"agent.jar\""});
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:26:13: error: metrics.host_port: 9092 is already used on host 'a' as the "
          "listener_port of id 11",
          "inv.toml:26:13: error: metrics.host_port: 9092 is already used on host 'b' as the "
          "listener_port of id 12",
          "inv.toml:26:13: error: metrics.host_port: 9092 is already used on host 'c' as the "
          "listener_port of id 13"}));
  // Off: no port is checked.
  auto off = with_kafka({"[metrics]", "enabled = false", "host_port = 9092"});
  EXPECT_TRUE(off.cluster) << dump(off);
}

}  // namespace
}  // namespace zkctl::inventory
