#include "render/prometheus.hpp"

#include <algorithm>
#include <cctype>

namespace zkctl::render {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;

// Filesystems the disk alert leaves out: memory, images and namespaces, never full of data.
constexpr const char* kPseudoFs = "tmpfs|ramfs|squashfs|nsfs|devtmpfs|overlay";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// "host:port", an IPv6 address in brackets.
std::string address(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

data target(const std::string& host, int port, const std::string& id, const std::string& role) {
  data t;
  t.set("address", address(host, port));
  t.set("node", host);
  if (!id.empty()) t.set("id", id);
  if (!role.empty()) t.set("role", role);
  return t;
}

std::string kafka_role(const inventory::KafkaNode& n) {
  if (n.broker && n.controller) return "broker,controller";
  return n.controller ? "controller" : "broker";
}

// The scrape jobs of `c` (none without [metrics]).
list jobs(const inventory::Cluster& c, const PrometheusPaths& p) {
  list out;
  if (!c.metrics.enabled) return out;
  const bool tls = c.security.tls;
  auto job = [&](const std::string& name, list targets) {
    data j;
    j.set("name", name);
    j.set("scheme", tls ? "https" : "http");
    if (tls) {
      data t;
      t.set("ca_file", p.ca);
      t.set("client_file", p.client);
      j.set("tls", t);
    }
    j.set("targets", targets);
    out.push_back(j);
  };
  if (!c.servers.empty()) {
    list t;
    for (const auto& s : c.servers)
      t.push_back(target(s.host, s.metrics_port, std::to_string(s.id),
                         s.role == inventory::Role::voter ? "voter" : "observer"));
    job("zookeeper", t);
  }
  if (!c.kafka_nodes.empty()) {
    list t;
    for (const auto& n : c.kafka_nodes)
      if (n.metrics_port != 0)  // 0: no agent
        t.push_back(target(n.host, n.metrics_port, std::to_string(n.id), kafka_role(n)));
    job("kafka", t);
  }
  const auto hosts = agent_hosts(c);
  list t;
  for (const auto& h : hosts) t.push_back(target(h, c.metrics.host_port, "", ""));
  if (!hosts.empty()) job("host", t);
  return out;
}

// `text` without its blank lines (the templates' empty sections leave them; YAML ignores them).
std::string without_blank_lines(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string line = text.substr(start, end - start);
    if (line.find_first_not_of(" \n") != std::string::npos) out += line;
    start = end;
  }
  return out;
}

util::Result<void> check_values(const inventory::Cluster& c) {
  for (const auto& h : agent_hosts(c))
    if (h.find_first_of("\"\\") != std::string::npos)
      return util::Error{"host " + h + " cannot be written into prometheus.yml"};
  return check_single_line("cluster name", c.name);
}

}  // namespace

PrometheusPaths prometheus_paths(const inventory::MonitoringSettings& m) {
  PrometheusPaths p;
  p.install_dir = m.install_dir;
  p.config = m.install_dir + "/prometheus.yml";
  p.rules = m.install_dir + "/rules.yml";
  p.data = m.install_dir + "/data";
  p.tls_dir = m.install_dir + "/tls";
  p.ca = p.tls_dir + "/ca.pem";
  p.client = p.tls_dir + "/prometheus.pem";
  p.log = m.install_dir + "/log/prometheus.log";
  return p;
}

HostAgentPaths host_agent_paths() {
  const std::string dir = kHostAgentDir;
  return {dir, dir + "/web.yml", dir + "/ca.pem", dir + "/node.pem", dir + "/log/host-agent.log"};
}

std::vector<std::string> agent_hosts(const inventory::Cluster& c) {
  std::vector<std::string> out;
  std::vector<std::string> seen;
  auto add = [&](const std::string& h) {
    if (std::find(seen.begin(), seen.end(), lower(h)) != seen.end()) return;
    seen.push_back(lower(h));
    out.push_back(h);
  };
  for (const auto& s : c.servers) add(s.host);
  for (const auto& n : c.kafka_nodes) add(n.host);
  return out;
}

util::Result<RenderedFile> prometheus_config_file(const inventory::Cluster& c,
                                                  const RenderOptions& options) {
  if (auto ok = check_values(c); !ok) return ok.error();
  const PrometheusPaths p = prometheus_paths(c.monitoring);
  data v;
  v.set("cluster", c.name);
  v.set("interval", std::to_string(c.monitoring.scrape_interval_s));
  v.set("timeout", std::to_string(std::min(c.monitoring.scrape_interval_s, 10)));
  v.set("rules_file", p.rules);
  v.set("jobs", jobs(c, p));
  auto text = render_template("prometheus/prometheus.yml.mustache", v, options);
  if (!text) return text.error();
  return RenderedFile{.path = p.config, .content = without_blank_lines(*text)};
}

util::Result<RenderedFile> prometheus_rules_file(const inventory::Cluster& c,
                                                 const std::vector<CertDeadline>& certs,
                                                 const RenderOptions& options) {
  if (auto ok = check_values(c); !ok) return ok.error();
  data v;
  v.set("cluster", c.name);
  const bool metrics = c.metrics.enabled;
  const int voters = static_cast<int>(c.voters().size());
  if (metrics && voters > 0) {
    data zk;
    zk.set("voters", std::to_string(voters));
    zk.set("majority", std::to_string(c.majority()));
    zk.set("tolerated", std::to_string(voters - c.majority()));  // voters that may be down
    v.set("zookeeper", zk);
  }
  if (metrics && !c.kafka_nodes.empty()) {
    data k;
    k.set("settle", std::to_string(4 * c.monitoring.scrape_interval_s));
    v.set("kafka", k);
  }
  if (metrics) {
    data h;
    h.set("pseudo_fs", kPseudoFs);
    h.set("disk_percent", std::to_string(c.monitoring.disk_alert_percent));
    v.set("host", h);
  }
  list cl;
  for (const auto& cert : certs) {
    if (auto ok = check_single_line("certificate holder", cert.node); !ok) return ok.error();
    if (cert.node.find_first_of("\"\\") != std::string::npos)
      return util::Error{"certificate holder " + cert.node + " cannot be written into rules.yml"};
    data d;
    d.set("node", cert.node);
    d.set("not_after", cert.not_after);
    d.set("warn_at", std::to_string(cert.warn_at));
    cl.push_back(d);
  }
  v.set("certs", cl);
  v.set("any", metrics || !certs.empty());
  auto text = render_template("prometheus/rules.yml.mustache", v, options);
  if (!text) return text.error();
  return RenderedFile{.path = prometheus_paths(c.monitoring).rules,
                      .content = without_blank_lines(*text)};
}

util::Result<RenderedFile> host_agent_web_config_file(const RenderOptions& options) {
  const HostAgentPaths p = host_agent_paths();
  data v;
  v.set("node_file", p.node);
  v.set("ca_file", p.ca);
  auto text = render_template("prometheus/host-agent-web.yml.mustache", v, options);
  if (!text) return text.error();
  return RenderedFile{.path = p.web_config, .content = *text};
}

}  // namespace zkctl::render
