#include "ops/security/onramp.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "inventory/load.hpp"
#include "inventory/zookeeper_metrics.hpp"
#include "ops/cluster/state.hpp"
#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/quorum.hpp"
#include "ops/zookeeper/rolling.hpp"
#include "remote/scripts.hpp"
#include "render/kafka.hpp"
#include "render/kafka_paths.hpp"
#include "render/zookeeper.hpp"
#include "runner/interrupt.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

using inventory::SecurityPhase;

namespace {

struct PhaseInfo {
  SecurityPhase phase;
  const char* name;
  NodeKind rolls;      // the kind of node the phase restarts
  const char* change;  // what it changes
};

constexpr std::array<PhaseInfo, 10> kPhases = {{
    {SecurityPhase::open, "open", NodeKind::zookeeper, "every listener and link plaintext"},
    {SecurityPhase::zk_unified, "zk-unified", NodeKind::zookeeper,
     "ZooKeeper: TLS beside plaintext on the client port (client.portUnification) and the "
     "quorum (portUnification)"},
    {SecurityPhase::zk_quorum_tls, "zk-quorum-tls", NodeKind::zookeeper,
     "ZooKeeper: quorum links over TLS (sslQuorum)"},
    {SecurityPhase::kafka_listeners, "kafka-listeners", NodeKind::kafka,
     "Kafka: CLIENT and INTERNAL listeners beside PLAINTEXT (its clients User:ANONYMOUS, a "
     "super user meanwhile)"},
    {SecurityPhase::kafka_internal, "kafka-internal", NodeKind::kafka,
     "Kafka: inter-broker traffic on INTERNAL, brokers to ZooKeeper over TLS; users and ACLs"},
    {SecurityPhase::kraft_controller_tls, "kraft-controller-tls", NodeKind::kafka,
     "KRaft controllers: CONTROLLER over TLS while the quorum talks on CONTROLLER_SSL"},
    {SecurityPhase::kraft_controller_home, "kraft-controller-home", NodeKind::kafka,
     "KRaft: the controller quorum back on CONTROLLER (controller_port), now TLS"},
    {SecurityPhase::kraft_transit_off, "kraft-transit-off", NodeKind::kafka,
     "KRaft controllers: the transit listener CONTROLLER_SSL removed"},
    {SecurityPhase::zk_plaintext_off, "zk-plaintext-off", NodeKind::zookeeper,
     "ZooKeeper: TLS only (secureClientPort, portUnification off)"},
    {SecurityPhase::secure, "secure", NodeKind::kafka,
     "Kafka: PLAINTEXT dropped (the [security] settings as they are)"},
}};

const PhaseInfo& info(SecurityPhase p) {
  return kPhases[static_cast<std::size_t>(p)];
}

// Whether rolling into `p` changes anything on a cluster with these kinds of nodes.
bool applies(SecurityPhase p, const OnrampFacts& f) {
  if (p == SecurityPhase::open || p == SecurityPhase::secure) return true;
  if (p == SecurityPhase::zk_plaintext_off) return f.zookeeper && f.kafka;  // else: secure
  if (p >= SecurityPhase::kraft_controller_tls && p <= SecurityPhase::kraft_transit_off)
    return f.kraft;
  return info(p).rolls == NodeKind::zookeeper ? f.zookeeper : f.kafka;
}

SecurityPhase target_of(const OnrampFacts& f, SecurityPhase from) {
  if (!f.inventory_tls) return SecurityPhase::open;
  if (!f.kafka || f.drop_plaintext == DropPlaintext::yes || from == SecurityPhase::secure)
    return SecurityPhase::secure;
  if (f.zookeeper) return SecurityPhase::zk_plaintext_off;
  return f.kraft ? SecurityPhase::kraft_transit_off : SecurityPhase::kafka_internal;
}

// How far above controller_port the transit listener CONTROLLER_SSL sits.
constexpr int kTransitPortOffset = 10000;
constexpr int kMaxPort = 65535;

// A KRaft controller `n` (secure side; `was` on the open side) keeps its controller_port (the
// quorum's voters are found there before and after) and has its transit port free.
void controller_refusals(const inventory::Cluster& secure_side, const inventory::KafkaNode& was,
                         const inventory::KafkaNode& n, std::vector<std::string>& out) {
  const std::string who = "security on-ramp: " + n.host + " (kafka " + std::to_string(n.id) + ")";
  if (was.controller_port != n.controller_port) {
    out.push_back(who + ": controller_port " + std::to_string(was.controller_port) + " -> " +
                  std::to_string(n.controller_port) +
                  ": the controller quorum keeps its port (CONTROLLER changes protocol in place, "
                  "through a transit listener); keep controller_port");
    return;
  }
  const int transit = n.controller_port + kTransitPortOffset;
  if (transit > kMaxPort) {
    out.push_back(who + ": the transit listener CONTROLLER_SSL would need port " +
                  std::to_string(transit) + " (controller_port + 10000), above 65535");
    return;
  }
  std::vector<inventory::PortUse> used;
  for (const auto& k : secure_side.kafka_nodes)
    if (k.host == n.host) {
      auto u = k.used_ports();
      used.insert(used.end(), u.begin(), u.end());
    }
  for (const auto& z : secure_side.servers)
    if (z.host == n.host) {
      auto u = z.used_ports();
      used.insert(used.end(), u.begin(), u.end());
    }
  for (const auto& u : used)
    if (u.port == transit)
      out.push_back(who + ": the transit listener CONTROLLER_SSL takes port " +
                    std::to_string(transit) +
                    " (controller_port + 10000) while the quorum moves, "
                    "which " +
                    u.key + " uses on that host; choose another " + u.key);
}

// Phases that restart only KRaft controllers (the brokers' files stay as they are).
bool controllers_only(SecurityPhase p) {
  return p == SecurityPhase::kraft_controller_tls || p == SecurityPhase::kraft_transit_off;
}

// The local record: {"phase", "rolling_to" (while a phase rolls), "plaintext_ports"}.
struct Record {
  std::optional<SecurityPhase> phase;
  std::optional<SecurityPhase> rolling_to;
  std::map<int, int> plaintext_ports;  // Kafka node id -> PLAINTEXT port of the open cluster
};

Record read_record(const std::string& cluster) {
  Record r;
  const std::string text = recorded_security_phase(cluster);
  if (text.empty()) return r;
  try {
    const auto j = nlohmann::json::parse(text);
    r.phase = security_phase_named(j.value("phase", ""));
    r.rolling_to = security_phase_named(j.value("rolling_to", ""));
    const nlohmann::json ports = j.value("plaintext_ports", nlohmann::json::object());
    for (const auto& [id, port] : ports.items()) r.plaintext_ports[std::stoi(id)] = port.get<int>();
  } catch (const std::exception&) {
    return Record{};  // unreadable: decided from the recorded inventory alone
  }
  return r;
}

util::Result<void> write_record(const std::string& cluster, const Record& r) {
  nlohmann::json j = nlohmann::json::object();
  if (r.phase) j["phase"] = to_string(*r.phase);
  if (r.rolling_to) j["rolling_to"] = to_string(*r.rolling_to);
  nlohmann::json ports = nlohmann::json::object();
  for (const auto& [id, port] : r.plaintext_ports) ports[std::to_string(id)] = port;
  j["plaintext_ports"] = ports;
  return record_security_phase(cluster, j.dump());
}

// The inventory the last deploy of `name` used; nullopt when none is recorded or it no longer
// loads (membership reports the latter).
std::optional<inventory::Cluster> recorded_inventory(const std::string& name) {
  const auto names = recorded_cluster_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) return std::nullopt;
  auto rec = find_cluster(name);
  if (!rec) return std::nullopt;
  std::ifstream in(rec->inventory_copy, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  auto loaded = inventory::load_string(text.str(), rec->inventory_copy, rec->base_dir,
                                       inventory::LocalFiles::unchecked);
  if (!loaded.cluster) return std::nullopt;
  return std::move(*loaded.cluster);
}

// `now` as the open cluster ran: no security, each broker's PLAINTEXT on `ports`.
inventory::Cluster open_side_of(const inventory::Cluster& now, const std::map<int, int>& ports) {
  inventory::Cluster open = now;
  open.security = inventory::SecuritySettings{};
  open.security.tls = false;
  open.security.authentication = inventory::Authentication::none;
  open.security.authorization = false;
  open.security.users.clear();
  for (auto& n : open.kafka_nodes) {
    auto it = ports.find(n.id);
    if (it != ports.end()) n.listener_port = it->second;
    n.internal_port = 0;
  }
  return open;
}

void merge(DeployReport& into, DeployReport&& r) {
  std::move(r.changes.begin(), r.changes.end(), std::back_inserter(into.changes));
  std::move(r.stages.begin(), r.stages.end(), std::back_inserter(into.stages));
  std::move(r.preflight.begin(), r.preflight.end(), std::back_inserter(into.preflight));
  std::move(r.failures.begin(), r.failures.end(), std::back_inserter(into.failures));
  std::move(r.refusals.begin(), r.refusals.end(), std::back_inserter(into.refusals));
  std::move(r.notes.begin(), r.notes.end(), std::back_inserter(into.notes));
  if (r.outcome != DeployOutcome::ok) into.outcome = r.outcome;
  into.uploaded += r.uploaded;
  into.configs_written += r.configs_written;
  into.started += r.started;
  into.restarted += r.restarted;
  into.kafka_uploaded += r.kafka_uploaded;
  into.kafka_configs_written += r.kafka_configs_written;
  into.kafka_formatted += r.kafka_formatted;
  into.kafka_started += r.kafka_started;
  into.kafka_restarted += r.kafka_restarted;
  if (!r.kafka_cluster_id.empty()) into.kafka_cluster_id = r.kafka_cluster_id;
  into.removals_planned += r.removals_planned;
  into.removed += r.removed;
}

constexpr const char* kOpenAclsText =
    "before and after the roll: Kafka's znodes opened to plaintext clients "
    "(zookeeper-security-migration.sh --zookeeper.acl=unsecure, as the brokers' TLS identity; "
    "/brokers/ids read back open)";

// Kafka's znodes opened (onramp_opens_zk_acls) through the first broker with a session, then
// read back (/brokers/ids must grant world:anyone cdrwa); `when` names the pass in progress and
// errors.
util::Result<void> open_zk_acls(Context& view, const std::string& when) {
  auto tool = first_reachable_broker(view);
  if (!tool) return tool.error();
  const std::string step = "open Kafka's znode ACLs (" + when + ")";
  view.progress().report({tool->node->host, step, runner::EventKind::started, ""});
  const auto paths = render::kafka_paths(*tool->node);
  auto r = remote::run_script(*tool->remote, "kafka/zk-acls-open.sh",
                              remote::scripts::kafka_zk_acls_open,
                              {paths.install_dir, render::kafka_zookeeper_connect(view.cluster()),
                               paths.node_pem, paths.ca_pem},
                              view.command_timeout(*tool->node));
  if (!r) return util::fail(tool->node->host + ": " + step + ": " + r.error().message);
  // The script's read-back line ("acl /brokers/ids: world:anyone:cdrwa") says what was found.
  const auto at = r->out.rfind("acl /");
  const std::string acl =
      at == std::string::npos ? "" : r->out.substr(at, r->out.find('\n', at) - at);
  view.progress().report({tool->node->host, step, runner::EventKind::done, acl});
  return {};
}

// One pass of open_zk_acls inside apply_phases; false (recorded in `report`) when it failed.
bool opened(Context& view, const std::string& when, DeployReport& report) {
  auto o = open_zk_acls(view, when);
  if (o) return true;
  report.outcome = DeployOutcome::failed;
  report.failures.push_back({"", "open Kafka's znode ACLs", o.error().message});
  return false;
}

// One summary stage per phase for plan: what it changes and which nodes restart.
StageSummary phase_summary(const inventory::Cluster& now, const inventory::Cluster& secure_side,
                           const OnrampRoute& route, std::size_t i) {
  const SecurityPhase p = route.steps[i];
  const SecurityPhase from = i == 0 ? route.from : route.steps[i - 1];
  const bool zk = info(p).rolls == NodeKind::zookeeper;
  const std::size_t nodes = zk                    ? now.servers.size()
                            : controllers_only(p) ? now.controllers().size()
                                                  : now.kafka_nodes.size();
  StageSummary s{"security phase " + std::to_string(i + 1) + "/" +
                     std::to_string(route.steps.size()) + ": " + to_string(p),
                 "rolling, one node at a time, gated",
                 {}};
  s.jobs.push_back(phase_change(p));
  if (onramp_opens_zk_acls(secure_side, from, p)) s.jobs.push_back(kOpenAclsText);
  s.jobs.push_back(std::string("restarts: ") + std::to_string(nodes) +
                   (zk                    ? " ZooKeeper servers (leader last)"
                    : controllers_only(p) ? " KRaft controllers (quorum-gated)"
                                          : " Kafka nodes (partition-gated)"));
  return s;
}

// A phase stopped mid-roll leaves its configs written and some nodes not restarted, which a
// deploy cannot tell (no file differs any more): the resumed phase restarts every node of the
// tier it rolls, one at a time behind the tier's gates. False: it stopped (see `report`).
bool roll_resumed(Context& view, NodeKind kind, DeployReport& report) {
  for (auto& tier : tiers_of(view.cluster())) {
    if (tier->kind() != kind) continue;
    std::vector<Component*> left = tier->nodes();
    if (kind != NodeKind::zookeeper) left = tier->restart_order(view, left);
    while (!left.empty()) {
      Component* n = next_in_order(view, *tier, left);
      const std::string step = n->step("restart (resumed phase)");
      util::Result<void> r = runner::stop_requested()
                                 ? util::Result<void>(util::fail(runner::kStepInterrupted))
                                 : tier->restart_one(view, *n);
      if (!r) {
        report.outcome = tier->roll_refused() ? DeployOutcome::refused : DeployOutcome::failed;
        report.failures.push_back({n->host(), step, r.error().message});
        view.progress().report({n->host(), step, runner::EventKind::failed, r.error().message});
        return false;
      }
      view.progress().report(
          {n->host(), step, runner::EventKind::done, tier->ready_text(view, *n)});
      ++(kind == NodeKind::zookeeper ? report.restarted : report.kafka_restarted);
      left.erase(std::find(left.begin(), left.end(), n));
    }
  }
  return true;
}

}  // namespace

