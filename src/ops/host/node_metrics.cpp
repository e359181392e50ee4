#include "ops/host/node_metrics.hpp"

#include <cmath>
#include <cstdio>

#include "ops/security/cluster_pki.hpp"
#include "probe/ask.hpp"
#include "render/metrics.hpp"

namespace zkctl::ops {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string number(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// One value of a page into `m` under `key`, when present and a number.
void pick(NodeMetrics& m, const std::string& key, std::optional<double> v, double scale = 1) {
  if (v && std::isfinite(*v)) m.values.emplace_back(key, *v / scale);
}

const double* find(const NodeMetrics& m, std::string_view key) {
  for (const auto& [k, v] : m.values)
    if (k == key) return &v;
  return nullptr;
}

NodeMetrics fetched(util::Result<std::string> answer, NodeMetrics (*of)(const probe::Samples&)) {
  if (!answer) return NodeMetrics{.enabled = true, .error = answer.error().message, .values = {}};
  auto samples = probe::parse_metrics_response(*answer);
  if (!samples) return NodeMetrics{.enabled = true, .error = samples.error().message, .values = {}};
  return of(*samples);
}

}  // namespace

std::string NodeMetrics::line() const {
  if (!enabled) return "";
  if (!error.empty()) return "unavailable: " + error;
  // Display name, unit and decimals of each key, in the order values were picked.
  struct Shown {
    std::string_view key, label, unit;
    int decimals;
  };
  static constexpr Shown kShown[] = {
      {"outstanding_requests", "outstanding", "", 0},
      {"avg_latency_ms", "avg latency", " ms", 1},
      {"synced_followers", "synced followers", "", 0},
      {"under_min_isr_partitions", "under-min-ISR", "", 0},
      {"offline_partitions", "offline", "", 0},
      {"produce_p99_ms", "produce p99", " ms", 1},
      {"isr_shrinks_per_s", "ISR shrinks", "/s", 2},
  };
  std::string out;
  for (const auto& s : kShown) {
    if (const double* v = find(*this, s.key))
      out += (out.empty() ? "" : ", ") + std::string(s.label) + " " + number(*v, s.decimals) +
             std::string(s.unit);
  }
  if (const double* used = find(*this, "heap_used_mib")) {
    const double* max = find(*this, "heap_max_mib");
    out += (out.empty() ? "" : ", ") + std::string("heap ") + number(*used, 0) +
           (max && *max > 0 ? "/" + number(*max, 0) : std::string()) + " MiB";
  }
  return out;
}

nlohmann::json NodeMetrics::json() const {
  if (!enabled) return nullptr;
  if (!error.empty()) return {{"error", error}};
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : values) j[k] = v;
  return j;
}

NodeMetrics zookeeper_metrics_of(const probe::Samples& s) {
  NodeMetrics m{.enabled = true, .error = {}, .values = {}};
  pick(m, "outstanding_requests", probe::sample(s, "outstanding_requests"));
  pick(m, "avg_latency_ms", probe::sample(s, "avg_latency"));
  pick(m, "synced_followers", probe::sample(s, "synced_followers"));  // the leader only
  // The provider's JVM names (simpleclient 0.x), else the agent's (client_java 1.x).
  const auto heap = [&](std::string_view old_name, std::string_view agent_name) {
    auto v = probe::sample(s, old_name, {"area=\"heap\""});
    return v ? v : probe::sample(s, agent_name, {"area=\"heap\""});
  };
  pick(m, "heap_used_mib", heap("jvm_memory_bytes_used", "jvm_memory_used_bytes"), kMiB);
  pick(m, "heap_max_mib", heap("jvm_memory_bytes_max", "jvm_memory_max_bytes"), kMiB);
  return m;
}

NodeMetrics kafka_metrics_of(const probe::Samples& s) {
  NodeMetrics m{.enabled = true, .error = {}, .values = {}};
  pick(m, "under_min_isr_partitions",
       probe::sample(s, "kafka_server_replicamanager_underminisrpartitioncount"));
  // The active controller's count; the others report 0.
  if (probe::sample(s, "kafka_controller_kafkacontroller_activecontrollercount") == 1.0)
    pick(m, "offline_partitions",
         probe::sample(s, "kafka_controller_kafkacontroller_offlinepartitionscount"));
  pick(m, "produce_p99_ms",
       probe::sample(s, "kafka_network_requestmetrics_totaltimems",
                     {"request=\"Produce\"", "quantile=\"0.99\""}));
  pick(m, "isr_shrinks_per_s",
       probe::sample(s, "kafka_server_replicamanager_isrshrinks_oneminuterate"));
  pick(m, "heap_used_mib", probe::sample(s, "jvm_memory_used_bytes", {"area=\"heap\""}), kMiB);
  pick(m, "heap_max_mib", probe::sample(s, "jvm_memory_max_bytes", {"area=\"heap\""}), kMiB);
  return m;
}

NodeMetrics zookeeper_node_metrics(Context& ctx, const inventory::Server& server) {
  const render::ZkMetricsSource source = render::zk_metrics_source(ctx.cluster(), server);
  if (source == render::ZkMetricsSource::none) return {};
  // ZooKeeper's provider: plain HTTP; the JMX exporter agent (a zoo.cfg with TLS): HTTPS only.
  const probe::ClientTls tls = source == render::ZkMetricsSource::agent
                                   ? zkctl_client_tls(ctx.cluster())
                                   : probe::ClientTls{};
  return fetched(
      probe::ask_tcp(server.host, server.metrics_port, probe::metrics_request(server.host),
                     ctx.options().probe_timeout, tls),
      zookeeper_metrics_of);
}

NodeMetrics kafka_node_metrics(Context& ctx, const inventory::KafkaNode& node) {
  if (node.metrics_port == 0) return {};
  return fetched(probe::ask_tcp(node.host, node.metrics_port, probe::metrics_request(node.host),
                                ctx.options().probe_timeout, zkctl_client_tls(ctx.cluster())),
                 kafka_metrics_of);
}

}  // namespace zkctl::ops
