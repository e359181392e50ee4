// The metrics endpoints in rendered files: zoo.cfg's provider keys (on the node's address, on
// 127.0.0.1 with TLS), Kafka's -javaagent in kafka-env.sh and the unit, the agent's rule file
// (goldens in tests/golden/metrics/) and its HTTPS keystore.

#include "render/metrics.hpp"

#include <gtest/gtest.h>

#include <string>

#include "render/kafka.hpp"
#include "render/systemd.hpp"
#include "render/zookeeper.hpp"
#include "secure_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// `c` with every Kafka node running the agent on 7071 (as the loader sets it with kafka_agent).
inventory::Cluster with_agent(inventory::Cluster c) {
  c.metrics.kafka_agent = "/local/jmx_prometheus_javaagent.jar";
  for (auto& n : c.kafka_nodes) n.metrics_port = 7071;
  return c;
}

const RenderedFile* file_named(const std::vector<RenderedFile>& files, const std::string& path) {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

TEST(RenderMetrics, ZooKeeperServesItsProviderOnItsOwnAddress) {
  const auto c = testing::seed_cluster();
  auto cfg = render_zoo_cfg(zoo_cfg_values(c, c.servers[1]));
  ASSERT_TRUE(cfg) << cfg.error().message;
  const std::vector<std::string> lines = {
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus."
      "PrometheusMetricsProvider",
      "metricsProvider.httpHost=" + c.servers[1].host, "metricsProvider.httpPort=7000",
      "metricsProvider.exportJvmInfo=true"};
  for (const auto& line : lines) EXPECT_TRUE(has_line(*cfg, line)) << line << "\n" << *cfg;
  EXPECT_EQ(cfg->find("loopback"), std::string::npos);
}

TEST(RenderMetrics, ASecureZooKeeperKeepsItsPlaintextProviderOnLoopback) {
  const auto c = testing::secured(testing::seed_cluster());
  auto cfg = render_zoo_cfg(zoo_cfg_values(c, c.servers[0]));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_TRUE(has_line(*cfg, "metricsProvider.httpHost=127.0.0.1")) << *cfg;
  EXPECT_TRUE(has_line(*cfg,
                       "# metrics on loopback: ZooKeeper 3.8/3.9's Prometheus provider "
                       "serves no TLS"));
}

TEST(RenderMetrics, MetricsOffMeansNoProviderAndFreeProviderKeys) {
  auto c = testing::seed_cluster();
  for (auto& s : c.servers) s.metrics_port = 0;
  c.zookeeper.extra_config = {{"metricsProvider.httpPort", "7001"}};
  auto cfg = render_zoo_cfg(zoo_cfg_values(c, c.servers[0]));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->find("metricsProvider.className"), std::string::npos);
  // With metrics on, zkctl owns the provider's keys.
  for (auto& s : c.servers) s.metrics_port = 7000;
  auto owned = render_zoo_cfg(zoo_cfg_values(c, c.servers[0]));
  ASSERT_FALSE(owned);
  EXPECT_EQ(owned.error().message,
            "zoo.cfg extra key 'metricsProvider.httpPort' is set by zkctl from [metrics]");
}

TEST(RenderMetrics, KafkaNodesLoadTheAgentWithTheirRuleFile) {
  const auto c = with_agent(testing::seed_kafka_cluster());
  auto files = render_kafka_node(c, c.kafka_nodes[0]);
  ASSERT_TRUE(files) << files.error().message;
  const RenderedFile* env = file_named(*files, "/opt/kafka/config/kafka-env.sh");
  ASSERT_NE(env, nullptr);
  EXPECT_TRUE(has_line(env->content,
                       "export KAFKA_OPTS=-javaagent:/opt/kafka/config/"
                       "jmx_prometheus_javaagent.jar=node1:7071:/opt/kafka/config/"
                       "jmx-exporter.yml"))
      << env->content;
  const RenderedFile* rules = file_named(*files, "/opt/kafka/config/jmx-exporter.yml");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->mode, 0644);
  test::expect_golden(test::golden_dir() / "metrics" / "jmx-exporter-zookeeper-mode.yml",
                      rules->content);
  // The unit carries the same flag.
  auto cs = c;
  for (auto& n : cs.kafka_nodes) n.service.launcher = inventory::Launcher::systemd;
  auto unit = kafka_unit_file(cs, cs.kafka_nodes[0]);
  ASSERT_TRUE(unit) << unit.error().message;
  EXPECT_NE(unit->content.find("\"KAFKA_OPTS=-javaagent:/opt/kafka/config/"
                               "jmx_prometheus_javaagent.jar=node1:7071:"),
            std::string::npos)
      << unit->content;
}

TEST(RenderMetrics, WithoutTheAgentKafkaFilesStayAsTheyWere) {
  const auto c = testing::seed_kafka_cluster();
  auto files = render_kafka_node(c, c.kafka_nodes[0]);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(file_named(*files, "/opt/kafka/config/jmx-exporter.yml"), nullptr);
  EXPECT_EQ(file_named(*files, "/opt/kafka/config/kafka-env.sh")->content.find("KAFKA_OPTS"),
            std::string::npos);
}

TEST(RenderMetrics, KraftKeepsTheQuorumStateAndTlsServesHttpsFromTheKeystore) {
  const auto k = with_agent(testing::kraft_cluster());
  auto kraft = kafka_metrics_files(k, k.kafka_nodes[0]);
  ASSERT_TRUE(kraft) << kraft.error().message;
  ASSERT_EQ(kraft->size(), 1u);
  test::expect_golden(test::golden_dir() / "metrics" / "jmx-exporter-kraft.yml",
                      (*kraft)[0].content);
  const auto s = testing::secured(with_agent(testing::seed_kafka_cluster()));
  auto secure = kafka_metrics_files(s, s.kafka_nodes[0]);
  ASSERT_TRUE(secure) << secure.error().message;
  const std::string& yml = (*secure)[0].content;
  test::expect_golden(test::golden_dir() / "metrics" / "jmx-exporter-tls.yml", yml);
  EXPECT_TRUE(has_line(yml, "      filename: \"/opt/kafka/config/tls/metrics.p12\"")) << yml;
  EXPECT_EQ(kafka_agent_paths(s.kafka_nodes[0]).key_store, "/opt/kafka/config/tls/metrics.p12");
}

TEST(RenderMetrics, ARelativeKeystoreIsRefused) {
  auto r = render_jmx_exporter(JmxExporterValues{.kraft = false, .key_store = "tls/m.p12"});
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace zkctl::render