const char* to_string(SecurityPhase phase) {
  return info(phase).name;
}

std::optional<SecurityPhase> security_phase_named(const std::string& name) {
  for (const auto& p : kPhases)
    if (name == p.name) return p.phase;
  return std::nullopt;
}

std::string phase_change(SecurityPhase phase) {
  return info(phase).change;
}

std::optional<OnrampRoute> onramp_route(const OnrampFacts& f) {
  if (!f.deployed) return std::nullopt;
  OnrampRoute route;
  route.from =
      f.recorded ? *f.recorded : (f.deployed_tls ? SecurityPhase::secure : SecurityPhase::open);
  route.to = target_of(f, route.from);
  const bool terminal = route.to == SecurityPhase::open || route.to == SecurityPhase::secure;
  if (route.from == route.to && terminal) return std::nullopt;
  const int from = static_cast<int>(route.from);
  const int to = static_cast<int>(route.to);
  if (to > from) {
    for (int p = from + 1; p <= to; ++p)
      if (applies(static_cast<SecurityPhase>(p), f))
        route.steps.push_back(static_cast<SecurityPhase>(p));
  } else {
    for (int p = from - 1; p >= to; --p)
      if (applies(static_cast<SecurityPhase>(p), f))
        route.steps.push_back(static_cast<SecurityPhase>(p));
  }
  return route;
}

