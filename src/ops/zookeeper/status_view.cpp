#include "ops/zookeeper/status_view.hpp"

#include <algorithm>
#include <cstdio>

#include "util/table.hpp"

namespace zkctl::ops {

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
  for (const auto& n : status.nodes)
    if (const std::string m = n.metrics.line(); !m.empty())
      out += "  " + n.server->host + " metrics: " + m + "\n";
  const Health health = status.overall();
  const util::Paint paint = health == Health::ok         ? util::Paint::green
                            : health == Health::degraded ? util::Paint::yellow
                                                         : util::Paint::red;
  out += util::paint(status.verdict(), paint, color) + "\n";
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
    j["rack"] = n.server->rack.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.server->rack);
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
    if (n.metrics.enabled) j["metrics"] = n.metrics.json();
    nodes.push_back(std::move(j));
  }
  nlohmann::json leaders = nlohmann::json::array();
  for (const auto* l : status.quorum.leaders) leaders.push_back(l->host);
  return {{"cluster", cluster_name},
          {"nodes", nodes},
          {"quorum",
           {{"ok", status.quorum.ok()},
            {"health", to_string(status.overall())},
            {"problems", status.problems()},
            {"voters", status.quorum.voters},
            {"voters_serving", status.quorum.voters_serving},
            {"majority", status.quorum.majority},
            {"leaders", leaders},
            {"summary", status.verdict()}}}};
}

ZooKeeperStatusView::ZooKeeperStatusView(std::string cluster_name, ClusterStatus status)
    : cluster_name_(std::move(cluster_name)), status_(std::move(status)) {}

Health ZooKeeperStatusView::health() const {
  return status_.overall();
}

std::string ZooKeeperStatusView::table(util::Color color) const {
  return status_table(status_, color);
}

void ZooKeeperStatusView::add_json(nlohmann::json& j) const {
  const nlohmann::json own = status_json(cluster_name_, status_);
  for (auto& [key, value] : own.items()) j[key] = value;
}

}  // namespace zkctl::ops
