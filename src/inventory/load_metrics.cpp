// [metrics]: the Prometheus endpoints in every ZooKeeper and Kafka JVM and the host agent's
// port; after the products' sections (and [security]: on a secure cluster ZooKeeper's metrics
// come from the JMX exporter agent too), so each node gets its metrics port and the ports take
// part in every port check.

#include <filesystem>
#include <map>

#include "inventory/load_sections.hpp"
#include "inventory/zookeeper_metrics.hpp"

namespace zkctl::inventory::detail {
namespace {

namespace fs = std::filesystem;

// kafka_agent: jmx_agent's old spelling (from when only Kafka ran the agent), still read.
const std::vector<std::string_view> kMetricsKeys = {"enabled",   "zookeeper_port", "kafka_port",
                                                    "host_port", "jmx_agent",      "kafka_agent"};

std::string lowercase(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

// Where each port key of [metrics] was set (line 0: its default).
struct MetricsPositions {
  std::map<std::string, SourcePos, std::less<>> port;
  SourcePos table;
  bool agent_set = false;  // jmx_agent (or kafka_agent) is in the table (valid or not)
};

// The key's position when set, else the table's, else the file's start.
SourcePos where(Reader& r, const MetricsPositions& p, std::string_view key) {
  auto it = p.port.find(key);
  if (it != p.port.end() && it->second.line != 0) return it->second;
  return p.table.line != 0 ? p.table : r.file_start();
}

// jmx_agent (or its old spelling kafka_agent): a local jar (the Prometheus JMX exporter Java
// agent); the key that was used, empty when neither.
std::string read_agent(Reader& r, const toml::table& t, MetricsSettings& m) {
  const toml::node* now = t.get("jmx_agent");
  const toml::node* old = t.get("kafka_agent");
  if (now != nullptr && old != nullptr) {
    r.error(r.at(*old),
            "metrics.kafka_agent: the old spelling of metrics.jmx_agent, which is "
            "set too; remove it");
    return "jmx_agent";
  }
  if (now == nullptr && old == nullptr) return "";
  const std::string key = now != nullptr ? "jmx_agent" : "kafka_agent";
  const std::string path = "metrics." + key;
  const toml::node& n = now != nullptr ? *now : *old;
  if (old != nullptr)
    r.warn(r.at(n),
           "metrics.kafka_agent: now spelt metrics.jmx_agent (the agent serves "
           "ZooKeeper's metrics too on a secure cluster); rename the key");
  auto v = r.read_local_path(t, key, path);
  if (!v || v->empty()) return key;
  if (fs::path(*v).extension() != ".jar") {
    r.error(r.at(n), path + ": " + show(*v) +
                         " is not a .jar (the jmx_prometheus_javaagent jar, e.g. fetched by "
                         "tests/fixtures/jmx-agent.sh)");
    return key;
  }
  std::error_code ec;
  if (r.local_files() == LocalFiles::must_exist && !fs::is_regular_file(*v, ec)) {
    r.error(r.at(n), path + ": file " + show(*v) + " does not exist");
    return key;
  }
  m.kafka_agent = *v;
  return key;
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
  pos.agent_set = !read_agent(r, t, m).empty();
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

// A [metrics] table asks for every endpoint, so the agent's jar is required where it serves:
// every Kafka node, and ZooKeeper servers on a secure cluster (ZooKeeper's own provider has no
// TLS). (Set but wrong was reported where it is set.)
void check_agent_present(Reader& r, const Cluster& c, const MetricsPositions& pos) {
  const MetricsSettings& m = c.metrics;
  if (m.pos.line == 0 || pos.agent_set || !m.kafka_agent.empty()) return;
  const bool kafka = !c.kafka_nodes.empty();
  const bool zookeeper = c.security.tls && !c.servers.empty();
  if (!kafka && !zookeeper) return;
  const std::string who = kafka && zookeeper ? "Kafka nodes and, with [security] tls, ZooKeeper "
                                               "servers"
                          : kafka            ? "Kafka nodes"
                                  : "ZooKeeper servers with [security] tls (their own provider "
                                    "has no TLS)";
  r.error(m.pos, "metrics.jmx_agent: missing: " + who +
                     " need the Prometheus JMX exporter agent (a local jmx_prometheus_javaagent "
                     "1.x jar, e.g. fetched by tests/fixtures/jmx-agent.sh), or set "
                     "metrics.enabled = false");
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
  check_agent_present(r, c, pos);
  // The n-th node of a kind on one host serves on the kind's port + n - 1 (nodes sharing a
  // host have their own ports anyway). Without the agent's jar, the nodes that would run it
  // serve none (an inventory without a [metrics] table keeps working).
  const bool agent = !m.kafka_agent.empty();
  std::map<std::string, int> on_host;
  if (zookeeper_serves_metrics(m, c.security.tls ? ZooCfgTls::yes : ZooCfgTls::no)) {
    for (auto& s : c.servers) {
      s.metrics_port = m.zookeeper_port + on_host[lowercase(s.host)]++;
      check_own(r, s, s.used_ports(), "zookeeper_port", pos);
    }
  }
  on_host.clear();
  if (agent) {
    for (auto& n : c.kafka_nodes) {
      n.metrics_port = m.kafka_port + on_host[lowercase(n.host)]++;
      check_own(r, n, n.used_ports(), "kafka_port", pos);
    }
  }
  check_host_port(r, c, pos);
}

}  // namespace zkctl::inventory::detail