inventory::Cluster onramp_view(const inventory::Cluster& now, const inventory::Cluster& secure_side,
                               const inventory::Cluster& open_side, SecurityPhase from,
                               SecurityPhase to) {
  inventory::SecurityOnramp o;
  o.phase = to;
  o.security = secure_side.security;
  for (const auto& n : secure_side.kafka_nodes) {
    o.client_port[n.id] = n.listener_port;
    o.internal_port[n.id] = n.internal_port;
  }
  for (const auto& n : open_side.kafka_nodes) o.plaintext_port[n.id] = n.listener_port;
  for (const auto& n : secure_side.kafka_nodes) {
    if (!n.controller || !secure_side.kafka ||
        secure_side.kafka->mode != inventory::KafkaMode::kraft)
      continue;
    o.controller_port[n.id] = n.controller_port;
    o.controller_transit_port[n.id] = controller_transit_port(n);
  }
  // zkctl's clients use TLS once every node of the roll accepts it: Kafka's INTERNAL exists
  // from kafka-listeners on, ZooKeeper's TLS from zk-unified (plaintext until zk-plaintext-off).
  const SecurityPhase threshold =
      now.kafka_nodes.empty() ? SecurityPhase::zk_quorum_tls : SecurityPhase::kafka_listeners;
  const bool tls_clients = std::min(from, to) >= threshold;
  inventory::Cluster v = now;
  v.security = tls_clients ? secure_side.security : open_side.security;
  // KRaft controllers: zkctl's tools reach them on CONTROLLER_SSL from kafka-listeners until the
  // quorum is back on CONTROLLER (every node has it over TLS from kraft-controller-tls on).
  const bool transit = tls_clients && std::min(from, to) < SecurityPhase::kraft_controller_home;
  for (auto& n : v.kafka_nodes) {
    n.listener_port = tls_clients ? o.client_port[n.id] : o.plaintext_port[n.id];
    n.internal_port = tls_clients ? o.internal_port[n.id] : 0;
    auto t = o.controller_transit_port.find(n.id);
    if (transit && t != o.controller_transit_port.end()) n.controller_port = t->second;
  }
  v.onramp = std::move(o);
  // The loader's rule for a view whose zoo.cfg has TLS (seen on the lab: going back to open, the
  // view of the open inventory kept the provider's port, named the missing jar and ZooKeeper's
  // JVM did not start).
  const auto tls =
      render::zookeeper_tls_rendered(v) ? inventory::ZooCfgTls::yes : inventory::ZooCfgTls::no;
  if (!inventory::zookeeper_serves_metrics(v.metrics, tls))
    for (auto& s : v.servers) s.metrics_port = 0;
  return v;
}

