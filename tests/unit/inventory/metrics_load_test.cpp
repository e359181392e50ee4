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
  // kThreeVoters made open (lines 14-17: [security] off) with `metrics` from line 18.
  LoadResult open_zookeeper(const Lines& metrics) {
    Lines lines = insert_after(
        kThreeVoters, 13,
        {"[security]", "tls = false", "authentication = \"none\"", "authorization = false"});
    return load(insert_after(lines, 17, metrics));
  }
};

TEST_F(MetricsLoad, DefaultsWithoutTheTableServeWhatNeedsNoAgent) {
  auto r = load(kThreeVotersThreeBrokers);  // secure (no [security] table)
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const MetricsSettings& m = r.cluster->metrics;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.zookeeper_port, 7000);
  EXPECT_EQ(m.kafka_port, 7071);
  EXPECT_EQ(m.host_port, 9100);
  EXPECT_EQ(m.pos.line, 0);
  // No [metrics]: an older inventory keeps working; no node runs the agent, so a secure
  // cluster's ZooKeeper servers serve none (their own provider has no TLS) ...
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.metrics_port, 0);
  for (const auto& n : r.cluster->kafka_nodes) EXPECT_EQ(n.metrics_port, 0);
  // ... and an open cluster's serve their provider.
  auto open = open_zookeeper({});
  ASSERT_TRUE(open.cluster) << dump(open);
  for (const auto& s : open.cluster->servers) EXPECT_EQ(s.metrics_port, 7000);
}

TEST_F(MetricsLoad, EveryKeyReachesTheModelAndTheNodes) {
  auto r = with_kafka({"[metrics]", "zookeeper_port = 7001", "kafka_port = 7072",
                       "host_port = 9101", "jmx_agent = \"agent.jar\""});
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const MetricsSettings& m = r.cluster->metrics;
  EXPECT_EQ(m.zookeeper_port, 7001);
  EXPECT_EQ(m.kafka_port, 7072);
  EXPECT_EQ(m.host_port, 9101);
  EXPECT_EQ(m.kafka_agent, (dir_ / "agent.jar").string());
  EXPECT_EQ(m.pos.line, 25);
  // Secure: the agent serves ZooKeeper's metrics too.
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.metrics_port, 7001);
  for (const auto& n : r.cluster->kafka_nodes) EXPECT_EQ(n.metrics_port, 7072);
}

TEST_F(MetricsLoad, TheOldSpellingKafkaAgentStillLoadsWithAWarning) {
  auto r = with_kafka({"[metrics]", "kafka_agent = \"agent.jar\""});
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_EQ(r.cluster->metrics.kafka_agent, (dir_ / "agent.jar").string());
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.metrics_port, 7000);
  EXPECT_TRUE(HasWarnings(r, {"inv.toml:26:15: warning: metrics.kafka_agent: now spelt "
                              "metrics.jmx_agent (the agent serves ZooKeeper's metrics too on a "
                              "secure cluster); rename the key"}));
  auto both = with_kafka({"[metrics]", "jmx_agent = \"agent.jar\"", "kafka_agent = \"agent.jar\""});
  EXPECT_TRUE(HasOnlyError(both,
                           "inv.toml:27:15: error: metrics.kafka_agent: the old spelling of "
                           "metrics.jmx_agent, which is set too; remove it"));
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

// The agent serves every Kafka node and, on a secure cluster, every ZooKeeper server (whose
// provider has no TLS): a [metrics] table without it is refused at the table.
TEST_F(MetricsLoad, TheAgentIsRequiredWhereItServesWhenTheTableIsThere) {
  const std::string tail =
      " need the Prometheus JMX exporter agent (a local jmx_prometheus_javaagent 1.x jar, e.g. "
      "fetched by tests/fixtures/jmx-agent.sh), or set metrics.enabled = false";
  auto r = with_kafka({"[metrics]", "zookeeper_port = 7001"});
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:25:1: error: metrics.jmx_agent: missing: Kafka nodes and, "
                           "with [security] tls, ZooKeeper servers" +
                               tail));
  auto zk = zookeeper_only({"[metrics]", "zookeeper_port = 7001"});
  EXPECT_TRUE(HasOnlyError(zk,
                           "inv.toml:14:1: error: metrics.jmx_agent: missing: ZooKeeper servers "
                           "with [security] tls (their own provider has no TLS)" +
                               tail));
  // An open ensemble needs none: ZooKeeper's own provider serves.
  auto open = open_zookeeper({"[metrics]", "zookeeper_port = 7001"});
  ASSERT_TRUE(open.cluster) << dump(open);
  EXPECT_EQ(errors(open), 0u) << dump(open);
  for (const auto& s : open.cluster->servers) EXPECT_EQ(s.metrics_port, 7001);
  // Secure with the agent: every server serves through it.
  auto agent = zookeeper_only({"[metrics]", "jmx_agent = \"agent.jar\""});
  ASSERT_TRUE(agent.cluster) << dump(agent);
  for (const auto& s : agent.cluster->servers) EXPECT_EQ(s.metrics_port, 7000);
}

