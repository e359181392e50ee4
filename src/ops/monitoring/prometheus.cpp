#include "ops/monitoring/prometheus.hpp"

#include <ctime>

#include "ops/monitoring/host_agent.hpp"
#include "ops/security/cluster_pki.hpp"
#include "pki/pki.hpp"
#include "remote/scripts.hpp"

namespace zkctl::ops {
namespace {

using nlohmann::json;

std::string iso_time(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The body of GET `path` from Prometheus at `host`:`port`, through `remote` (its host's
// session): HTTP/1.0, so the server closes when done.
util::Result<json> api_get(remote::Remote& remote, const std::string& host, int port,
                           const std::string& path, std::chrono::milliseconds timeout) {
  auto s = remote.open_tcp(host, port);
  if (!s) return s.error();
  if (auto w = (*s)->write_all("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n"); !w)
    return w.error();
  auto r = (*s)->read_all(timeout);
  if (!r) return r.error();
  const auto body = r->find("\r\n\r\n");
  if (r->rfind("HTTP/1.", 0) != 0 || body == std::string::npos)
    return util::fail("prometheus answered no HTTP");
  json j = json::parse(r->substr(body + 4), nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success")
    return util::fail("prometheus " + path + ": " + r->substr(0, r->find("\r\n")));
  return j["data"];
}

// What `zkctl status` shows of the monitoring host.
struct PromSeen {
  std::string where;  // "mon:9090"
  std::string error;  // why it could not be asked; empty: up
  int targets_up = 0;
  int targets_total = 0;
  std::vector<std::string> down;    // "kafka node2:7071"
  std::vector<std::string> firing;  // "KafkaBrokerDown (node2)"
};

class PrometheusStatus : public TierStatus {
 public:
  explicit PrometheusStatus(PromSeen seen) : s_(std::move(seen)) {}
  Health health() const override {
    return s_.error.empty() && s_.down.empty() ? Health::ok : Health::degraded;
  }
  std::string table(util::Color) const override {
    if (!s_.error.empty()) return "prometheus: " + s_.where + " down (" + s_.error + ")\n";
    std::string firing;
    for (const auto& f : s_.firing) firing += (firing.empty() ? "" : ", ") + f;
    std::string down;
    for (const auto& d : s_.down) down += (down.empty() ? "" : ", ") + d;
    return "prometheus: " + s_.where + " up, targets " + std::to_string(s_.targets_up) + "/" +
           std::to_string(s_.targets_total) + " up" +
           (down.empty() ? "" : " (down: " + down + ")") +
           ", alerts firing: " + (firing.empty() ? "none" : firing) + "\n";
  }
  void add_json(json& j) const override {
    j["monitoring"] = {{"prometheus", s_.where},
                       {"up", s_.error.empty()},
                       {"error", s_.error},
                       {"targets_up", s_.targets_up},
                       {"targets_total", s_.targets_total},
                       {"targets_down", s_.down},
                       {"alerts_firing", s_.firing}};
  }

 private:
  PromSeen s_;
};

void read_targets(const json& data, PromSeen& s) {
  for (const auto& t : data.value("activeTargets", json::array())) {
    ++s.targets_total;
    if (t.value("health", "") == "up") {
      ++s.targets_up;
      continue;
    }
    const json labels = t.value("labels", json::object());
    s.down.push_back(labels.value("job", "?") + " " + labels.value("instance", "?"));
  }
}

void read_alerts(const json& data, PromSeen& s) {
  for (const auto& a : data.value("alerts", json::array())) {
    if (a.value("state", "") != "firing") continue;
    const json labels = a.value("labels", json::object());
    const std::string node = labels.value("node", "");
    s.firing.push_back(labels.value("alertname", "?") + (node.empty() ? "" : " (" + node + ")"));
  }
}

}  // namespace

std::vector<OwnedDir> PrometheusServer::owned_dirs() const {
  // The TSDB lives inside the install dir: destroy keeps it without --purge-data, and check
  // counts its disk among the data dirs.
  return {
      {OwnedDir::Holds::install, "monitoring", node_.install_dir},
      {OwnedDir::Holds::data, "monitoring", render::prometheus_paths(cluster_.monitoring).data}};
}

std::vector<std::string> PrometheusServer::args() const {
  const render::PrometheusPaths p = render::prometheus_paths(cluster_.monitoring);
  const bool v6 = host().find(':') != std::string::npos;
  return {
      "--config.file=" + p.config, "--storage.tsdb.path=" + p.data,
      "--web.listen-address=" + (v6 ? "[" + host() + "]" : host()) + ":" + std::to_string(port())};
}

std::vector<std::string> PrometheusServer::root_dirs() const {
  return {render::prometheus_paths(cluster_.monitoring).tls_dir};
}

std::vector<std::string> PrometheusServer::user_dirs() const {
  return {render::prometheus_paths(cluster_.monitoring).data, node_.install_dir + "/log"};
}

std::string PrometheusServer::log_file() const {
  return render::prometheus_paths(cluster_.monitoring).log;
}

util::Result<void> PrometheusServer::reload(remote::Remote& remote,
                                            std::chrono::seconds timeout) const {
  auto r = remote::run_script(remote, "prometheus reload", remote::scripts::monitoring_reload,
                              {args().front(), binary()}, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<std::vector<render::RenderedFile>> PrometheusServer::render(const Context& ctx) const {
  auto deadlines = cert_deadlines(ctx, node_);
  if (!deadlines) return deadlines.error();
  const auto& opts = ctx.options().templates;
  auto config = render::prometheus_config_file(cluster_, opts);
  if (!config) return config.error();
  auto rules = render::prometheus_rules_file(cluster_, *deadlines, opts);
  if (!rules) return rules.error();
  config->read_by = render::ReadBy::zkctl;  // SIGHUP re-reads both
  rules->read_by = render::ReadBy::zkctl;
  std::vector<render::RenderedFile> files = {*config, *rules, args_file()};
  auto tls = ctx.tls_material(kPrometheusIdentity, node_);
  if (!tls) return tls.error();
  if (!*tls) return files;
  const render::PrometheusPaths p = render::prometheus_paths(cluster_.monitoring);
  files.push_back({.path = p.ca, .content = (*tls)->ca_pem, .read_by = render::ReadBy::zkctl});
  files.push_back({.path = p.client,
                   .content = (*tls)->node_pem,
                   .mode = 0640,
                   .owner = render::FileOwner::root_service,
                   .read_by = render::ReadBy::zkctl});
  return files;
}

util::Result<std::vector<render::CertDeadline>> cert_deadlines(const Context& ctx,
                                                               const inventory::Node& prometheus) {
  std::vector<render::CertDeadline> out;
  const inventory::Cluster& c = ctx.cluster();
  if (!c.security.tls) return out;
  auto add = [&](const char* identity, const inventory::Node& n,
                 const std::string& who) -> util::Result<bool> {
    auto m = ctx.tls_material(identity, n);
    if (!m) return m.error();
    if (!*m) return false;  // not issued yet (plan before the first deploy)
    auto info = pki::inspect((*m)->node_pem);
    if (!info) return info.error();
    const auto warn = info->not_after - std::chrono::hours(24 * 30);
    out.push_back(
        {who, iso_time(info->not_after),
         std::chrono::duration_cast<std::chrono::seconds>(warn.time_since_epoch()).count()});
    return true;
  };
  std::vector<std::pair<const char*, const inventory::Node*>> all;
  for (const auto& s : c.servers) all.push_back({kZooKeeperIdentity, &s});
  for (const auto& k : c.kafka_nodes) all.push_back({kKafkaIdentity, &k});
  const auto agents = c.metrics.enabled ? host_agent_nodes(c) : std::vector<inventory::Node>{};
  for (const auto& a : agents) all.push_back({kHostAgentIdentity, &a});
  all.push_back({kPrometheusIdentity, &prometheus});
  for (const auto& [identity, n] : all) {
    auto r = add(identity, *n,
                 n->host + " (" + identity + (n->id ? " " + std::to_string(n->id) : "") + ")");
    if (!r) return r.error();
  }
  return out;
}

PrometheusTier::PrometheusTier(const inventory::Cluster& cluster)
    : node_(daemon_node(cluster, cluster.monitoring.host, cluster.monitoring.install_dir, 0)),
      server_(std::make_unique<PrometheusServer>(node_, cluster)) {}

std::unique_ptr<TierStatus> PrometheusTier::status(Context& ctx, probe::AskMntr) {
  PromSeen s;
  const std::string host = server_->host();
  s.where = host + ":" + std::to_string(server_->port());
  Connection& c = server_->connection(ctx);
  if (!c.remote) {
    s.error = "unreachable: " + c.error;
    return std::make_unique<PrometheusStatus>(std::move(s));
  }
  const auto t = std::chrono::milliseconds(5000);
  auto targets = api_get(*c.remote, host, server_->port(), "/api/v1/targets?state=active", t);
  auto alerts = targets ? api_get(*c.remote, host, server_->port(), "/api/v1/alerts", t)
                        : util::Result<json>(targets.error());
  if (!targets || !alerts) {
    s.error = (targets ? alerts.error() : targets.error()).message;
    return std::make_unique<PrometheusStatus>(std::move(s));
  }
  read_targets(*targets, s);
  read_alerts(*alerts, s);
  return std::make_unique<PrometheusStatus>(std::move(s));
}

}  // namespace zkctl::ops
