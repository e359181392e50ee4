#include "ops/deploy.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "ops/checksum.hpp"
#include "ops/java.hpp"
#include "ops/kafka_deploy.hpp"
#include "ops/kafka_health.hpp"
#include "ops/kafka_host.hpp"
#include "ops/launcher.hpp"
#include "ops/membership.hpp"
#include "ops/quorum.hpp"
#include "ops/rolling.hpp"
#include "ops/wait.hpp"
#include "ops/zk_host.hpp"
#include "remote/scripts.hpp"
#include "render/zk_paths.hpp"
#include "render/zookeeper.hpp"
#include "util/diff.hpp"

namespace zkctl::ops {

namespace {

using plan::StepOutcome;

// Everything deploy decided for one server before changing anything.
struct HostPlan {
  const inventory::Server* server = nullptr;
  std::vector<render::RenderedFile> files;
  HostFacts facts;
  bool upload = false;
  bool upload_java = false;  // the pushed JDK ([java]) differs from the installed one
  std::vector<const render::RenderedFile*> changed_files;
  bool running() const { return facts.pid.has_value(); }
  // Running as another user than [service] user asks for (the user was changed).
  bool wrong_user() const {
    return running() && !facts.pid_user.empty() && facts.pid_user != server->service.user;
  }
  bool needs_restart() const {
    return running() && (upload || upload_java || !changed_files.empty() || wrong_user());
  }
};

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// Order for restarting running servers: observers, then followers, the leader last.
std::vector<HostPlan*> restart_order(Context& ctx, std::vector<HostPlan>& plans) {
  std::vector<HostPlan*> observers, followers, leaders;
  for (auto& hp : plans) {
    if (!hp.needs_restart()) continue;
    if (hp.server->role == inventory::Role::observer) {
      observers.push_back(&hp);
    } else if (probe_server(ctx, *hp.server).mode == probe::Mode::leader) {
      leaders.push_back(&hp);
    } else {
      followers.push_back(&hp);
    }
  }
  observers.insert(observers.end(), followers.begin(), followers.end());
  observers.insert(observers.end(), leaders.begin(), leaders.end());
  return observers;
}

}  // namespace

util::Result<std::string> read_remote_file(remote::Remote& remote, const std::string& path,
                                           std::chrono::seconds timeout) {
  auto r = remote.run(zkctl::remote::script_command(zkctl::remote::scripts::host_read_file, {path}),
                      timeout);
  if (!r) return r.error();
  if (r->exit_status != 0) return util::fail("cannot read " + path + ": " + r->err);
  return r->out;
}

std::vector<FileChange> describe_files(remote::Remote& remote,
                                       const std::vector<const render::RenderedFile*>& changed,
                                       const std::string& host, std::chrono::seconds timeout) {
  std::vector<FileChange> out;
  for (const auto* f : changed) {
    auto before = read_remote_file(remote, f->path, timeout);
    std::string old = before ? *before : "";
    out.push_back({f->path, util::unified_diff(old, f->content, host + ":" + f->path + " (now)",
                                               host + ":" + f->path + " (rendered)")});
  }
  return out;
}

namespace {

// True (and `report` marked failed, with the failing hosts) when `stage` did not finish.
bool stage_failed(const plan::StageResult& stage, DeployReport& report) {
  if (stage.ok()) return false;
  report.outcome = DeployOutcome::failed;
  for (const auto& h : stage.hosts)
    if (!h.ok()) report.failures.push_back(h);
  return true;
}

// Pre-flight for the servers and Kafka nodes the inventory dropped: reachable (or
// provably gone), and no broker leading or solely holding a partition.
void preflight_removals(Context& ctx, Removals& removals, DeployReport& report) {
  plan::Progress& progress = ctx.progress();
  std::vector<const inventory::Server*> servers;
  for (const auto& s : removals.servers) servers.push_back(&s);
  auto conns = ctx.connect(servers);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const inventory::Server& s = *servers[i];
    if (conns[i]->remote) {
      progress.report({s.host, "pre-flight", plan::EventKind::done, "to be removed"});
      continue;
    }
    probe::NodeProbe p = probe_server(ctx, s);
    if (serves_as_voter(p.mode) || p.mode == probe::Mode::observer) {
      report.preflight.push_back(s.host + ": to be removed, still serving as " +
                                 probe::to_string(p.mode) +
                                 ", but unreachable over SSH: " + conns[i]->error);
    } else {
      report.notes.push_back(s.host + ": to be removed; unreachable and not serving (" +
                             conns[i]->error + "): dropped from the ensemble without stopping it");
    }
  }
  if (removals.kafka_nodes.empty()) return;
  std::vector<const inventory::KafkaNode*> nodes;
  std::set<int> ids;
  for (const auto& n : removals.kafka_nodes) {
    nodes.push_back(&n);
    ids.insert(n.id);
  }
  auto kconns = ctx.connect(nodes);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!kconns[i]->remote) {
      report.preflight.push_back(nodes[i]->host +
                                 ": kafka node to be removed is unreachable: " + kconns[i]->error);
    }
  }
  auto md = probe::kafka_metadata(kafka_bootstrap(ctx.cluster()), std::chrono::seconds(10));
  if (!md) {
    report.preflight.push_back(
        "kafka: cannot read partition metadata to check the brokers to be removed: " +
        md.error().message);
    return;
  }
  for (auto& line : kafka_removal_problems(*md, ids)) report.refusals.push_back(line);
}

}  // namespace