TEST_F(MetricsLoad, UnknownKeysAndWrongValuesAreRefusedWithTheirPositions) {
  auto r = zookeeper_only({"[metrics]", "zookeper_port = 7001", "kafka_port = 0",
                           "host_port = 70000", "enabled = \"yes\"", "jmx_agent = \"a.zip\""});
  EXPECT_TRUE(HasErrors(
      r,
      {"inv.toml:15:1: error: unknown key 'zookeper_port' in [metrics]; did you mean "
       "'zookeeper_port'?",
       "inv.toml:16:14: error: metrics.kafka_port: 0 is outside 1..65535",
       "inv.toml:17:13: error: metrics.host_port: 70000 is outside 1..65535",
       "inv.toml:18:11: error: metrics.enabled: expected a boolean (true or false), got a string",
       "inv.toml:19:13: error: metrics.jmx_agent: '" + (dir_ / "a.zip").string() +
           "' is not a .jar (the jmx_prometheus_javaagent jar, e.g. fetched by "
           "tests/fixtures/jmx-agent.sh)"}));
}

TEST_F(MetricsLoad, AMissingAgentJarIsRefused) {
  auto r = with_kafka({"[metrics]", "jmx_agent = \"gone.jar\""});
  EXPECT_TRUE(HasOnlyError(r, "inv.toml:26:13: error: metrics.jmx_agent: file '" +
                                  (dir_ / "gone.jar").string() + "' does not exist"));
}

TEST_F(MetricsLoad, AMetricsPortEqualToANodesOwnPortIsReportedAtMetrics) {
  auto r = zookeeper_only({"[metrics]", "zookeeper_port = 2181", "jmx_agent = \"agent.jar\""});
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:15:18: error: metrics.zookeeper_port: 2181 equals the client_port of host "
          "'a' (id 1); give metrics their own port",
          "inv.toml:15:18: error: metrics.zookeeper_port: 2181 equals the client_port of host "
          "'b' (id 2); give metrics their own port",
          "inv.toml:15:18: error: metrics.zookeeper_port: 2181 equals the client_port of host "
          "'c' (id 3); give metrics their own port"}));
  auto k = with_kafka({"[metrics]", "kafka_port = 9092", "jmx_agent = \"agent.jar\""});
  EXPECT_EQ(errors(k), 3u) << dump(k);
  EXPECT_TRUE(HasDiag(k,
                      "inv.toml:26:14: error: metrics.kafka_port: 9092 equals the "
                      "listener_port of host 'a' (id 11); give metrics their own port"));
}

TEST_F(MetricsLoad, MetricsPortsClashWithOtherNodesOnTheSameHost) {
  // ZooKeeper server 1 and broker 11 share host a: the broker's agent on 7000 is taken.
  auto r = with_kafka({"[metrics]", "kafka_port = 7000", "jmx_agent = \"agent.jar\""});
  EXPECT_FALSE(r.cluster);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:17:8: error: host 'a' port 7000 (metrics.kafka_port) is "
                      "already used by ZooKeeper server id 1 (line 5) as its "
                      "metrics.zookeeper_port"))
      << dump(r);
  // A broker listening on ZooKeeper's metrics port of its host (the agent's, this cluster
  // being secure).
  auto l = load(insert_after(insert_after(kThreeVotersThreeBrokers, 18, {"listener_port = 7000"}),
                             25, {"[metrics]", "jmx_agent = \"agent.jar\""}));
  EXPECT_TRUE(HasDiag(l,
                      "inv.toml:19:17: error: host 'a' port 7000 (listener_port) is already "
                      "used by ZooKeeper server id 1 (line 5) as its metrics.zookeeper_port"));
}

TEST_F(MetricsLoad, TheHostAgentsPortIsCheckedOncePerHost) {
  auto r = with_kafka({"[metrics]", "host_port = 9092", "jmx_agent = \"agent.jar\""});
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
