#include "ops/security/rotate.hpp"

#include <chrono>
#include <filesystem>

#include "ops/host/checksum.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/node.hpp"
#include "ops/zookeeper/server.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "render/metrics.hpp"
#include "runner/interrupt.hpp"

namespace zkctl::ops {

namespace {

using Work = RotationWork;

void step_event(Context& ctx, const Component& n, const char* step, runner::EventKind kind,
                const std::string& detail) {
  ctx.progress().report({n.host(), n.step(step), kind, detail});
}

const char* identity_of(const Component& c) {
  return c.kind() == NodeKind::zookeeper ? kZooKeeperIdentity : kKafkaIdentity;
}

// Retire the kept certificate `stem` of the cluster's store (renamed <stem>.crt.retired, the
// key left), so the store issues a new one on its next use; absent is not an error.
util::Result<void> retire(const std::string& cluster, const std::string& stem) {
  namespace fs = std::filesystem;
  const fs::path dir = pki_dir(cluster);
  const fs::path from = dir / (stem + ".crt");
  std::error_code ec;
  const auto st = fs::symlink_status(from, ec);
  if (st.type() == fs::file_type::not_found) return {};
  if (st.type() != fs::file_type::regular)
    return util::fail(from.string() + ": not a regular file");
  fs::rename(from, dir / (stem + ".crt.retired"), ec);
  if (ec) return util::fail(from.string() + ": " + ec.message());
  return {};
}

Pickup pickup_of(const inventory::Cluster& cluster, const Component& c,
                 const DistVersion& version) {
  if (const auto* k = dynamic_cast<const KafkaComponent*>(&c)) {
    const Pickup p = kafka_pickup(k->node());
    const bool agent =
        cluster.security.tls && !render::kafka_agent_opts(cluster, k->node()).empty();
    return agent ? with_https_metrics_agent(p) : p;
  }
  if (c.kind() == NodeKind::host_agent || c.kind() == NodeKind::prometheus)
    return {Pickup::How::reload,
            "re-reads its TLS files (Prometheus on SIGHUP, the host agent at each handshake)"};
  const Pickup p = zookeeper_pickup(version);
  const auto* z = dynamic_cast<const ZooKeeperServer*>(&c);
  const bool agent =
      z && render::zk_metrics_source(cluster, z->node()) == render::ZkMetricsSource::agent;
  return agent ? with_https_metrics_agent(p) : p;
}

}  // namespace

bool is_tls_file(const render::RenderedFile& f) {
  return f.path.ends_with(".pem");
}

std::vector<RotationWork> rotation_work(const inventory::Cluster& cluster,
                                        std::vector<std::unique_ptr<Tier>>& tiers) {
  std::vector<Work> work;
  for (auto& tier : tiers) {
    DistVersion version;
    if (auto v = distribution_version(tier->distribution(), tier->product()); v) version = *v;
    for (Component* n : tier->nodes())
      work.push_back({n, tier.get(), {}, pickup_of(cluster, *n, version), std::nullopt});
  }
  return work;
}

std::vector<std::string> survey_rotation(Context& ctx, std::vector<RotationWork>& work) {
  std::vector<std::string> problems(work.size());
  runner::parallel_for(work.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    Work& w = work[i];
    Connection& c = w.node->connection(ctx);
    auto files = w.node->render(ctx);
    if (!c.remote || !files) {
      problems[i] = w.node->label() + ": " + (c.remote ? files.error().message : c.error);
      return;
    }
    w.files = std::move(*files);
    if (auto r = w.node->inspect(*c.remote, w.files, w.node->timeout(ctx)); !r) {
      problems[i] = w.node->label() + ": " + r.error().message;
      return;
    }
    const CommonFacts& f = w.node->facts();
    w.pid = f.pid;
    if (!f.pid) problems[i] = w.node->label() + ": does not run (start it, or deploy, first)";
    for (const auto& file : w.files) {
      auto it = f.file_sha256.find(file.path);
      if (is_tls_file(file) ||
          (it != f.file_sha256.end() && it->second == sha256_hex(file.content)))
        continue;
      problems[i] = w.node->label() + ": " + file.path +
                    " differs from the inventory's; run deploy first, then rotate";
      break;
    }
  });
  std::vector<std::string> out;
  for (auto& p : problems)
    if (!p.empty()) out.push_back(std::move(p));
  return out;
}

namespace {

// Reissue every node's certificate and zkctl's admin one, then render the new files.
util::Result<void> reissue(Context& ctx, std::vector<Work>& work) {
  auto pki = ctx.pki();
  if (!pki) return pki.error();
  const std::string& cluster = ctx.cluster().name;
  for (const auto& w : work) {
    // The store's file stem of a node's certificate (ops/security/cluster_pki.cpp).
    const auto stem = std::string(identity_of(*w.node)) + "-" + w.node->host() + "-" +
                      std::to_string(w.node->id());
    if (auto r = retire(cluster, stem); !r) return r;
  }
  if (auto r = retire(cluster, kAdminIdentity); !r) return r;
  if (auto r = (*pki)->ensure_admin(); !r) return r;
  for (auto& w : work) {
    auto files = w.node->render(ctx);
    if (!files) return util::fail(w.node->label() + ": " + files.error().message);
    w.files = std::move(*files);
  }
  return {};
}

}  // namespace

