#include "ops/deploy.hpp"

#include <atomic>
#include <map>
#include <mutex>

#include "ops/checksum.hpp"
#include "ops/java.hpp"
#include "ops/kafka_deploy.hpp"
#include "ops/launcher.hpp"
#include "ops/quorum.hpp"
#include "ops/rolling.hpp"
#include "ops/wait.hpp"
#include "ops/zk_host.hpp"
#include "render/zk_paths.hpp"
#include "render/zookeeper.hpp"
#include "util/diff.hpp"
#include "util/quote.hpp"

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
  bool needs_restart() const {
    return running() && (upload || upload_java || !changed_files.empty());
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
  auto r = remote.run(
      util::shell_join({"sh", "-c", "[ ! -e \"$1\" ] || cat -- \"$1\"", "zkctl", path}), timeout);
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

DeployReport deploy(Context& ctx, DeployMode mode) {
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
  }
  if (report.outcome != DeployOutcome::ok) return report;

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
  if (!report.preflight.empty()) {
    report.outcome = DeployOutcome::preflight_failed;
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
    job.steps.push_back({"configure", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
                           if (auto p = prepare_dirs(*r, s, timeout); !p) return p.error();
                           for (const auto* f : hp.changed_files) {
                             if (auto w = r->write_file(f->content, f->path, f->mode); !w)
                               return w.error();
                           }
                           // Service user owns data, logs and configs; systemd: unit enabled.
                           auto settled =
                               settle_service(*r, s.service, render::Product::zookeeper,
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
  if (!installed.ok()) {
    report.outcome = DeployOutcome::failed;
    for (const auto& h : installed.hosts)
      if (!h.ok()) report.failures.push_back(h);
    return report;
  }

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
  if (!start_result.ok()) {
    report.outcome = DeployOutcome::failed;
    for (const auto& h : start_result.hosts)
      if (!h.ok()) report.failures.push_back(h);
    return report;
  }

  // 6. Restart running servers whose distribution or config changed, one at a
  //    time (observers, followers, leader last), each back in its role first.
  plan::Stage restart{"restart", {}, 1};
  for (HostPlan* hp : restart_order(ctx, plans)) {
    const inventory::Server& s = *hp->server;
    restart.jobs.push_back({s.host, {{"rolling restart", [&]() -> util::Result<StepOutcome> {
                                        auto m = restart_one(ctx, s);
                                        if (!m) return m.error();
                                        ++report.restarted;
                                        return StepOutcome::done;
                                      }}}});
  }
  auto restart_result = runner.run_stage(restart);
  if (!restart_result.ok()) {
    report.outcome = DeployOutcome::failed;
    for (const auto& h : restart_result.hosts)
      if (!h.ok()) report.failures.push_back(h);
    return report;
  }

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
  if (!waited.ok()) {
    report.outcome = DeployOutcome::failed;
    for (const auto& h : waited.hosts)
      if (!h.ok()) report.failures.push_back(h);
    return report;
  }

  // 8. Kafka, on the ensemble just made healthy (or on its own in KRaft mode).
  if (cluster.kafka) kafka.apply(report);
  return report;
}

}  // namespace zkctl::ops