int controller_transit_port(const inventory::KafkaNode& node) {
  return node.controller_port + kTransitPortOffset;
}

std::vector<std::string> onramp_refusals(const inventory::Cluster& secure_side,
                                         const inventory::Cluster& open_side) {
  std::vector<std::string> out;
  if (secure_side.servers.size() != open_side.servers.size() ||
      secure_side.kafka_nodes.size() != open_side.kafka_nodes.size()) {
    out.push_back(
        "security on-ramp: the nodes changed too; add or remove nodes in a deploy of "
        "their own, before or after");
    return out;
  }
  for (const auto& n : secure_side.kafka_nodes) {
    const auto it = std::find_if(open_side.kafka_nodes.begin(), open_side.kafka_nodes.end(),
                                 [&](const auto& o) { return o.id == n.id; });
    if (it == open_side.kafka_nodes.end()) {
      out.push_back("security on-ramp: Kafka node " + std::to_string(n.id) + " (" + n.host +
                    ") is new; add it in a deploy of its own");
    } else if (it->listener_port == n.listener_port || it->listener_port == n.internal_port) {
      out.push_back("security on-ramp: " + n.host + ": PLAINTEXT stays on port " +
                    std::to_string(it->listener_port) +
                    " while clients move, so the secure listener_port and internal_port need "
                    "other ports");
    } else if (n.controller && secure_side.kafka &&
               secure_side.kafka->mode == inventory::KafkaMode::kraft) {
      controller_refusals(secure_side, *it, n, out);
    }
  }
  return out;
}

