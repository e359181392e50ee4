#include "ops/security/ca_rotate.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ops/host/checksum.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/node.hpp"
#include "ops/zookeeper/server.hpp"
#include "probe/ask.hpp"
#include "probe/kafka_client.hpp"
#include "runner/interrupt.hpp"
#include "util/file.hpp"

namespace zkctl::ops {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr auto kGateTime = std::chrono::seconds(60);
constexpr auto kProbeTimeout = std::chrono::milliseconds(5000);

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool holds(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Why a TLS handshake with `tls` to `w`'s port fails (ZooKeeper: srvr on the client port;
// a broker: metadata from its INTERNAL listener); "" when it succeeds.
std::string tls_problem(Context& ctx, const RotationWork& w, const probe::ClientTls& tls) {
  if (const auto* z = dynamic_cast<const ZooKeeperServer*>(w.node)) {
    auto a = probe::ask_tcp(z->host(), z->node().ports.client, "srvr", kProbeTimeout, tls);
    return a ? "" : a.error().message;
  }
  if (const auto* k = dynamic_cast<const KafkaComponent*>(w.node)) {
    if (!k->node().broker) return "";  // a controller: its roll's gates checked it
    probe::KafkaAccess access = kafka_access(ctx.cluster(), &k->node());
    access.tls = tls;
    auto m = probe::kafka_metadata(access, kProbeTimeout);
    return m ? "" : m.error().message;
  }
  return "";  // the monitoring daemons: not a cluster link
}

// Every node's TLS port accepts `tls` (retried while reloads settle, up to kGateTime).
util::Result<void> gate(Context& ctx, const std::vector<RotationWork>& work,
                        const probe::ClientTls& tls, const std::string& what) {
  const auto deadline = Clock::now() + kGateTime;
  for (;;) {
    std::vector<std::string> problems(work.size());
    runner::parallel_for(work.size(), std::max(1, ctx.options().parallel),
                         [&](std::size_t i) { problems[i] = tls_problem(ctx, work[i], tls); });
    std::string first;
    for (std::size_t i = 0; i < work.size() && first.empty(); ++i)
      if (!problems[i].empty()) first = work[i].node->label() + ": " + problems[i];
    if (first.empty()) return {};
    if (Clock::now() > deadline || runner::stop_requested())
      return util::fail("gate (" + what + "): " + first);
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

// A client identity the new CA issued (zkctl-admin's subject), kept as ca-probe.* beside the
// rotation's files: trust-both's gate presents it to prove every node trusts the new CA.
util::Result<probe::ClientTls> new_ca_probe(const inventory::Cluster& cluster) {
  const fs::path dir = pki_dir(cluster.name);
  const auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  };
  auto made = pki::issue({slurp(dir / "ca-next.crt"), slurp(dir / "ca-next.key")},
                         {kAdminIdentity, cluster.name}, {}, cluster.security.key_type, 2);
  if (!made) return made.error();
  // Served as reissue will: the leaf, then the new CA cross-signed by the old one.
  const std::string end = "-----END CERTIFICATE-----\n";
  made->cert =
      made->cert.substr(0, made->cert.find(end) + end.size()) + slurp(dir / "ca-cross.crt");
  if (auto r = util::write_file_atomically((dir / "ca-probe.key").string(), made->key, 0600); !r)
    return r.error();
  if (auto r = util::write_file_atomically((dir / "ca-probe.crt").string(), made->cert, 0600); !r)
    return r.error();
  return probe::ClientTls{(dir / "ca-trust.crt").string(), (dir / "ca-probe.crt").string(),
                          (dir / "ca-probe.key").string()};
}

// The gates after `phase`: who must be able to connect to every node now.
util::Result<void> phase_gates(Context& ctx, const std::vector<RotationWork>& work, CaPhase phase) {
  const inventory::Cluster& cluster = ctx.cluster();
  const fs::path dir = pki_dir(cluster.name);
  probe::ClientTls admin = zkctl_client_tls(cluster);
  if (auto r = gate(ctx, work, admin, "zkctl's own client"); !r) return r;
  if (phase == CaPhase::trust_both) {
    auto probe = new_ca_probe(cluster);
    if (!probe) return probe.error();
    auto r = gate(ctx, work, *probe, "a client certificate of the new CA");
    std::error_code ec;
    fs::remove(dir / "ca-probe.crt", ec);
    fs::remove(dir / "ca-probe.key", ec);
    return r;
  }
  if (phase == CaPhase::reissue) {
    probe::ClientTls old_only = admin;
    old_only.ca_file = (dir / "ca.crt").string();  // still the old CA in this phase
    if (auto r = gate(ctx, work, old_only, "a client trusting only the old CA"); !r) return r;
    probe::ClientTls new_only = admin;
    new_only.ca_file = (dir / "ca-next.crt").string();
    return gate(ctx, work, new_only, "a client trusting only the new CA");
  }
  return {};
}

void step_event(Context& ctx, const Component& n, const std::string& step, runner::EventKind kind,
                const std::string& detail) {
  ctx.progress().report({n.host(), n.step(step), kind, detail});
}

// Render and inspect every node under the phase's view; push what changed and have each node
// pick it up (nodes the record lists pick up again only when their files changed).
util::Result<void> roll_phase(Context& ctx, std::vector<std::unique_ptr<Tier>>& tiers,
                              std::vector<RotationWork>& work, CaRecord& rec, CaPhaseRun& run) {
  auto problems = survey_rotation(ctx, work);
  if (!problems.empty()) return util::fail(problems.front());
  const std::string step = std::string("ca ") + to_string(rec.phase);
  std::vector<std::string> errors(work.size());
  std::vector<char> changed(work.size(), 0);
  runner::parallel_for(work.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    RotationWork& w = work[i];
    const auto& held = w.node->facts().file_sha256;
    for (const auto& f : w.files)
      if (is_tls_file(f) && (!held.contains(f.path) || held.at(f.path) != sha256_hex(f.content)))
        changed[i] = 1;
    if (!changed[i] && holds(rec.nodes_done, w.node->label())) return;
    step_event(ctx, *w.node, step, runner::EventKind::started, "");
    auto r = push_and_reload(ctx, w, PushWhat::changed);
    errors[i] = r ? "" : r.error().message;
    step_event(ctx, *w.node, step, r ? runner::EventKind::done : runner::EventKind::failed,
               r ? (w.pickup.how == Pickup::How::reload ? "reloaded" : "pushed") : errors[i]);
  });
  std::string failed;
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (!errors[i].empty()) {
      if (failed.empty()) failed = work[i].node->label() + ": " + errors[i];
      continue;
    }
    const bool again = changed[i] || !holds(rec.nodes_done, work[i].node->label());
    if (work[i].pickup.how == Pickup::How::reload && again) {
      ++run.reloaded;
      if (!holds(rec.nodes_done, work[i].node->label()))
        rec.nodes_done.push_back(work[i].node->label());
    }
  }
  if (auto w = write_ca_record(ctx.cluster().name, rec); !w) return w;
  if (!failed.empty()) return util::fail(failed);
  RotateReport restarts;
  restart_where_needed(ctx, tiers, work, restarts, [&](const RotationWork& w) {
    const auto i = static_cast<std::size_t>(&w - work.data());
    return changed[i] || !holds(rec.nodes_done, w.node->label());
  });
  run.restarted += restarts.restarted;  // drop-old rolls twice
  for (const auto& w : work)
    if (w.pickup.how == Pickup::How::restart && !holds(rec.nodes_done, w.node->label()))
      rec.nodes_done.push_back(w.node->label());
  if (!restarts.failures.empty()) {
    // Which restarted is not known per node here: the next run restarts them again.
    for (const auto& w : work)
      if (w.pickup.how == Pickup::How::restart)
        rec.nodes_done.erase(
            std::remove(rec.nodes_done.begin(), rec.nodes_done.end(), w.node->label()),
            rec.nodes_done.end());
    (void)write_ca_record(ctx.cluster().name, rec);
    const auto& f = restarts.failures.front();
    return util::fail(f.host + ": " + f.failed_step + ": " + f.error);
  }
  if (runner::stop_requested()) return util::fail("interrupted; run it again to resume");
  return write_ca_record(ctx.cluster().name, rec);
}

// The client certificates client-config issued (pki/user-<name>.crt): reissued by the new CA
// in reissue, their chains rewritten in drop-old, like the nodes'.
util::Result<void> reissue_users(ClusterPki& pki, const std::string& cluster) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pki_dir(cluster), ec)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("user-") || !name.ends_with(".crt") || !e.is_regular_file()) continue;
    auto r = pki.user_certificate(name.substr(5, name.size() - 9));
    if (!r) return r.error();
  }
  return {};
}

