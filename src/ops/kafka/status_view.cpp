#include "ops/kafka/status_view.hpp"

#include "util/table.hpp"

namespace zkctl::ops {

namespace {
std::string roles_of(const inventory::KafkaNode& n) {
  if (n.broker && n.controller) return "broker,controller";
  return n.controller ? "controller" : "broker";
}
std::string yes_no(bool b) {
  return b ? "yes" : "no";
}
}  // namespace

std::string kafka_table(const inventory::Cluster& cluster, const ops::KafkaStatus& status,
                        util::Color /*color: the Kafka table is not coloured yet*/) {
  util::Table t({{"HOST"},
                 {"ID", util::Align::right},
                 {"ROLES"},
                 {"PROCESS"},
                 {"REGISTERED"},
                 {"CONTROLLER"},
                 {"LISTENER"}});
  for (const auto& n : status.nodes) {
    std::string process =
        !n.process_up
            ? "?"
            : (*n.process_up ? "up (pid " + std::to_string(n.pid.value_or(0)) + ")" : "down");
    std::string ctl = "-";
    if (cluster.kafka->mode == inventory::KafkaMode::zookeeper) {
      if (n.controller) ctl = "active";
    } else if (n.node->controller) {
      // KRaft: each controller's role in the quorum.
      const auto& q = status.health.quorum;
      bool voter =
          q && std::find(q->voters.begin(), q->voters.end(), n.node->id) != q->voters.end();
      ctl = n.controller ? "leader" : (voter ? "voter" : (q ? "not in quorum" : "?"));
    }
    t.add_row({n.node->host, std::to_string(n.node->id), roles_of(*n.node), process,
               n.node->broker ? yes_no(n.registered) : "-", ctl,
               n.node->broker
                   ? (n.listener_ok ? ":" + std::to_string(n.node->listener_port) + " ok"
                                    : ":" + std::to_string(n.node->listener_port) + " FAILED")
                   : "-"});
  }
  std::string out = t.render();
  for (const auto& n : status.nodes) {
    if (!n.detail.empty() && (!n.registered || !n.listener_ok))
      out += "  " + n.node->host + ": " + n.detail + "\n";
  }
  for (const auto& n : status.nodes)
    if (const std::string m = n.metrics.line(); !m.empty())
      out += "  " + n.node->host + " metrics: " + m + "\n";
  const auto& h = status.health;
  int registered = 0;
  for (const auto& n : status.nodes) registered += n.registered ? 1 : 0;
  const Health health = status.overall();
  std::string line = std::string(health == Health::ok         ? "kafka OK: "
                                 : health == Health::degraded ? "kafka DEGRADED: "
                                                              : "KAFKA UNHEALTHY: ") +
                     std::to_string(registered) + "/" + std::to_string(cluster.brokers().size()) +
                     " brokers registered (" + inventory::to_string(cluster.kafka->mode) + " mode)";
  if (h.controller) {
    line += ", controller " + std::to_string(*h.controller);
  } else {
    line += ", no active controller";
  }
  if (h.under_replicated >= 0)
    line += ", " + std::to_string(h.under_replicated) + " under-replicated";
  if (h.offline > 0) line += ", " + std::to_string(h.offline) + " offline partitions";
  if (h.quorum) line += ", quorum voters " + std::to_string(h.quorum->voters.size());
  const auto problems = status.problems();
  for (std::size_t i = 0; i < problems.size(); ++i) line += (i ? ", " : "; ") + problems[i];
  out += line + "\n";
  if (!h.error.empty() && health != Health::ok) out += "  " + h.error + "\n";
  return out;
}

nlohmann::json kafka_json(const inventory::Cluster& cluster, const ops::KafkaStatus& status) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : status.nodes) {
    nlohmann::json j = {{"host", n.node->host},
                        {"id", n.node->id},
                        {"roles", roles_of(*n.node)},
                        {"registered", n.registered},
                        {"controller", n.controller},
                        {"listener_ok", n.listener_ok},
                        {"listener_port", n.node->listener_port},
                        {"detail", n.detail}};
    j["process_up"] = n.process_up ? nlohmann::json(*n.process_up) : nlohmann::json(nullptr);
    j["pid"] = n.pid ? nlohmann::json(*n.pid) : nlohmann::json(nullptr);
    j["rack"] = n.node->rack.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.node->rack);
    if (n.metrics.enabled) j["metrics"] = n.metrics.json();
    nodes.push_back(std::move(j));
  }
  const auto& h = status.health;
  nlohmann::json out = {
      {"mode", inventory::to_string(cluster.kafka->mode)},
      {"ok", status.overall() == Health::ok},
      {"health", to_string(status.overall())},
      {"problems", status.problems()},
      {"nodes", nodes},
      {"registered", std::vector<int>(h.registered.begin(), h.registered.end())},
      {"controller", h.controller ? nlohmann::json(*h.controller) : nlohmann::json(nullptr)},
      {"under_replicated", h.under_replicated},
      {"offline", h.offline},
      {"error", h.error}};
  if (h.quorum) {
    out["quorum"] = {{"leader_id", h.quorum->leader_id},
                     {"voters", h.quorum->voters},
                     {"observers", h.quorum->observers},
                     {"max_follower_lag", h.quorum->max_follower_lag}};
  }
  return out;
}

KafkaStatusView::KafkaStatusView(const inventory::Cluster& cluster, KafkaStatus status)
    : cluster_(cluster), status_(std::move(status)) {}

Health KafkaStatusView::health() const {
  return status_.overall();
}

std::string KafkaStatusView::table(util::Color color) const {
  return kafka_table(cluster_, status_, color);
}

void KafkaStatusView::add_json(nlohmann::json& j) const {
  j["kafka"] = kafka_json(cluster_, status_);
}

}  // namespace zkctl::ops