bool onramp_opens_zk_acls(const inventory::Cluster& secure_side, SecurityPhase from,
                          SecurityPhase to) {
  return from == SecurityPhase::kafka_internal && to == SecurityPhase::kafka_listeners &&
         secure_side.security.authorization && secure_side.kafka &&
         secure_side.kafka->mode == inventory::KafkaMode::zookeeper && !secure_side.servers.empty();
}

std::set<std::string> controller_listener_names(SecurityPhase phase) {
  const bool transit =
      phase >= SecurityPhase::kafka_listeners && phase <= SecurityPhase::kraft_controller_home;
  if (transit) return {"CONTROLLER", "CONTROLLER_SSL"};
  return {"CONTROLLER"};
}

std::map<int, std::set<std::string>> voter_listener_names(const std::string& status) {
  std::map<int, std::set<std::string>> out;
  const auto members = parse_quorum_members(status);
  if (!members) return out;
  for (const auto& v : members->voters) {
    if (v.bare) continue;     // a static quorum's ids: no endpoints
    auto& names = out[v.id];  // a voter without endpoints publishes none
    for (const auto& endpoint : v.endpoints) {
      const auto sep = endpoint.find("://");
      if (sep == std::string::npos || sep == 0) return {};
      names.insert(endpoint.substr(0, sep));
    }
  }
  return out;
}

