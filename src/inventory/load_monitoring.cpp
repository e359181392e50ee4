// [monitoring]: the optional host running Prometheus (its port, install dir, scrape interval and
// disk alert threshold), and the ports and dirs it and the host agent use on the cluster's hosts.

#include <algorithm>
#include <cctype>

#include "inventory/load_sections.hpp"
#include "inventory/validate.hpp"

namespace zkctl::inventory::detail {
namespace {

const std::vector<std::string_view> kMonitoringKeys = {"host", "port", "install_dir",
                                                       "scrape_interval_s", "disk_alert_percent"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// `child` equals `parent` or lies below it (both normalized, absolute).
bool within(const std::string& child, const std::string& parent) {
  return child == parent ||
         (child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 &&
          child[parent.size()] == '/');
}

// Every ZooKeeper server and Kafka node, with what it uses and how messages name it.
struct Placed {
  const Node* node;
  std::string name;  // "ZooKeeper server id 1 (line 5)"
  std::vector<PortUse> ports;
  std::vector<DirUse> dirs;
};

std::vector<Placed> placed(const Cluster& c) {
  std::vector<Placed> out;
  auto name = [](std::string_view kind, const Node& n) {
    return std::string(kind) + " id " + std::to_string(n.id) + " (line " +
           std::to_string(n.pos.line) + ")";
  };
  for (const auto& s : c.servers)
    out.push_back({&s, name("ZooKeeper server", s), s.used_ports(), s.used_dirs()});
  for (const auto& n : c.kafka_nodes)
    out.push_back({&n, name("Kafka node", n), n.used_ports(), n.used_dirs()});
  return out;
}

// The monitoring host's port, its install dir and the host agent's port against the nodes on
// that host; `port_pos`/`dir_pos`: where they were set (else the host value).
void check_monitoring_host(Reader& r, const Cluster& c, const SourcePos& port_pos,
                           const SourcePos& dir_pos) {
  const MonitoringSettings& m = c.monitoring;
  const std::string where = "host " + show(m.host) + " ";
  if (c.metrics.enabled && m.port == c.metrics.host_port)
    r.error(port_pos, "monitoring.port: " + std::to_string(m.port) +
                          " is the host agent's port (metrics.host_port) on the same host");
  for (const Placed& p : placed(c)) {
    if (lower(p.node->host) != lower(m.host)) continue;
    for (const PortUse& u : p.ports)
      if (u.port == m.port)
        r.error(port_pos, where + "port " + std::to_string(m.port) +
                              " (monitoring.port) is already used by " + p.name + " as its " +
                              u.key);
    for (const DirUse& d : p.dirs)
      if (within(d.dir, m.install_dir) || within(m.install_dir, d.dir))
        r.error(dir_pos, where + "monitoring.install_dir " + show(m.install_dir) + " overlaps " +
                             show(d.dir) + ", the " + d.label + " of " + p.name);
  }
}

}  // namespace

void load_monitoring(Reader& r, const toml::table& root, Cluster& c) {
  const toml::table* t = r.read_table(root, "monitoring", "monitoring");
  if (t == nullptr) return;
  r.check_keys(*t, "in [monitoring]", kMonitoringKeys);
  MonitoringSettings& m = c.monitoring;
  m.pos = r.at(*t);
  auto host = r.read_string(*t, "host", "monitoring.host");
  if (!host) {
    if (t->get("host") == nullptr)
      r.error(m.pos, "missing required key 'host' in [monitoring] (the host running Prometheus)");
    return;
  }
  const SourcePos host_pos = r.at(*t->get("host"));
  if (!is_valid_host(*host)) {
    r.error(host_pos,
            "monitoring.host: " + show(*host) + " is not a valid host name, IPv4 or IPv6 address");
    return;
  }
  m.host = *host;
  SourcePos port_pos = host_pos;
  SourcePos dir_pos = host_pos;
  if (auto v = r.read_port(*t, "port", "monitoring.port")) {
    m.port = *v;
    port_pos = r.at(*t->get("port"));
  }
  if (auto v = r.read_remote_dir(*t, "install_dir", "monitoring.install_dir", EmptyOk::no,
                                 "Prometheus", RemoteDirKind::install)) {
    m.install_dir = *v;
    dir_pos = r.at(*t->get("install_dir"));
  }
  if (auto v = r.read_int(*t, "scrape_interval_s", "monitoring.scrape_interval_s", 1, 3600))
    m.scrape_interval_s = *v;
  if (auto v = r.read_int(*t, "disk_alert_percent", "monitoring.disk_alert_percent", 1, 99))
    m.disk_alert_percent = *v;
  check_monitoring_host(r, c, port_pos, dir_pos);
  // Prometheus watches a broker (and, on a TLS cluster, a ZooKeeper server) through the JMX
  // exporter agent: without one, those targets would be down and their alerts fire from the
  // first scrape on.
  const bool agent_needed = !c.kafka_nodes.empty() || (c.security.tls && !c.servers.empty());
  if (c.metrics.enabled && agent_needed && c.metrics.kafka_agent.empty())
    r.error(host_pos, std::string("monitoring.host: Prometheus scrapes every ") +
                          (c.kafka_nodes.empty() ? "ZooKeeper server" : "Kafka node") +
                          "'s metrics, which need the JMX exporter agent: set [metrics] "
                          "jmx_agent (a local jmx_prometheus_javaagent 1.x jar)");
}

}  // namespace zkctl::inventory::detail
