// Whether a ZooKeeper server serves metrics: its provider without TLS, the agent's jar with.

#include "inventory/zookeeper_metrics.hpp"

#include <gtest/gtest.h>

namespace zkctl::inventory {
namespace {

TEST(ZooKeeperMetrics, TheProviderServesWithoutTlsTheAgentWith) {
  MetricsSettings m;
  EXPECT_TRUE(zookeeper_serves_metrics(m, ZooCfgTls::no));    // ZooKeeper's own provider
  EXPECT_FALSE(zookeeper_serves_metrics(m, ZooCfgTls::yes));  // the provider has no TLS
  m.kafka_agent = "/local/jmx_prometheus_javaagent.jar";
  EXPECT_TRUE(zookeeper_serves_metrics(m, ZooCfgTls::yes));  // the agent serves
  EXPECT_TRUE(zookeeper_serves_metrics(m, ZooCfgTls::no));
}

TEST(ZooKeeperMetrics, NoneWhileMetricsAreOff) {
  MetricsSettings m;
  m.enabled = false;
  m.kafka_agent = "/local/jmx_prometheus_javaagent.jar";
  EXPECT_FALSE(zookeeper_serves_metrics(m, ZooCfgTls::no));
  EXPECT_FALSE(zookeeper_serves_metrics(m, ZooCfgTls::yes));
}

}  // namespace
}  // namespace zkctl::inventory