std::map<int, int> kept_plaintext_ports(const std::string& name) {
  const Record r = read_record(name);
  if (!r.phase) return {};
  // While a phase rolls, a node may serve either side of it: the lower one counts.
  SecurityPhase p = *r.phase;
  if (r.rolling_to && *r.rolling_to < p) p = *r.rolling_to;
  const bool kept = p >= SecurityPhase::kafka_listeners && p < SecurityPhase::secure;
  return kept ? r.plaintext_ports : std::map<int, int>{};
}

std::string onramp_unfinished(const std::string& name) {
  const Record r = read_record(name);
  if (!r.phase) return "";
  if (r.rolling_to) return std::string(to_string(*r.phase)) + " -> " + to_string(*r.rolling_to);
  const bool terminal = *r.phase == SecurityPhase::open || *r.phase == SecurityPhase::secure;
  return terminal ? "" : to_string(*r.phase);
}

namespace {

// The clusters one on-ramp deploy works between.
struct Sides {
  const inventory::Cluster& now;     // the inventory
  const inventory::Cluster& secure;  // the secure one: the inventory, or the one recorded
  inventory::Cluster open;           // the open one, PLAINTEXT on the recorded ports
};

// plan: every phase's summary, then the first phase's stages (changing nothing).
void plan_phases(Context& ctx, const Sides& s, const OnrampRoute& route, DeployMode mode,
                 Force force, DeployReport& report) {
  for (std::size_t i = 0; i < route.steps.size(); ++i)
    report.stages.push_back(phase_summary(s.now, s.secure, route, i));
  const SecurityPhase first = route.steps.empty() ? route.from : route.steps.front();
  const inventory::Cluster view = onramp_view(s.now, s.secure, s.open, route.from, first);
  Context view_ctx(view, ctx);
  DeployReport inner = deploy(view_ctx, mode, force);
  for (auto& st : inner.stages) st.name = std::string(to_string(first)) + ": " + st.name;
  merge(report, std::move(inner));
}

// What the voters in `voters` (voter_listener_names) still lack of `wanted`, as a wait's why
// (stable across polls while nothing changes); empty when each voter publishes `wanted`.
std::string voters_waited_for(const std::map<int, std::set<std::string>>& voters,
                              const std::set<std::string>& wanted) {
  const auto names = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& n : s) out += (out.empty() ? "" : ",") + n;
    return out.empty() ? std::string("none") : out;
  };
  if (voters.empty()) return "waiting for the voters' endpoints in describe --status (none listed)";
  std::string off;
  for (const auto& [id, published] : voters)
    if (published != wanted)
      off += (off.empty() ? "" : ", ") + std::to_string(id) + " (" + names(published) + ")";
  return off.empty() ? "" : "waiting for voters to publish " + names(wanted) + ": " + off;
}

