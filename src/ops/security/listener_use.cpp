#include "ops/security/listener_use.hpp"

#include <map>
#include <sstream>

#include "ops/security/onramp.hpp"
#include "remote/scripts.hpp"
#include "render/kafka.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

std::vector<ListenerUse> broker_listeners(const inventory::Cluster& cluster) {
  const std::map<int, int> kept = kept_plaintext_ports(cluster.name);
  std::vector<ListenerUse> out;
  for (const auto* n : cluster.brokers()) {
    const auto add = [&](const char* listener, int port) {
      out.push_back(ListenerUse{n->host, n->id, listener, port, -1, ""});
    };
    if (cluster.security.tls) {
      if (auto it = kept.find(n->id); it != kept.end())
        add(render::kKafkaClientListener, it->second);
      add(render::kKafkaSecureClientListener, n->listener_port);
      add(render::kKafkaInternalListener, n->internal_port);
    } else {
      add(render::kKafkaClientListener, n->listener_port);
    }
  }
  return out;
}

namespace {

// `PORT COUNT` lines into the counts of `uses` (those of one host).
void take_counts(const std::string& out, std::vector<ListenerUse*>& uses) {
  std::istringstream in(out);
  int port = 0;
  int count = 0;
  while (in >> port >> count) {
    for (auto* u : uses)
      if (u->port == port) u->connections = count;
  }
}

}  // namespace

std::vector<ListenerUse> listener_use(Context& ctx) {
  std::vector<ListenerUse> uses = broker_listeners(ctx.cluster());
  const auto brokers = ctx.cluster().brokers();
  ctx.connect(brokers);
  runner::parallel_for(brokers.size(), ctx.options().parallel, [&](std::size_t i) {
    const inventory::KafkaNode& n = *brokers[i];
    std::vector<ListenerUse*> mine;
    std::vector<std::string> ports;
    for (auto& u : uses) {
      if (u.host != n.host || u.id != n.id) continue;
      mine.push_back(&u);
      ports.push_back(std::to_string(u.port));
    }
    Connection& c = ctx.connection(n);
    auto r = c.remote
                 ? remote::run_script(*c.remote, "connections", remote::scripts::kafka_connections,
                                      ports, ctx.command_timeout(n))
                 : util::Result<remote::CommandResult>(util::fail(c.error));
    std::string error = !r ? r.error().message : r->exit_status != 0 ? r->err : "";
    if (error.empty()) take_counts(r->out, mine);
    for (auto* u : mine)
      if (u->connections < 0) u->error = error.empty() ? "not counted" : error;
  });
  return uses;
}

std::string listener_table(const std::vector<ListenerUse>& uses) {
  std::string out = "client connections per listener (established):\n";
  std::string host;
  for (const auto& u : uses) {
    if (u.host != host) out += (host.empty() ? "  " : "\n  ") + u.host;
    host = u.host;
    out += "  " + u.listener + ":" + std::to_string(u.port) + " " +
           (u.connections < 0 ? std::string("?") : std::to_string(u.connections));
  }
  return out + "\n";
}

nlohmann::json listener_json(const std::vector<ListenerUse>& uses) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& u : uses) {
    nlohmann::json j = {{"host", u.host}, {"id", u.id}, {"listener", u.listener}, {"port", u.port}};
    j["connections"] = u.connections < 0 ? nlohmann::json(nullptr) : nlohmann::json(u.connections);
    if (!u.error.empty()) j["error"] = u.error;
    a.push_back(j);
  }
  return a;
}

}  // namespace zkctl::ops
