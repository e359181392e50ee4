// The monitoring host's prometheus.yml and rules.yml, and the host agent's web config, against
// tests/golden/prometheus/ (ZKCTL_UPDATE_GOLDEN=1 rewrites them; review the diff). The suite's
// promtool stage (scripts/test.sh) checks the same files with Prometheus' own parser.

#include "render/prometheus.hpp"

#include <gtest/gtest.h>

#include <string>

#include "secure_cluster.hpp"
#include "seed_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

using testing::kraft_cluster;
using testing::secured;
using testing::seed_kafka_cluster;

inventory::Cluster monitored(inventory::Cluster c) {
  c.monitoring.host = "mon";
  c.monitoring.scrape_interval_s = 2;
  c.monitoring.disk_alert_percent = 90;
  for (auto& n : c.kafka_nodes) n.metrics_port = 7071;  // a [monitoring] host needs the agent
  return c;
}

void expect_prometheus_golden(const std::string& layout, const inventory::Cluster& c,
                              const std::vector<CertDeadline>& certs) {
  const auto dir = test::golden_dir() / "prometheus" / layout;
  auto config = prometheus_config_file(c);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->path, "/opt/zkctl-monitoring/prometheus.yml");
  test::expect_golden(dir / "prometheus.yml", config->content);
  auto rules = prometheus_rules_file(c, certs);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  EXPECT_EQ(rules->path, "/opt/zkctl-monitoring/rules.yml");
  test::expect_golden(dir / "rules.yml", rules->content);
}

TEST(PrometheusGolden, OpenSeedWithBrokers) {
  auto c = monitored(seed_kafka_cluster());
  c.name = "seed";
  expect_prometheus_golden("seed-kafka", c, {});
}

TEST(PrometheusGolden, SecureKraftWithCertificateDeadlines) {
  auto c = monitored(secured(kraft_cluster()));
  c.metrics.host_port = 9110;
  const std::vector<CertDeadline> certs = {
      {"kf1 (kafka 1)", "2028-11-29T02:00:00Z", 1858730400 - 30 * 86400},
      {"kf2 (kafka 2)", "2028-11-29T02:00:00Z", 1858730400 - 30 * 86400}};
  expect_prometheus_golden("kraft-secure", c, certs);
}

TEST(PrometheusGolden, HostAgentWebConfig) {
  auto web = host_agent_web_config_file();
  ASSERT_TRUE(web.ok()) << web.error().message;
  EXPECT_EQ(web->path, "/opt/zkctl-host-agent/web.yml");
  test::expect_golden(test::golden_dir() / "prometheus" / "host-agent-web.yml", web->content);
}

TEST(Prometheus, AgentHostsAreDistinctHosts) {
  auto c = seed_kafka_cluster();  // servers nn01, node1..node3; brokers on node1..node3
  c.kafka_nodes[0].host = "NODE1";
  c.kafka_nodes[1].host = "kafka2";
  EXPECT_EQ(agent_hosts(c),
            (std::vector<std::string>{"nn01", "node1", "node2", "node3", "kafka2"}));
}

TEST(Prometheus, WithoutMetricsNothingIsScrapedAndOnlyCertificatesAlert) {
  auto c = monitored(seed_kafka_cluster());
  c.metrics.enabled = false;
  auto config = prometheus_config_file(c);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->content.find("job_name"), std::string::npos);
  auto rules = prometheus_rules_file(c, {});
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->content.find("alert:"), std::string::npos);
  rules = prometheus_rules_file(c, {{"node1 (zookeeper 1)", "2028-11-29T02:00:00Z", 42}});
  ASSERT_TRUE(rules.ok());
  EXPECT_NE(rules->content.find("expr: vector(time()) > 42\n"), std::string::npos)
      << rules->content;
}

TEST(Prometheus, EveryNodeIsScrapedOnItsOwnPort) {
  // Two nodes of a kind on one host serve on port, port + 1 (the loader's numbering); the
  // scrape targets follow each node's own port, not [metrics]' base port.
  auto c = monitored(seed_kafka_cluster());
  c.servers[1].host = c.servers[0].host;
  c.servers[1].metrics_port = 7001;
  c.kafka_nodes[1].host = c.kafka_nodes[0].host;
  c.kafka_nodes[1].metrics_port = 7072;
  c.kafka_nodes[2].metrics_port = 0;  // no agent: not a target
  auto config = prometheus_config_file(c);
  ASSERT_TRUE(config.ok());
  const std::string& y = config->content;
  const std::string h0 = c.servers[0].host, k0 = c.kafka_nodes[0].host;
  EXPECT_NE(y.find("[\"" + h0 + ":7000\"]"), std::string::npos) << y;
  EXPECT_NE(y.find("[\"" + h0 + ":7001\"]"), std::string::npos) << y;
  EXPECT_NE(y.find("[\"" + k0 + ":7071\"]"), std::string::npos) << y;
  EXPECT_NE(y.find("[\"" + k0 + ":7072\"]"), std::string::npos) << y;
  EXPECT_EQ(y.find("[\"" + c.kafka_nodes[2].host + ":7071\"]"), std::string::npos) << y;
}

TEST(Prometheus, IPv6TargetsAreBracketed) {
  auto c = monitored(seed_kafka_cluster());
  c.servers[0].host = "fd00::1";
  auto config = prometheus_config_file(c);
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->content.find("[\"[fd00::1]:7000\"]"), std::string::npos) << config->content;
}

}  // namespace
}  // namespace zkctl::render
