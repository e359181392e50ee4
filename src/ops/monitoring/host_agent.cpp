#include "ops/monitoring/host_agent.hpp"

#include "render/prometheus.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {
namespace {

// `zkctl status`: how many host agents run.
class HostAgentStatus : public TierStatus {
 public:
  struct Agent {
    std::string host;
    std::string state;  // "running (pid N)", "down", "unreachable: ..."
    bool running = false;
  };
  explicit HostAgentStatus(std::vector<Agent> agents) : agents_(std::move(agents)) {}
  Health health() const override {
    for (const auto& a : agents_)
      if (!a.running) return Health::degraded;
    return Health::ok;
  }
  std::string table(util::Color) const override {
    int up = 0;
    std::string down;
    for (const auto& a : agents_) {
      up += a.running ? 1 : 0;
      if (!a.running) down += (down.empty() ? "" : ", ") + a.host + " " + a.state;
    }
    return "host agents: " + std::to_string(up) + "/" + std::to_string(agents_.size()) +
           " running" + (down.empty() ? "" : " (" + down + ")") + "\n";
  }
  void add_json(nlohmann::json& j) const override {
    auto arr = nlohmann::json::array();
    for (const auto& a : agents_)
      arr.push_back({{"host", a.host}, {"running", a.running}, {"state", a.state}});
    j["host_agents"] = arr;
  }

 private:
  std::vector<Agent> agents_;
};

}  // namespace

std::vector<inventory::Node> host_agent_nodes(const inventory::Cluster& cluster) {
  std::vector<inventory::Node> out;
  for (const auto& h : render::agent_hosts(cluster))
    out.push_back(daemon_node(cluster, h, render::kHostAgentDir, 0));
  return out;
}

std::vector<OwnedDir> HostAgent::owned_dirs() const {
  return {{OwnedDir::Holds::install, "hostagent", render::kHostAgentDir}};
}

std::vector<std::string> HostAgent::args() const {
  const bool v6 = host().find(':') != std::string::npos;
  const std::string addr = (v6 ? "[" + host() + "]" : host()) + ":" + std::to_string(port());
  std::vector<std::string> a = {"--web.listen-address=" + addr, "--collector.disable-defaults",
                                "--collector.filesystem",       "--collector.cpu",
                                "--collector.meminfo",          "--collector.loadavg"};
  if (cluster_.security.tls)
    a.push_back("--web.config.file=" + render::host_agent_paths().web_config);
  return a;
}

std::vector<std::string> HostAgent::user_dirs() const {
  return {std::string(render::kHostAgentDir) + "/log"};
}

std::string HostAgent::log_file() const {
  return render::host_agent_paths().log;
}

util::Result<std::vector<render::RenderedFile>> HostAgent::render(const Context& ctx) const {
  std::vector<render::RenderedFile> files = {args_file()};
  auto tls = ctx.tls_material(kHostAgentIdentity, node_);
  if (!tls) return tls.error();
  if (!*tls) return files;
  const render::HostAgentPaths p = render::host_agent_paths();
  auto web = render::host_agent_web_config_file(ctx.options().templates);
  if (!web) return web.error();
  web->read_by = render::ReadBy::zkctl;  // re-read at every TLS handshake
  files.push_back(*web);
  files.push_back({.path = p.ca, .content = (*tls)->ca_pem, .read_by = render::ReadBy::zkctl});
  files.push_back({.path = p.node,
                   .content = (*tls)->node_pem,
                   .mode = 0640,
                   .owner = render::FileOwner::root_service,
                   .read_by = render::ReadBy::zkctl});
  return files;
}

HostAgentTier::HostAgentTier(const inventory::Cluster& cluster)
    : cluster_(cluster), hosts_(host_agent_nodes(cluster)) {
  for (const auto& n : hosts_) agents_.push_back(std::make_unique<HostAgent>(n, cluster_));
}

std::vector<Component*> HostAgentTier::nodes() {
  std::vector<Component*> out;
  for (auto& a : agents_) out.push_back(a.get());
  return out;
}

std::vector<DaemonComponent*> HostAgentTier::daemons() {
  std::vector<DaemonComponent*> out;
  for (auto& a : agents_) out.push_back(a.get());
  return out;
}

std::unique_ptr<TierStatus> HostAgentTier::status(Context& ctx, probe::AskMntr) {
  std::vector<HostAgentStatus::Agent> out(agents_.size());
  runner::parallel_for(agents_.size(), ctx.options().parallel, [&](std::size_t i) {
    const HostAgent& a = *agents_[i];
    out[i].host = a.host();
    Connection& c = a.connection(ctx);
    if (!c.remote) {
      out[i].state = "unreachable";
      return;
    }
    auto pid = a.pid(*c.remote, a.timeout(ctx));
    if (!pid)
      out[i].state = "unknown: " + pid.error().message;
    else if (!*pid)
      out[i].state = "down";
    else
      out[i].state = "running (pid " + std::to_string(**pid) + ")", out[i].running = true;
  });
  return std::make_unique<HostAgentStatus>(std::move(out));
}

}  // namespace zkctl::ops
