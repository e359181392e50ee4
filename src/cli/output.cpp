#include "cli/output.hpp"

#include <algorithm>
#include <cstdio>

#include "util/table.hpp"

namespace zkctl::cli {

namespace {
std::string latency(const probe::Srvr& s) {
  if (!s.latency) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g/%g/%g", s.latency->min, s.latency->avg, s.latency->max);
  return buf;
}
std::string num(long v) {
  return v < 0 ? "-" : std::to_string(v);
}
std::string short_version(const std::string& v) {
  auto comma = v.find(',');
  return comma == std::string::npos ? v : v.substr(0, comma);
}
}  // namespace

util::Paint mode_paint(probe::Mode mode) {
  switch (mode) {
    case probe::Mode::leader:
    case probe::Mode::follower:
    case probe::Mode::observer:
    case probe::Mode::standalone:
      return util::Paint::green;
    case probe::Mode::down:
      return util::Paint::red;
    default:
      return util::Paint::yellow;
  }
}

std::string status_table(const ops::ClusterStatus& status, util::Color color) {
  util::Table t({{"HOST"},
                 {"ID", util::Align::right},
                 {"ROLE"},
                 {"MODE"},
                 {"ZXID"},
                 {"CONNS", util::Align::right},
                 {"LATENCY(ms)"},
                 {"VERSION"},
                 {"VIA"}});
  for (const auto& n : status.nodes) {
    const auto& p = n.probe;
    std::vector<std::string> row = {
        n.server->host, std::to_string(n.server->id),
        util::paint(inventory::to_string(n.server->role), util::Paint::bold, color),
        util::paint(probe::to_string(p.mode), mode_paint(p.mode), color)};
    if (p.srvr && p.mode != probe::Mode::not_serving) {
      row.push_back(p.srvr->zxid.empty() ? "-" : p.srvr->zxid);
      row.push_back(num(p.srvr->connections));
      row.push_back(latency(*p.srvr));
      row.push_back(short_version(p.srvr->version));
    } else {
      row.insert(row.end(), {"-", "-", "-", "-"});
    }
    row.push_back(p.mode == probe::Mode::down ? "-" : probe::to_string(p.transport));
    t.add_row(std::move(row));
  }
  std::string out = t.render();
  for (const auto& n : status.nodes) {
    if (!n.probe.detail.empty() && n.probe.mode != probe::Mode::leader &&
        n.probe.mode != probe::Mode::follower && n.probe.mode != probe::Mode::observer) {
      out += "  " + n.server->host + ": " + n.probe.detail + "\n";
    }
  }
  out += util::paint(status.quorum.describe(),
                     status.quorum.ok() ? util::Paint::green : util::Paint::red, color) +
         "\n";
  return out;
}

nlohmann::json status_json(const std::string& cluster_name, const ops::ClusterStatus& status) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : status.nodes) {
    const auto& p = n.probe;
    nlohmann::json j = {{"host", n.server->host},
                        {"id", n.server->id},
                        {"role", inventory::to_string(n.server->role)},
                        {"client_port", n.server->ports.client},
                        {"mode", probe::to_string(p.mode)},
                        {"transport", probe::to_string(p.transport)},
                        {"detail", p.detail}};
    if (p.srvr) {
      j["zxid"] = p.srvr->zxid;
      j["connections"] = p.srvr->connections;
      j["outstanding"] = p.srvr->outstanding;
      j["node_count"] = p.srvr->node_count;
      j["version"] = p.srvr->version;
      if (p.srvr->latency) {
        j["latency_ms"] = {{"min", p.srvr->latency->min},
                           {"avg", p.srvr->latency->avg},
                           {"max", p.srvr->latency->max}};
      }
    }
    if (p.mntr) {
      j["peer_state"] = p.mntr->peer_state;
      if (p.mntr->quorum_size) j["quorum_size"] = *p.mntr->quorum_size;
      if (p.mntr->synced_followers) j["synced_followers"] = *p.mntr->synced_followers;
      if (p.mntr->synced_observers) j["synced_observers"] = *p.mntr->synced_observers;
      if (p.mntr->pending_syncs) j["pending_syncs"] = *p.mntr->pending_syncs;
    }
    nodes.push_back(std::move(j));
  }
  nlohmann::json leaders = nlohmann::json::array();
  for (const auto* l : status.quorum.leaders) leaders.push_back(l->host);
  return {{"cluster", cluster_name},
          {"nodes", nodes},
          {"quorum",
           {{"ok", status.quorum.ok()},
            {"voters", status.quorum.voters},
            {"voters_serving", status.quorum.voters_serving},
            {"majority", status.quorum.majority},
            {"leaders", leaders},
            {"summary", status.quorum.describe()}}}};
}

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
                        util::Color color) {
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
  const auto& h = status.health;
  int registered = 0;
  for (const auto& n : status.nodes) registered += n.registered ? 1 : 0;
  std::string line = std::string(status.ok() ? "kafka OK: " : "KAFKA UNHEALTHY: ") +
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
  out += line + "\n";
  if (!h.error.empty() && !status.ok()) out += "  " + h.error + "\n";
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
    nodes.push_back(std::move(j));
  }
  const auto& h = status.health;
  nlohmann::json out = {
      {"mode", inventory::to_string(cluster.kafka->mode)},
      {"ok", status.ok()},
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

}  // namespace zkctl::cli
