// The metrics endpoints in rendered files: zoo.cfg's provider keys (on the node's address, only
// without TLS), the JMX exporter agent in ZooKeeper's SERVER_JVMFLAGS when zoo.cfg has TLS,
// Kafka's -javaagent in kafka-env.sh and the unit, the agents' rule files (goldens in
// tests/golden/metrics/) and their HTTPS keystores.

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

// ZooKeeper's provider has no TLS: on a secure cluster the JMX exporter agent serves its metrics
// over HTTPS on the node's address (before: the provider on 127.0.0.1, which Prometheus on
// another host could not scrape).
TEST(RenderMetrics, ASecureZooKeeperRunsTheAgentOverHttpsInsteadOfItsProvider) {
  const auto c = testing::secured(testing::seed_cluster());
  EXPECT_EQ(zk_metrics_source(c, c.servers[0]), ZkMetricsSource::agent);
  auto files = render_zookeeper_node(c, c.servers[0]);
  ASSERT_TRUE(files) << files.error().message;
  const RenderedFile* cfg = file_named(*files, "/opt/zookeeper/conf/zoo.cfg");
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(cfg->content.find("metricsProvider"), std::string::npos) << cfg->content;
  const RenderedFile* env = file_named(*files, "/opt/zookeeper/conf/zookeeper-env.sh");
  ASSERT_NE(env, nullptr);
  EXPECT_TRUE(has_line(env->content,
                       "export SERVER_JVMFLAGS=-javaagent:/opt/zookeeper/conf/"
                       "jmx_prometheus_javaagent.jar=" +
                           c.servers[0].host + ":7000:/opt/zookeeper/conf/jmx-exporter.yml"))
      << env->content;
  const RenderedFile* rules = file_named(*files, "/opt/zookeeper/conf/jmx-exporter.yml");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->mode, 0644);
  test::expect_golden(test::golden_dir() / "metrics" / "jmx-exporter-zookeeper.yml",
                      rules->content);
  EXPECT_TRUE(has_line(rules->content, "      filename: \"/opt/zookeeper/conf/tls/metrics.p12\""))
      << rules->content;
  EXPECT_EQ(zookeeper_agent_paths(c.servers[0]).key_store, "/opt/zookeeper/conf/tls/metrics.p12");
  // The rule file maps the MBeans to the provider's names that status reads.
  for (const std::string name :
       {"outstanding_requests", "avg_latency", "znode_count", "num_alive_connections"})
    EXPECT_TRUE(has_line(rules->content, "    name: " + name)) << name;
}

TEST(RenderMetrics, AnOpenZooKeeperRunsNoAgent) {
  const auto c = testing::seed_cluster();
  EXPECT_EQ(zk_metrics_source(c, c.servers[0]), ZkMetricsSource::provider);
  EXPECT_EQ(zookeeper_agent_opts(c, c.servers[0]), "");
  auto files = zookeeper_metrics_files(c, c.servers[0]);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_TRUE(files->empty());
  auto env = render_zk_env(zk_env_values(c, c.servers[0]));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_TRUE(has_line(*env, "export SERVER_JVMFLAGS=''")) << *env;
  // Metrics off on a secure cluster (no agent): nothing at all.
  auto off = testing::secured(testing::seed_cluster());
  for (auto& s : off.servers) s.metrics_port = 0;
  EXPECT_EQ(zk_metrics_source(off, off.servers[0]), ZkMetricsSource::none);
  EXPECT_EQ(zookeeper_agent_opts(off, off.servers[0]), "");
  EXPECT_EQ(zoo_cfg_values(off, off.servers[0]).metrics.port, 0);
}

// The on-ramp's phases follow zoo.cfg: the provider while it has no TLS, the agent from the
// first phase with TLS on.
TEST(RenderMetrics, TheOnrampSwitchesToTheAgentWithZooKeepersTls) {
  auto c = testing::seed_cluster();
  inventory::SecurityOnramp o;
  o.security = testing::secure_settings();
  o.phase = inventory::SecurityPhase::open;
  c.onramp = o;
  EXPECT_EQ(zk_metrics_source(c, c.servers[0]), ZkMetricsSource::provider);
  c.onramp->phase = inventory::SecurityPhase::zk_unified;
  EXPECT_EQ(zk_metrics_source(c, c.servers[0]), ZkMetricsSource::agent);
  EXPECT_EQ(zoo_cfg_values(c, c.servers[0]).metrics.port, 0);
}

TEST(RenderMetrics, TheZooKeeperRuleFileServesHttpsOnly) {
  EXPECT_FALSE(render_zookeeper_jmx_exporter(""));
  EXPECT_FALSE(render_zookeeper_jmx_exporter("tls/m.p12"));
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