// After a KRaft phase that changed what the controllers listen on: every voter published those
// listeners to the quorum (each does as a follower a few fetch timeouts after it starts,
// KIP-853), so the next phase may make one of them the quorum's. Polled as the roll's gates are
// (poll_gate: --wait-timeout, each new wait shown as progress); a stop request ends it.
util::Result<void> await_voter_listeners(Context& view, SecurityPhase p) {
  const std::set<std::string> wanted = controller_listener_names(p);
  const AdminScript s{"kafka-metadata-quorum.sh",
                      remote::scripts::kafka_quorum,
                      kafka_access(view.cluster()).bootstrap,
                      {}};
  const std::string step = "security phase " + std::string(to_string(p)) + ": voters' listeners";
  std::string last;  // the last answer: the tool's output or why it gave none
  auto verdict = poll_gate(view, "", step, GatePhase::after, [&] {
    if (runner::stop_requested())
      return GateVerdict{GateVerdict::Kind::refuse, runner::kStepInterrupted};
    auto text = run_admin_script_on_first(view, s, "controller quorum");
    if (!text) {
      last = text.error().message;
      return GateVerdict{GateVerdict::Kind::wait, "waiting for the controller quorum: " + last};
    }
    last = *text;
    const std::string why = voters_waited_for(voter_listener_names(*text), wanted);
    return why.empty() ? GateVerdict{GateVerdict::Kind::go, ""}
                       : GateVerdict{GateVerdict::Kind::wait, why};
  });
  const std::string failed = std::string("the controller quorum's voters did not all publish ") +
                             "the listeners of " + to_string(p) + ": ";
  if (!verdict) return util::fail(failed + verdict.error().message + "; last answer: " + last);
  if (verdict->kind == GateVerdict::Kind::refuse) return util::fail(failed + verdict->why);
  return {};
}

// Whether `c` is Kafka in KRaft mode with controllers.
bool kraft_controllers(const inventory::Cluster& c) {
  return c.kafka && c.kafka->mode == inventory::KafkaMode::kraft && !c.controllers().empty();
}

// Whether the controllers publish other listeners after rolling from `from` into `to`.
// A static quorum (kraft.version 0) keeps no endpoints: nothing to wait for.
bool voter_listeners_change(const inventory::Cluster& c, SecurityPhase from, SecurityPhase to) {
  return kraft_controllers(c) && recorded_quorum(c.name).kind == QuorumKind::dynamic &&
         controller_listener_names(from) != controller_listener_names(to);
}

