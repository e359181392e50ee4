#include "ops/security/onramp.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "inventory/load.hpp"
#include "ops/cluster/state.hpp"
#include "ops/kafka/admin_tool.hpp"
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

constexpr std::array<PhaseInfo, 7> kPhases = {{
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
  return info(p).rolls == NodeKind::zookeeper ? f.zookeeper : f.kafka;
}

SecurityPhase target_of(const OnrampFacts& f, SecurityPhase from) {
  if (!f.inventory_tls) return SecurityPhase::open;
  if (!f.kafka || f.drop_plaintext == DropPlaintext::yes || from == SecurityPhase::secure)
    return SecurityPhase::secure;
  return f.zookeeper ? SecurityPhase::zk_plaintext_off : SecurityPhase::kafka_internal;
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
    "(zookeeper-security-migration.sh --zookeeper.acl=unsecure, as the brokers' TLS identity)";

// Kafka's znodes opened (onramp_opens_zk_acls) through the first broker with a session; `when`
// names the pass in progress and errors.
util::Result<void> open_zk_acls(Context& view, const std::string& when) {
  auto tool = first_reachable_broker(view);
  if (!tool) return tool.error();
  const std::string step = "open Kafka's znode ACLs (" + when + ")";
  view.progress().report({tool->node->host, step, runner::EventKind::started, ""});
  const auto paths = render::kafka_paths(*tool->node);
  auto r = remote::run_script(*tool->remote, "zookeeper-security-migration.sh",
                              remote::scripts::kafka_zk_acls_open,
                              {paths.install_dir, render::kafka_zookeeper_connect(view.cluster()),
                               paths.node_pem, paths.ca_pem},
                              view.command_timeout(*tool->node));
  if (!r) return util::fail(tool->node->host + ": " + step + ": " + r.error().message);
  view.progress().report({tool->node->host, step, runner::EventKind::done, ""});
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
  const std::size_t nodes = zk ? now.servers.size() : now.kafka_nodes.size();
  StageSummary s{"security phase " + std::to_string(i + 1) + "/" +
                     std::to_string(route.steps.size()) + ": " + to_string(p),
                 "rolling, one node at a time, gated",
                 {}};
  s.jobs.push_back(phase_change(p));
  if (onramp_opens_zk_acls(secure_side, from, p)) s.jobs.push_back(kOpenAclsText);
  s.jobs.push_back(std::string("restarts: ") + std::to_string(nodes) +
                   (zk ? " ZooKeeper servers (leader last)" : " Kafka nodes (partition-gated)"));
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
  // zkctl's clients use TLS once every node of the roll accepts it: Kafka's INTERNAL exists
  // from kafka-listeners on, ZooKeeper's TLS from zk-unified (plaintext until zk-plaintext-off).
  const SecurityPhase threshold =
      now.kafka_nodes.empty() ? SecurityPhase::zk_quorum_tls : SecurityPhase::kafka_listeners;
  const bool tls_clients = std::min(from, to) >= threshold;
  inventory::Cluster v = now;
  v.security = tls_clients ? secure_side.security : open_side.security;
  for (auto& n : v.kafka_nodes) {
    n.listener_port = tls_clients ? o.client_port[n.id] : o.plaintext_port[n.id];
    n.internal_port = tls_clients ? o.internal_port[n.id] : 0;
  }
  v.onramp = std::move(o);
  // The loader gives a TLS cluster's ZooKeeper servers a metrics port only with the agent's jar
  // (ZooKeeper's own provider has no TLS); the same for a view whose zoo.cfg has TLS (seen on
  // the lab: going back to open, the view of the open inventory named the missing jar and
  // ZooKeeper's JVM did not start).
  if (render::zookeeper_tls_rendered(v) && v.metrics.kafka_agent.empty())
    for (auto& s : v.servers) s.metrics_port = 0;
  return v;
}

std::vector<std::string> onramp_refusals(const inventory::Cluster& secure_side,
                                         const inventory::Cluster& open_side) {
  std::vector<std::string> out;
  if (secure_side.kafka && secure_side.kafka->mode == inventory::KafkaMode::kraft &&
      !secure_side.controllers().empty()) {
    // Not verified on the lab: a controller rolled onto CONTROLLER:SSL cannot reach the
    // others (still PLAINTEXT) until they follow, so the roll's gates would stall.
    out.push_back(
        "security on-ramp: a KRaft cluster's CONTROLLER listener cannot change protocol in a "
        "roll yet (its controllers would lose each other midway); deploy it secure afresh");
    return out;
  }
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

std::map<int, int> kept_plaintext_ports(const std::string& name) {
  const Record r = read_record(name);
  if (!r.phase) return {};
  // While a phase rolls, a node may serve either side of it: the lower one counts.
  SecurityPhase p = *r.phase;
  if (r.rolling_to && *r.rolling_to < p) p = *r.rolling_to;
  const bool kept = p >= SecurityPhase::kafka_listeners && p < SecurityPhase::secure;
  return kept ? r.plaintext_ports : std::map<int, int>{};
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
  const bool kept =
      route->to == SecurityPhase::zk_plaintext_off || route->to == SecurityPhase::kafka_internal;
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
