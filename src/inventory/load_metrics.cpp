// [metrics]: the Prometheus endpoints in every ZooKeeper and Kafka JVM and the host agent's
// port; after the products' sections, so each node gets its metrics port and the ports take
// part in every port check.

#include <filesystem>
#include <map>

#include "inventory/load_sections.hpp"

namespace zkctl::inventory::detail {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string_view> kMetricsKeys = {"enabled", "zookeeper_port", "kafka_port",
                                                    "host_port", "kafka_agent"};

std::string lowercase(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

// Where each port key of [metrics] was set (line 0: its default).
struct MetricsPositions {
  std::map<std::string, SourcePos, std::less<>> port;
  SourcePos table;
  bool agent_set = false;  // kafka_agent is in the table (valid or not)
};

// The key's position when set, else the table's, else the file's start.
SourcePos where(Reader& r, const MetricsPositions& p, std::string_view key) {
  auto it = p.port.find(key);
  if (it != p.port.end() && it->second.line != 0) return it->second;
  return p.table.line != 0 ? p.table : r.file_start();
}

// kafka_agent: a local jar (the Prometheus JMX exporter Java agent).
void read_agent(Reader& r, const toml::table& t, MetricsSettings& m) {
  auto v = r.read_local_path(t, "kafka_agent", "metrics.kafka_agent");
  if (!v || v->empty()) return;
  const toml::node& n = *t.get("kafka_agent");
  if (fs::path(*v).extension() != ".jar") {
    r.error(r.at(n), "metrics.kafka_agent: " + show(*v) +
                         " is not a .jar (the jmx_prometheus_javaagent jar, e.g. fetched by "
                         "tests/fixtures/jmx-agent.sh)");
    return;
  }
  std::error_code ec;
  if (r.local_files() == LocalFiles::must_exist && !fs::is_regular_file(*v, ec)) {
    r.error(r.at(n), "metrics.kafka_agent: file " + show(*v) + " does not exist");
    return;
  }
  m.kafka_agent = *v;
}

void read_table(Reader& r, const toml::table& t, MetricsSettings& m, MetricsPositions& pos) {
  r.check_keys(t, "in [metrics]", kMetricsKeys);
  if (auto v = r.read_bool(t, "enabled", "metrics.enabled")) m.enabled = *v;
  const std::pair<std::string_view, int*> ports[] = {{"zookeeper_port", &m.zookeeper_port},
                                                     {"kafka_port", &m.kafka_port},
                                                     {"host_port", &m.host_port}};
  for (const auto& [key, out] : ports) {
    const std::string path = "metrics." + std::string(key);
    auto v = r.read_port(t, key, path);
    if (!v) continue;
    *out = *v;
    pos.port[std::string(key)] = r.at(*t.get(key));
  }
  read_agent(r, t, m);
  pos.agent_set = t.get("kafka_agent") != nullptr;
}

// A node's metrics port must differ from its own other ports (reported at [metrics]).
void check_own(Reader& r, const Node& node, const std::vector<PortUse>& ports,
               std::string_view metrics_key, const MetricsPositions& pos) {
  const std::string key = "metrics." + std::string(metrics_key);
  int mine = 0;
  for (const PortUse& p : ports)
    if (p.key == key) mine = p.port;
  for (const PortUse& p : ports) {
    if (p.key == key || p.port != mine) continue;
    r.error(where(r, pos, metrics_key), key + ": " + std::to_string(mine) + " equals the " + p.key +
                                            " of host " + show(node.host) + " (id " +
                                            std::to_string(node.id) +
                                            "); give metrics their own port");
    return;
  }
}

// host_port (the host agent, one per host) must differ from every port of every node there.
void check_host_port(Reader& r, const Cluster& c, const MetricsPositions& pos) {
  std::map<std::string, bool> reported;
  auto check = [&](const Node& n, const std::vector<PortUse>& ports) {
    for (const PortUse& p : ports) {
      if (p.port != c.metrics.host_port || reported[lowercase(n.host)]) continue;
      reported[lowercase(n.host)] = true;
      r.error(where(r, pos, "host_port"),
              "metrics.host_port: " + std::to_string(p.port) + " is already used on host " +
                  show(n.host) + " as the " + p.key + " of id " + std::to_string(n.id));
    }
  };
  for (const auto& s : c.servers) check(s, s.used_ports());
  for (const auto& n : c.kafka_nodes) check(n, n.used_ports());
}

// zoo.cfg's metricsProvider.* keys are zkctl's while metrics are on: refused where they are set
// (an inventory that loads must render).
void check_zookeeper_provider_keys(Reader& r, const toml::table& root) {
  const toml::table* zk = root["zookeeper"].as_table();
  const toml::table* cfg = zk == nullptr ? nullptr : (*zk)["config"].as_table();
  if (cfg == nullptr) return;
  for (const auto& [key, value] : *cfg)
    if (key.str().starts_with("metricsProvider."))
      r.error(r.at(key), "zookeeper.config: " + show(std::string(key.str())) +
                             " is set by zkctl from [metrics] (its zookeeper_port); remove it, or "
                             "set metrics.enabled = false to configure a provider yourself");
}

}  // namespace

void load_metrics(Reader& r, const toml::table& root, Cluster& c) {
  MetricsSettings& m = c.metrics;
  MetricsPositions pos;
  if (const toml::table* t = r.read_table(root, "metrics", "metrics")) {
    m.pos = r.at(*t);
    pos.table = m.pos;
    read_table(r, *t, m, pos);
  }
  if (!m.enabled) return;
  check_zookeeper_provider_keys(r, root);
  // The n-th node of a kind on one host serves on the kind's port + n - 1 (nodes sharing a
  // host have their own ports anyway).
  std::map<std::string, int> on_host;
  for (auto& s : c.servers) {
    s.metrics_port = m.zookeeper_port + on_host[lowercase(s.host)]++;
    check_own(r, s, s.used_ports(), "zookeeper_port", pos);
  }
  if (!c.kafka_nodes.empty() && m.kafka_agent.empty()) {
    // Without [metrics] the Kafka nodes serve none (an inventory written before [metrics]
    // keeps working); a [metrics] table asks for them, so the agent is required.
    // (Set but wrong was reported where it is set.)
    if (m.pos.line != 0 && !pos.agent_set)
      r.error(m.pos,
              "metrics.kafka_agent: missing: Kafka nodes need the Prometheus JMX exporter agent "
              "(a local jmx_prometheus_javaagent 1.x jar, e.g. fetched by "
              "tests/fixtures/jmx-agent.sh), or set metrics.enabled = false");
  } else {
    on_host.clear();
    for (auto& n : c.kafka_nodes) {
      n.metrics_port = m.kafka_port + on_host[lowercase(n.host)]++;
      check_own(r, n, n.used_ports(), "kafka_port", pos);
    }
  }
  check_host_port(r, c, pos);
}

}  // namespace zkctl::inventory::detail