// One phase: the pki dir made ready, recorded as begun, rolled, gated, recorded as done.
util::Result<void> run_phase(Context& ctx, std::vector<std::unique_ptr<Tier>>& tiers,
                             std::vector<RotationWork>& work,
                             const std::optional<CaRecord>& recorded, CaPhaseRun& run) {
  const auto t0 = Clock::now();
  const inventory::Cluster& cluster = ctx.cluster();
  if (auto r = enter_ca_phase(cluster.name, run.phase, cluster.security.key_type); !r) return r;
  CaRecord rec =
      recorded && recorded->phase == run.phase ? *recorded : CaRecord{run.phase, false, {}};
  rec.done = false;
  if (auto r = write_ca_record(cluster.name, rec); !r) return r;
  auto pki = ctx.pki();
  if (!pki) return pki.error();
  if (auto r = (*pki)->refresh(); !r) return r;
  if (auto r = (*pki)->ensure_admin(); !r) return r;
  if (auto r = reissue_users(**pki, cluster.name); !r) return r;
  if (auto r = roll_phase(ctx, tiers, work, rec, run); !r) return r;
  if (auto r = phase_gates(ctx, work, run.phase); !r) return r;
  if (run.phase == CaPhase::drop_old && ca_cross_served(cluster.name)) {
    // Every node trusts the new CA alone now: the chains drop the cross-signed certificate.
    if (auto r = drop_ca_cross(cluster.name); !r) return r;
    rec.nodes_done.clear();
    if (auto r = write_ca_record(cluster.name, rec); !r) return r;
    if (auto r = (*pki)->refresh(); !r) return r;
    if (auto r = (*pki)->ensure_admin(); !r) return r;
    if (auto r = reissue_users(**pki, cluster.name); !r) return r;
    if (auto r = roll_phase(ctx, tiers, work, rec, run); !r) return r;
    if (auto r = phase_gates(ctx, work, run.phase); !r) return r;
  }
  rec.done = true;
  run.seconds = since(t0);
  return write_ca_record(cluster.name, rec);
}