DeployReport deploy(Context& ctx, DeployMode mode, Force force) {
  DeployReport report;
  const inventory::Cluster& cluster = ctx.cluster();
  plan::Progress& progress = ctx.progress();
  const std::string& dist = cluster.zookeeper.distribution;

  // 1. Render every node's files and checksum the distribution: pure, local.
  std::vector<HostPlan> plans(cluster.servers.size());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    plans[i].server = &cluster.servers[i];
    auto files =
        render::render_zookeeper_node(cluster, cluster.servers[i], ctx.options().templates);
    if (!files) {
      report.outcome = DeployOutcome::preflight_failed;
      report.preflight.push_back(cluster.servers[i].host + ": render: " + files.error().message);
      continue;
    }
    plans[i].files = std::move(files.value());
  }
  const bool has_zk = !cluster.servers.empty();
  util::Result<std::string> dist_sha = has_zk ? sha256_file(dist) : util::Result<std::string>("");
  if (!dist_sha) {
    report.outcome = DeployOutcome::preflight_failed;
    report.preflight.push_back("distribution: " + dist_sha.error().message);
  }
  std::optional<JdkPackage> jdk;  // [java]: packed once, pushed to every install dir
  if (!cluster.java.distribution.empty()) {
    auto j = prepare_jdk(cluster.java.distribution);
    if (!j) {
      report.outcome = DeployOutcome::preflight_failed;
      report.preflight.push_back(j.error().message);
    } else {
      jdk = std::move(*j);
    }
    // The pushed JDK must be new enough for every product it runs.
    auto major = jdk_major(cluster.java.distribution);
    int need = has_zk ? kZooKeeperMinJava : 0;
    std::string who = "ZooKeeper 3.8";
    if (cluster.kafka && kafka_min_java(cluster.kafka->distribution) > need) {
      need = kafka_min_java(cluster.kafka->distribution);
      who = "this Kafka";
    }
    if (!major) {
      report.outcome = DeployOutcome::preflight_failed;
      report.preflight.push_back(major.error().message);
    } else if (*major < need) {
      report.outcome = DeployOutcome::preflight_failed;
      report.preflight.push_back("java.distribution is Java " + std::to_string(*major) + "; " +
                                 who + " needs Java " + std::to_string(need) +
                                 " or newer: name a newer JDK in [java]");
    }
  }
  if (report.outcome != DeployOutcome::ok) return report;

  // 1b. Membership: what the last deploy had that this inventory dropped.
  Removals removals;
  if (auto found = find_removals(cluster); !found) {
    report.preflight.push_back(found.error().message);
  } else {
    removals = std::move(found.value());
  }
  for (const auto& e : removals.errors) report.preflight.push_back(e);
  if (!report.preflight.empty()) {
    report.outcome = DeployOutcome::preflight_failed;
    return report;
  }
  report.refusals = removal_refusals(cluster, removals, force);
  if (!report.refusals.empty()) {
    report.outcome = DeployOutcome::refused;
    return report;
  }
  report.removals_planned = static_cast<int>(removals.servers.size() + removals.kafka_nodes.size());

  // 2. Pre-flight: connect and inspect every host at once; change nothing.
  std::vector<const inventory::Server*> servers;
  for (const auto& s : cluster.servers) servers.push_back(&s);
  progress.report(
      {"", "pre-flight", plan::EventKind::started, std::to_string(servers.size()) + " hosts"});
  auto conns = ctx.connect(servers);
  std::mutex mu;
  plan::parallel_for(plans.size(), ctx.options().parallel, [&](std::size_t i) {
    HostPlan& hp = plans[i];
    std::vector<std::string> problems;
    if (!conns[i]->remote) {
      problems.push_back(conns[i]->error);
    } else {
      auto facts =
          inspect_host(*conns[i]->remote, *hp.server, hp.files, ctx.command_timeout(*hp.server));
      if (!facts) {
        problems.push_back(facts.error().message);
      } else {
        hp.facts = std::move(facts.value());
        problems = preflight_problems(*hp.server, hp.facts);
      }
    }
    std::lock_guard lock(mu);
    for (const auto& p : problems) {
      report.preflight.push_back(hp.server->host + ": " + p);
      progress.report({hp.server->host, "pre-flight", plan::EventKind::failed, p});
    }
    if (problems.empty()) {
      progress.report(
          {hp.server->host, "pre-flight", plan::EventKind::done, hp.facts.java_version});
    }
  });
  KafkaDeployer kafka(ctx);
  kafka.set_jdk(jdk ? &*jdk : nullptr);
  if (cluster.kafka) kafka.preflight(report);
  if (!removals.empty()) preflight_removals(ctx, removals, report);
  if (report.preflight.empty()) {
    std::vector<std::pair<const inventory::Server*, const HostFacts*>> facts;
    for (const auto& hp : plans) facts.emplace_back(hp.server, &hp.facts);
    for (auto& p : foreign_data_problems(cluster.name, facts)) report.preflight.push_back(p);
  }
  if (!report.preflight.empty()) {
    report.outcome = DeployOutcome::preflight_failed;
    return report;
  }
  if (!report.refusals.empty()) {
    report.outcome = DeployOutcome::refused;
    return report;
  }
  if (mode == DeployMode::preflight_only) return report;

  // 3. Decide per host what changes.
  for (auto& hp : plans) {
    hp.upload = hp.facts.release_sha256 != *dist_sha;
    hp.upload_java = jdk && hp.facts.java_release_sha256 != jdk->sha256();
    for (const auto& f : hp.files) {
      auto it = hp.facts.file_sha256.find(f.path);
      if (it == hp.facts.file_sha256.end() || it->second != sha256_hex(f.content)) {
        hp.changed_files.push_back(&f);
      }
    }
  }

  if (mode == DeployMode::plan_only) {
    for (auto& hp : plans) {
      HostChange c{hp.server->host, "zookeeper", hp.upload || hp.upload_java, {}, "none"};
      remote::Remote& r = *ctx.connection(*hp.server).remote;
      c.files =
          describe_files(r, hp.changed_files, hp.server->host, ctx.command_timeout(*hp.server));
      c.action = !hp.running() ? "start" : hp.needs_restart() ? "restart" : "none";
      report.changes.push_back(std::move(c));
    }
    if (cluster.kafka) kafka.describe(report);
    for (const auto& s : removals.servers) {
      report.changes.push_back(
          {s.host, "zookeeper", false, {}, "take out of the ensemble (members rolled), stop"});
    }
    for (const auto& n : removals.kafka_nodes) {
      report.changes.push_back({n.host, "kafka", false, {}, "stop (controlled shutdown)"});
    }
    return report;
  }

  // 4. Install and configure on every host concurrently.
  std::atomic<int> uploaded{0}, configured{0};
  plan::Stage install{"install", {}};
  for (auto& hp : plans) {
    remote::Remote* r = ctx.connection(*hp.server).remote.get();
    const inventory::Server& s = *hp.server;
    auto timeout = ctx.command_timeout(s);
    render::ZkPaths paths = render::zk_paths(s);
    plan::HostJob job{s.host, {}};
    job.steps.push_back({"upload", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
                           if (!hp.upload) return StepOutcome::skipped;
                           auto up = upload_release(
                               *r, paths.install_dir, dist, *dist_sha,
                               [&](std::uint64_t sent, std::uint64_t total) {
                                 progress.report({s.host, "upload", plan::EventKind::progress,
                                                  mib(sent) + " / " + mib(total)});
                               },
                               timeout);
                           if (!up) return up.error();
                           ++uploaded;
                           return StepOutcome::done;
                         }});
    job.steps.push_back({"upload jdk", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
                           if (!hp.upload_java) return StepOutcome::skipped;
                           auto up = push_jdk(
                               *r, paths.install_dir, *jdk,
                               [&](std::uint64_t sent, std::uint64_t total) {
                                 progress.report({s.host, "upload jdk", plan::EventKind::progress,
                                                  mib(sent) + " / " + mib(total)});
                               },
                               timeout);
                           if (!up) return up.error();
                           return StepOutcome::done;
                         }});
    job.steps.push_back(
        {"configure", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
           if (auto p = prepare_dirs(*r, s, timeout); !p) return p.error();
           if (hp.facts.cluster_mark != cluster.name) {
             if (auto m = r->write_file(cluster.name + "\n", cluster_mark_path(s), 0644); !m)
               return m.error();
           }
           for (const auto* f : hp.changed_files) {
             if (auto w = r->write_file(f->content, f->path, f->mode); !w) return w.error();
           }
           // Service user owns data, logs and configs; systemd: unit enabled.
           auto settled = settle_service(*r, s.service, render::Product::zookeeper,
                                         {paths.data_dir, paths.data_log_dir, paths.log_dir},
                                         hp.files, timeout);
           if (!settled) return settled.error();
           if (hp.changed_files.empty()) return StepOutcome::skipped;
           ++configured;
           return StepOutcome::done;
         }});
    install.jobs.push_back(std::move(job));
  }
  plan::Runner runner(progress, ctx.options().parallel);
  auto installed = runner.run_stage(install);
  report.uploaded = uploaded;
  report.configs_written = configured;
  if (stage_failed(installed, report)) return report;

  // 5. Start what is not running, all at once.
  std::atomic<int> started{0};
  plan::Stage start{"start", {}};
  for (auto& hp : plans) {
    if (hp.running()) continue;
    remote::Remote* r = ctx.connection(*hp.server).remote.get();
    const inventory::Server& s = *hp.server;
    start.jobs.push_back({s.host, {{"start", [&, r]() -> util::Result<StepOutcome> {
                                      auto pid = start_server(*r, s, ctx.command_timeout(s));
                                      if (!pid) return pid.error();
                                      ++started;
                                      return StepOutcome::done;
                                    }}}});
  }
  auto start_result = runner.run_stage(start);
  report.started = started;
  if (stage_failed(start_result, report)) return report;

  // 5b. Servers just started next to running ones (scale out) must have joined
  //     before the roll counts them.
  const bool rolling = std::any_of(plans.begin(), plans.end(),
                                   [](const HostPlan& hp) { return hp.needs_restart(); });
  if (rolling && started > 0) {
    plan::Stage joined{"join", {}};
    for (auto& hp : plans) {
      if (hp.running()) continue;
      const inventory::Server& s = *hp.server;
      joined.jobs.push_back({s.host, {{"wait for role", [&]() -> util::Result<StepOutcome> {
                                         auto m = wait_for_role(ctx, s, ctx.options().wait_timeout);
                                         if (!m) return m.error();
                                         return StepOutcome::done;
                                       }}}});
    }
    auto join_result = runner.run_stage(joined);
    if (stage_failed(join_result, report)) return report;
  }

  // 6. Restart running servers whose distribution or config changed, one at a
  //    time (observers, followers, leader last), each back in its role first.
  //    While servers are being taken out, the quorum checks count them too (the
  //    members not yet rolled still do), and a leader being taken out is
  //    restarted first so that leadership moves to a server that stays.
  std::vector<inventory::Server> serving_removed;
  std::optional<std::string> removed_leader;
  for (const auto& s : removals.servers) {
    probe::NodeProbe p = probe_server(ctx, s);
    if (serves_as_voter(p.mode) || p.mode == probe::Mode::observer) serving_removed.push_back(s);
    if (p.mode == probe::Mode::leader) removed_leader = s.host;
  }
  const inventory::Cluster view = transition_view(cluster, serving_removed);
  Context transition(view, ctx.options(), progress);
  Context& roll = serving_removed.empty() ? ctx : transition;
  if (removed_leader) {
    const inventory::Server& s = *view.find(*removed_leader);
    plan::Stage move{"restart", {}, 1};
    move.jobs.push_back({s.host, {{"move leadership", [&]() -> util::Result<StepOutcome> {
                                     auto m = restart_one(roll, s);
                                     if (!m) return m.error();
                                     return StepOutcome::done;
                                   }}}});
    auto moved = runner.run_stage(move);
    if (stage_failed(moved, report)) return report;
  }
  plan::Stage restart{"restart", {}, 1};
  for (HostPlan* hp : restart_order(ctx, plans)) {
    const inventory::Server& s = *roll.cluster().find(hp->server->host);
    restart.jobs.push_back({s.host, {{"rolling restart", [&]() -> util::Result<StepOutcome> {
                                        auto m = restart_one(roll, s);
                                        if (!m) return m.error();
                                        ++report.restarted;
                                        return StepOutcome::done;
                                      }}}});
  }
  auto restart_result = runner.run_stage(restart);
  if (stage_failed(restart_result, report)) return report;

  // 6b. Stop the servers taken out: every remaining member runs without them now.
  plan::Stage take_out{"remove", {}, 1};
  for (const auto& s : removals.servers) {
    take_out.jobs.push_back({s.host, {{"stop removed server", [&]() -> util::Result<StepOutcome> {
                                         Connection& c = ctx.connection(s);
                                         ++report.removed;
                                         if (!c.remote) return StepOutcome::skipped;
                                         auto st =
                                             stop_server(*c.remote, s, ctx.options().stop_grace,
                                                         ctx.command_timeout(s));
                                         if (!st) return st.error();
                                         return StepOutcome::done;
                                       }}}});
  }
  auto removed = runner.run_stage(take_out);
  if (stage_failed(removed, report)) return report;

  // 7. Every node serving in its role.
  plan::Stage wait{"wait", {}};
  for (auto& hp : plans) {
    const inventory::Server& s = *hp.server;
    wait.jobs.push_back({s.host, {{"wait for role", [&]() -> util::Result<StepOutcome> {
                                     auto m = wait_for_role(ctx, s, ctx.options().wait_timeout);
                                     if (!m) return m.error();
                                     return StepOutcome::done;
                                   }}}});
  }
  auto waited = runner.run_stage(wait);
  if (stage_failed(waited, report)) return report;

  // 8. Kafka, on the ensemble just made healthy (or on its own in KRaft mode).
  if (cluster.kafka) kafka.apply(report);
  if (report.outcome != DeployOutcome::ok) return report;

  // 9. Kafka nodes taken out (pre-flight made sure they lead and solely hold nothing):
  //    a controlled shutdown each, one at a time.
  plan::Stage kafka_out{"remove", {}, 1};
  for (const auto& n : removals.kafka_nodes) {
    kafka_out.jobs.push_back(
        {n.host, {{"stop removed kafka node", [&]() -> util::Result<StepOutcome> {
                     Connection& c = ctx.connection(n);
                     if (!c.remote) return util::fail(c.error);
                     auto st = stop_kafka(*c.remote, n, ctx.options().kafka_stop_grace,
                                          ctx.command_timeout(n));
                     if (!st) return st.error();
                     ++report.removed;
                     return StepOutcome::done;
                   }}}});
  }
  auto kafka_removed = runner.run_stage(kafka_out);
  stage_failed(kafka_removed, report);
  return report;
}

}  // namespace zkctl::ops