// Roll into each phase of `route` in turn, recording before and after each; stops at the first
// that fails or a stop request. A transitional phase kept (no step) is deployed as it is.
void apply_phases(Context& ctx, const Sides& s, const OnrampRoute& route, Record rec, Force force,
                  DeployReport& report) {
  SecurityPhase at = route.from;
  // An interrupted deploy was rolling into the first phase: it is resumed.
  const bool resuming =
      rec.rolling_to && !route.steps.empty() && *rec.rolling_to == route.steps.front();
  for (const SecurityPhase p : route.steps) {
    if (runner::stop_requested()) break;
    rec.phase = at;
    rec.rolling_to = p;
    if (auto w = write_record(s.now.name, rec); !w) report.notes.push_back(w.error().message);
    ctx.progress().report({"", "security phase", runner::EventKind::progress,
                           std::string(to_string(p)) + ": " + phase_change(p)});
    const inventory::Cluster view = onramp_view(s.now, s.secure, s.open, at, p);
    Context view_ctx(view, ctx);
    // Brokers leaving TLS to ZooKeeper: their znodes opened first, and again after the roll
    // for those the brokers still on TLS created meanwhile.
    const bool open_acls = onramp_opens_zk_acls(s.secure, at, p);
    if (open_acls && !opened(view_ctx, "before the roll", report)) return;
    DeployReport r = deploy(view_ctx, DeployMode::apply, force);
    if (r.outcome == DeployOutcome::ok && resuming && p == route.steps.front())
      roll_resumed(view_ctx, info(p).rolls, r);
    if (r.outcome == DeployOutcome::ok && voter_listeners_change(s.now, at, p)) {
      if (auto g = await_voter_listeners(view_ctx, p); !g) {
        r.outcome = DeployOutcome::failed;
        r.failures.push_back(
            {"", "security phase " + std::string(to_string(p)), g.error().message});
      }
    }
    if (r.outcome == DeployOutcome::ok && open_acls) opened(view_ctx, "after the roll", r);
    const bool ok = r.outcome == DeployOutcome::ok;
    report.notes.push_back(std::string("security phase ") + to_string(p) + ": " +
                           (ok ? "done" : "stopped") + ", " +
                           std::to_string(r.restarted + r.kafka_restarted) + " restart(s)");
    merge(report, std::move(r));
    if (!ok) return;
    at = p;
    rec.phase = at;
    rec.rolling_to.reset();
    if (auto w = write_record(s.now.name, rec); !w) report.notes.push_back(w.error().message);
  }
  if (route.steps.empty()) {
    const inventory::Cluster view = onramp_view(s.now, s.secure, s.open, at, at);
    Context view_ctx(view, ctx);
    merge(report, deploy(view_ctx, DeployMode::apply, force));
  }
}

}  // namespace

std::optional<DeployReport> deploy_onramp(Context& ctx, DeployMode mode, Force force) {
  const inventory::Cluster& now = ctx.cluster();
  if (now.onramp) return std::nullopt;
  const auto prev = recorded_inventory(now.name);
  Record rec = read_record(now.name);
  OnrampFacts f;
  f.recorded = rec.phase;
  f.deployed = prev.has_value();
  f.deployed_tls = prev && prev->security.tls;
  f.inventory_tls = now.security.tls;
  f.zookeeper = !now.servers.empty();
  f.kafka = !now.kafka_nodes.empty();
  f.kraft = kraft_controllers(now);
  f.drop_plaintext = ctx.options().drop_plaintext;
  const auto route = onramp_route(f);
  if (!route) return std::nullopt;

  if (rec.plaintext_ports.empty()) {
    const inventory::Cluster& open_one = !prev->security.tls ? *prev : now;
    for (const auto& n : open_one.kafka_nodes) rec.plaintext_ports[n.id] = n.listener_port;
  }
  const Sides sides{now, now.security.tls ? now : *prev, open_side_of(now, rec.plaintext_ports)};
  DeployReport report;
  auto refusals = onramp_refusals(sides.secure, sides.open);
  if (!refusals.empty()) {
    report.refusals = std::move(refusals);
    report.outcome = DeployOutcome::refused;
    return report;
  }
  const bool kept = route->to == SecurityPhase::zk_plaintext_off ||
                    route->to == SecurityPhase::kafka_internal ||
                    route->to == SecurityPhase::kraft_transit_off;
  report.notes.push_back(
      std::string("security on-ramp: ") + to_string(route->from) + " -> " + to_string(route->to) +
      ", " + std::to_string(route->steps.size()) + " phase(s)" +
      (kept ? "; Kafka's PLAINTEXT kept (deploy --drop-plaintext drops it)" : ""));
  if (mode != DeployMode::apply)
    plan_phases(ctx, sides, *route, mode, force, report);
  else
    apply_phases(ctx, sides, *route, std::move(rec), force, report);
  return report;
}

}  // namespace zkctl::ops