std::vector<std::string> refusals_of(const inventory::Cluster& cluster) {
  if (!cluster.security.tls) return {"cluster " + cluster.name + " has no TLS: no CA to rotate"};
  if (!cluster.security.ca_cert.empty())
    return {"cluster " + cluster.name + " uses the operator's CA (" + cluster.security.ca_cert +
            "): zkctl rotates only its own CA. Bring the new CA yourself: issue it, make every "
            "node trust both (ca_cert holding both certificates is not supported yet)"};
  return {};
}

// Where the record leaves off: the index of the first phase to run (3: only finishing).
std::size_t first_phase(const std::optional<CaRecord>& rec) {
  if (!rec) return 0;
  const auto i = static_cast<std::size_t>(rec->phase);
  return rec->done ? i + 1 : i;
}

}  // namespace

CaRotateReport rotate_ca(Context& ctx, const CaRotateOptions& options) {
  CaRotateReport report;
  const auto t0 = Clock::now();
  const inventory::Cluster& cluster = ctx.cluster();
  report.refusals = refusals_of(cluster);
  auto recorded = read_ca_record(cluster.name);
  if (!recorded) report.refusals.push_back(recorded.error().message);
  if (!report.refusals.empty()) return report;
  const std::size_t first = first_phase(*recorded);
  const std::size_t last =
      options.until ? static_cast<std::size_t>(*options.until) : std::size(kCaPhases) - 1;
  for (std::size_t i = 0; i < std::size(kCaPhases); ++i) {
    CaPhaseRun run;
    run.phase = kCaPhases[i];
    run.state = i < first ? "done before" : i > last ? "not reached" : "to run";
    if (i == first && *recorded && !(*recorded)->done) run.state = "resumed";
    report.phases.push_back(run);
  }
  auto tiers = tiers_of(cluster);
  auto work = rotation_work(cluster, tiers);
  report.refusals = survey_rotation(ctx, work);
  std::vector<int> pids_before;
  for (const auto& w : work) pids_before.push_back(w.pid.value_or(0));
  const auto record_nodes = [&] {
    for (std::size_t i = 0; i < work.size(); ++i)
      report.nodes.push_back({work[i].node->label(), to_string(work[i].node->kind()),
                              work[i].pickup, pids_before[i], 0});
  };
  if (!report.refusals.empty() || options.mode == RotateMode::dry_run) {
    record_nodes();
    return report;
  }
  for (std::size_t i = first; i <= last && i < std::size(kCaPhases); ++i) {
    CaPhaseRun& run = report.phases[i];
    auto r = run_phase(ctx, tiers, work, *recorded, run);
    run.state = r ? "done" : "failed";
    if (!r) {
      report.failures.push_back({"", std::string("ca ") + to_string(run.phase), r.error().message});
      break;
    }
    if (runner::stop_requested()) break;
  }
  const bool dropped =
      !report.failed() && last + 1 >= std::size(kCaPhases) && !runner::stop_requested();
  if (dropped) {
    if (auto r = finish_ca_rotation(cluster.name); !r)
      report.failures.push_back({"", "ca finish", r.error().message});
    else
      report.finished = true;
  }
  record_nodes();
  for (std::size_t i = 0; i < work.size(); ++i) {
    Connection& c = work[i].node->connection(ctx);
    if (!c.remote) continue;
    if (auto p = work[i].node->pid(*c.remote, work[i].node->timeout(ctx)); p && *p)
      report.nodes[i].pid_after = **p;
  }
  report.seconds = since(t0);
  return report;
}

}  // namespace zkctl::ops
