#include "render/metrics.hpp"

#include "render/guards.hpp"
#include "render/kafka_paths.hpp"
#include "render/zk_paths.hpp"
#include "render/zookeeper.hpp"

namespace zkctl::render {

namespace {
using kainjow::mustache::data;

// `s` as a YAML double-quoted scalar.
std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

AgentPaths agent_paths(const std::string& config_dir, const std::string& tls_dir) {
  return AgentPaths{.jar = detail::join(config_dir, "jmx_prometheus_javaagent.jar"),
                    .rule_file = detail::join(config_dir, "jmx-exporter.yml"),
                    .key_store = detail::join(tls_dir, "metrics.p12")};
}

std::string agent_opts(const AgentPaths& p, const std::string& host, int port) {
  return "-javaagent:" + p.jar + "=" + bracketed(host) + ":" + std::to_string(port) + ":" +
         p.rule_file;
}

// The values every rule file shares (HTTPS from `key_store` when it is not empty), checked.
util::Result<data> agent_values(const std::string& key_store) {
  if (!key_store.empty()) {
    if (auto r = check_single_line("keyStore filename", key_store); !r) return r.error();
    if (auto r = check_absolute("keyStore filename", key_store); !r) return r.error();
  }
  data d;
  d.set("tls", data(!key_store.empty()));
  d.set("key_store", yaml_quoted(key_store));
  d.set("key_alias", std::string(kAgentKeyAlias));
  d.set("key_store_password", std::string(kAgentKeyStorePassword));
  return d;
}

}  // namespace

ZkMetricsSource zk_metrics_source(const inventory::Cluster& cluster,
                                  const inventory::Server& server) {
  if (server.metrics_port == 0) return ZkMetricsSource::none;
  return zookeeper_tls_rendered(cluster) ? ZkMetricsSource::agent : ZkMetricsSource::provider;
}

bool any_zk_metrics_source(const inventory::Cluster& cluster, ZkMetricsSource source) {
  for (const auto& s : cluster.servers)
    if (zk_metrics_source(cluster, s) == source) return true;
  return false;
}

ZkMetricsValues zk_metrics_values(const inventory::Cluster& cluster,
                                  const inventory::Server& server) {
  if (zk_metrics_source(cluster, server) != ZkMetricsSource::provider) return {};
  return ZkMetricsValues{.host = server.host, .port = server.metrics_port};
}

KafkaAgentPaths kafka_agent_paths(const inventory::KafkaNode& node) {
  const KafkaPaths k = kafka_paths(node);
  return agent_paths(k.config_dir, k.tls_dir);
}

AgentPaths zookeeper_agent_paths(const inventory::Server& server) {
  const ZkPaths z = zk_paths(server);
  return agent_paths(z.conf_dir, z.tls_dir);
}

std::string kafka_agent_opts(const inventory::Cluster& cluster, const inventory::KafkaNode& node) {
  (void)cluster;
  if (node.metrics_port == 0) return {};
  return agent_opts(kafka_agent_paths(node), node.host, node.metrics_port);
}

std::string zookeeper_agent_opts(const inventory::Cluster& cluster,
                                 const inventory::Server& server) {
  if (zk_metrics_source(cluster, server) != ZkMetricsSource::agent) return {};
  return agent_opts(zookeeper_agent_paths(server), server.host, server.metrics_port);
}

util::Result<std::string> render_jmx_exporter(const JmxExporterValues& values,
                                              const RenderOptions& options) {
  auto d = agent_values(values.key_store);
  if (!d) return d.error();
  d->set("kraft", data(values.kraft));
  return render_template("kafka/jmx-exporter.yml.mustache", *d, options);
}

util::Result<std::string> render_zookeeper_jmx_exporter(const std::string& key_store,
                                                        const RenderOptions& options) {
  if (key_store.empty()) return util::fail("the ZooKeeper agent serves HTTPS only: no keystore");
  auto d = agent_values(key_store);
  if (!d) return d.error();
  return render_template("zookeeper/jmx-exporter.yml.mustache", *d, options);
}

util::Result<std::vector<RenderedFile>> kafka_metrics_files(const inventory::Cluster& cluster,
                                                            const inventory::KafkaNode& node,
                                                            const RenderOptions& options) {
  std::vector<RenderedFile> files;
  if (node.metrics_port == 0) return files;
  const bool kraft = cluster.kafka && cluster.kafka->mode == inventory::KafkaMode::kraft;
  const std::string key_store = cluster.security.tls ? kafka_agent_paths(node).key_store : "";
  auto text =
      render_jmx_exporter(JmxExporterValues{.kraft = kraft, .key_store = key_store}, options);
  if (!text) return text.error();
  files.push_back(RenderedFile{
      .path = kafka_agent_paths(node).rule_file, .content = std::move(*text), .mode = 0644});
  return files;
}

util::Result<std::vector<RenderedFile>> zookeeper_metrics_files(const inventory::Cluster& cluster,
                                                                const inventory::Server& server,
                                                                const RenderOptions& options) {
  std::vector<RenderedFile> files;
  if (zk_metrics_source(cluster, server) != ZkMetricsSource::agent) return files;
  const AgentPaths p = zookeeper_agent_paths(server);
  auto text = render_zookeeper_jmx_exporter(p.key_store, options);
  if (!text) return text.error();
  files.push_back(RenderedFile{.path = p.rule_file, .content = std::move(*text), .mode = 0644});
  return files;
}

}  // namespace zkctl::render
