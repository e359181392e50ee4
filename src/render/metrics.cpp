#include "render/metrics.hpp"

#include "render/guards.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::render {

namespace {
using kainjow::mustache::data;
constexpr std::string_view kLoopback = "127.0.0.1";

// `s` as a YAML double-quoted scalar.
std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

ZkMetricsValues zk_metrics_values(ZkMetricsBind bind, const inventory::Server& server) {
  if (server.metrics_port == 0) return {};
  return ZkMetricsValues{
      .host = bind == ZkMetricsBind::loopback ? std::string(kLoopback) : server.host,
      .port = server.metrics_port,
  };
}

KafkaAgentPaths kafka_agent_paths(const inventory::KafkaNode& node) {
  const KafkaPaths k = kafka_paths(node);
  KafkaAgentPaths p;
  p.jar = detail::join(k.config_dir, "jmx_prometheus_javaagent.jar");
  p.rule_file = detail::join(k.config_dir, "jmx-exporter.yml");
  p.key_store = detail::join(k.tls_dir, "metrics.p12");
  return p;
}

std::string kafka_agent_opts(const inventory::Cluster& cluster, const inventory::KafkaNode& node) {
  if (node.metrics_port == 0) return {};
  const KafkaAgentPaths p = kafka_agent_paths(node);
  (void)cluster;
  return "-javaagent:" + p.jar + "=" + bracketed(node.host) + ":" +
         std::to_string(node.metrics_port) + ":" + p.rule_file;
}

util::Result<std::string> render_jmx_exporter(const JmxExporterValues& values,
                                              const RenderOptions& options) {
  if (!values.key_store.empty()) {
    if (auto r = check_single_line("keyStore filename", values.key_store); !r) return r.error();
    if (auto r = check_absolute("keyStore filename", values.key_store); !r) return r.error();
  }
  data d;
  d.set("kraft", data(values.kraft));
  d.set("tls", data(!values.key_store.empty()));
  d.set("key_store", yaml_quoted(values.key_store));
  d.set("key_alias", std::string(kAgentKeyAlias));
  d.set("key_store_password", std::string(kAgentKeyStorePassword));
  return render_template("kafka/jmx-exporter.yml.mustache", d, options);
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

}  // namespace zkctl::render