util::Result<void> push_and_reload(Context& ctx, RotationWork& w, PushWhat what) {
  Connection& c = w.node->connection(ctx);
  if (!c.remote) return util::fail(c.error);
  std::vector<const render::RenderedFile*> changed;
  const auto& held = w.node->facts().file_sha256;
  for (const auto& f : w.files) {
    if (!is_tls_file(f)) continue;
    auto it = held.find(f.path);
    if (what == PushWhat::all || it == held.end() || it->second != sha256_hex(f.content))
      changed.push_back(&f);
  }
  if (!changed.empty())
    if (auto r = w.node->configure(*c.remote, w.files, changed, w.node->timeout(ctx)); !r) return r;
  const auto* k = dynamic_cast<const KafkaComponent*>(w.node);
  if (k == nullptr || w.pickup.how != Pickup::How::reload) return {};
  const auto& node = k->node();
  const auto paths = render::kafka_paths(node);
  std::vector<std::string> args = {paths.install_dir,
                                   kafka_access(ctx.cluster(), &node).bootstrap,
                                   paths.admin_properties,
                                   std::to_string(node.id),
                                   paths.node_pem,
                                   paths.ca_pem,
                                   "client",
                                   "internal"};
  auto r = remote::run_script(*c.remote, "kafka-configs.sh", remote::scripts::kafka_reload_tls,
                              args, w.node->timeout(ctx));
  if (!r) return util::fail(r.error().message);
  return {};
}

void restart_where_needed(Context& ctx, std::vector<std::unique_ptr<Tier>>& tiers,
                          std::vector<RotationWork>& work, RotateReport& report,
                          const std::function<bool(const RotationWork&)>& wanted) {
  for (auto& tier : tiers) {
    std::vector<Component*> nodes;
    for (auto& w : work)
      if (w.tier == tier.get() && w.pickup.how == Pickup::How::restart && wanted(w))
        nodes.push_back(w.node);
    if (nodes.empty()) continue;
    for (Component* n : tier->restart_order(ctx, nodes)) {
      if (runner::stop_requested()) return;
      step_event(ctx, *n, "restart", runner::EventKind::started, "");
      auto r = tier->restart_one(ctx, *n);
      step_event(ctx, *n, "restart", r ? runner::EventKind::done : runner::EventKind::failed,
                 r ? "" : r.error().message);
      if (!r) {
        report.failures.push_back({n->host(), "restart", r.error().message});
        return;
      }
      ++report.restarted;
    }
  }
}

Pickup zookeeper_pickup(const DistVersion& v) {
  const bool reloads = v.major > 3 || (v.major == 3 && v.minor >= 9) ||
                       (v.major == 3 && v.minor == 8 && v.patch >= 1) ||
                       (v.major == 3 && v.minor == 7 && v.patch >= 2);
  if (reloads)
    return {Pickup::How::reload, "ZooKeeper " + v.text +
                                     " reloads its quorum and client-port certificates "
                                     "(sslQuorumReloadCertFiles, client.certReload)"};
  return {Pickup::How::restart,
          "ZooKeeper " + (v.text.empty() ? std::string("(version unknown)") : v.text) +
              " reads its client port's certificate only at start (client.certReload came in "
              "3.7.2, 3.8.1, 3.9.0)"};
}

Pickup with_https_metrics_agent(Pickup p) {
  if (p.how == Pickup::How::restart) return p;
  return {Pickup::How::restart,
          "its metrics agent (JMX exporter 1.x, HTTPS) reads its certificate only when the JVM "
          "starts; the product itself would reload"};
}

Pickup kafka_pickup(const inventory::KafkaNode& node) {
  if (node.controller)
    return {Pickup::How::restart,
            "a KRaft controller: zkctl does not reload a CONTROLLER listener at run time"};
  return {Pickup::How::reload,
          "a broker re-reads its listeners' stores through dynamic config (kafka-configs)"};
}

RotateReport rotate_node_certificates(Context& ctx, RotateMode mode) {
  RotateReport report;
  const auto t0 = std::chrono::steady_clock::now();
  if (!ctx.cluster().security.tls) {
    report.refusals.push_back("cluster " + ctx.cluster().name + " has no TLS: nothing to rotate");
    return report;
  }
  auto tiers = tiers_of(ctx.cluster());
  auto work = rotation_work(ctx.cluster(), tiers);
  report.refusals = survey_rotation(ctx, work);
  auto record = [&] {
    for (const auto& w : work)
      report.nodes.push_back(
          {w.node->label(), to_string(w.node->kind()), w.pickup, w.pid.value_or(0), 0});
  };
  if (!report.refusals.empty() || mode == RotateMode::dry_run) {
    record();
    return report;
  }
  if (auto r = reissue(ctx, work); !r) {
    report.failures.push_back({"", "reissue", r.error().message});
    record();
    return report;
  }
  std::vector<std::string> errors(work.size());
  runner::parallel_for(work.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    Work& w = work[i];
    step_event(ctx, *w.node, "rotate", runner::EventKind::started, "");
    auto r = push_and_reload(ctx, w, PushWhat::changed);
    errors[i] = r ? "" : r.error().message;
    step_event(ctx, *w.node, "rotate", r ? runner::EventKind::done : runner::EventKind::failed,
               r ? (w.pickup.how == Pickup::How::reload ? "reloaded" : "pushed") : errors[i]);
  });
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (!errors[i].empty())
      report.failures.push_back({work[i].node->host(), "push", errors[i]});
    else if (work[i].pickup.how == Pickup::How::reload)
      ++report.reloaded;
  }
  if (report.failures.empty())
    restart_where_needed(ctx, tiers, work, report, [](const RotationWork&) { return true; });
  record();
  for (std::size_t i = 0; i < work.size(); ++i) {
    Connection& c = work[i].node->connection(ctx);
    if (!c.remote) continue;
    if (auto p = work[i].node->pid(*c.remote, work[i].node->timeout(ctx)); p && *p)
      report.nodes[i].pid_after = **p;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace zkctl::ops
