#include "ops/kafka_deploy.hpp"

#include <atomic>
#include <mutex>
#include <random>

#include "ops/checksum.hpp"
#include "ops/kafka_health.hpp"
#include "ops/launcher.hpp"
#include "ops/state.hpp"
#include "plan/runner.hpp"
#include "render/kafka.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::ops {

using plan::StepOutcome;

struct KafkaDeployer::NodePlan {
  const inventory::KafkaNode* node = nullptr;
  std::vector<render::RenderedFile> files;
  KafkaFacts facts;
  bool upload = false;
  bool upload_java = false;  // the pushed JDK ([java]) differs from the installed one
  std::vector<const render::RenderedFile*> changed_files;
  bool running() const { return facts.pid.has_value(); }
  // Running as another user than [service] user asks for (the user was changed).
  bool wrong_user() const {
    return running() && !facts.pid_user.empty() && facts.pid_user != node->service.user;
  }
  bool needs_restart() const {
    return running() && (upload || upload_java || !changed_files.empty() || wrong_user());
  }
};

namespace {

// Upload progress of `step` on `host` as "1.5 / 42.0 MiB" events.
remote::ProgressFn bytes_progress(plan::Progress& progress, const std::string& host,
                                  const char* step) {
  return [&progress, host, step](std::uint64_t sent, std::uint64_t total) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f / %.1f MiB", sent / 1048576.0, total / 1048576.0);
    progress.report({host, step, plan::EventKind::progress, buf});
  };
}

}  // namespace

std::string new_kafka_cluster_id() {
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  for (;;) {
    unsigned char bytes[16];
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
    std::string out;
    int bits = 0;
    unsigned value = 0;
    for (unsigned char b : bytes) {
      value = (value << 8) | b;
      bits += 8;
      while (bits >= 6) {
        out += b64[(value >> (bits - 6)) & 63];
        bits -= 6;
      }
    }
    if (bits > 0) out += b64[(value << (6 - bits)) & 63];
    // Like Kafka's Uuid.randomUuid(): never an id starting with '-', which the
    // tools' command lines would read as an option.
    if (out.front() != '-') return out;  // 22 characters
  }
}

KafkaDeployer::KafkaDeployer(Context& ctx) : ctx_(ctx) {}
KafkaDeployer::~KafkaDeployer() = default;

void KafkaDeployer::preflight(DeployReport& report) {
  const auto& cluster = ctx_.cluster();
  plans_.resize(cluster.kafka_nodes.size());
  bool failed = false;
  for (std::size_t i = 0; i < plans_.size(); ++i) {
    plans_[i].node = &cluster.kafka_nodes[i];
    auto files =
        render::render_kafka_node(cluster, cluster.kafka_nodes[i], ctx_.options().templates);
    if (!files) {
      report.preflight.push_back(cluster.kafka_nodes[i].host +
                                 ": render: " + files.error().message);
      failed = true;
      continue;
    }
    plans_[i].files = std::move(files.value());
  }
  auto sha = sha256_file(cluster.kafka->distribution);
  if (!sha) {
    report.preflight.push_back("kafka distribution: " + sha.error().message);
    failed = true;
  } else {
    dist_sha_ = *sha;
  }
  if (failed) return;

  std::vector<const inventory::KafkaNode*> nodes;
  for (const auto& n : cluster.kafka_nodes) nodes.push_back(&n);
  auto conns = ctx_.connect(nodes);
  std::vector<std::string> conn_errors(plans_.size());
  plan::parallel_for(plans_.size(), ctx_.options().parallel, [&](std::size_t i) {
    if (!conns[i]->remote) {
      conn_errors[i] = conns[i]->error;
      return;
    }
    auto facts = inspect_kafka(*conns[i]->remote, *plans_[i].node, plans_[i].files,
                               ctx_.command_timeout(*plans_[i].node));
    if (!facts) {
      conn_errors[i] = facts.error().message;
    } else {
      plans_[i].facts = std::move(facts.value());
    }
  });

  // The KRaft cluster id: the inventory's; else the one the nodes' storage
  // already carries; else the one recorded here; else a new one (recorded).
  if (cluster.kafka->mode == inventory::KafkaMode::kraft) {
    cluster_id_ = cluster.kafka->cluster_id;
    if (cluster_id_.empty()) {
      for (const auto& p : plans_) {
        auto it = p.facts.meta.find("cluster.id");
        if (it != p.facts.meta.end()) {
          cluster_id_ = it->second;
          break;
        }
      }
    }
    if (cluster_id_.empty()) cluster_id_ = recorded_kafka_cluster_id(cluster.name);
    if (cluster_id_.empty()) cluster_id_ = new_kafka_cluster_id();
    report.kafka_cluster_id = cluster_id_;
  }
  auto java = java_need_of(cluster.kafka->distribution, render::Product::kafka);
  if (!java) report.preflight.push_back("kafka distribution: " + java.error().message);
  for (std::size_t i = 0; i < plans_.size() && java; ++i) {
    const std::string& host = plans_[i].node->host;
    std::vector<std::string> problems;
    if (!conn_errors[i].empty()) {
      problems.push_back(conn_errors[i]);
    } else {
      problems = kafka_preflight_problems(*plans_[i].node, plans_[i].facts, cluster_id_, *java);
    }
    for (const auto& p : problems) {
      report.preflight.push_back(host + ": kafka: " + p);
      ctx_.progress().report({host, "pre-flight kafka", plan::EventKind::failed, p});
    }
    if (problems.empty()) {
      ctx_.progress().report(
          {host, "pre-flight kafka", plan::EventKind::done, plans_[i].facts.java_version});
    }
  }
  for (auto& p : plans_) {
    p.upload = p.facts.release_sha256 != dist_sha_;
    p.upload_java = jdk_ != nullptr && p.facts.java_release_sha256 != jdk_->sha256();
    for (const auto& f : p.files) {
      auto it = p.facts.file_sha256.find(f.path);
      if (it == p.facts.file_sha256.end() || it->second != sha256_hex(f.content)) {
        p.changed_files.push_back(&f);
      }
    }
  }
}

void KafkaDeployer::describe(DeployReport& report) {
  const bool kraft = ctx_.cluster().kafka->mode == inventory::KafkaMode::kraft;
  for (auto& p : plans_) {
    const inventory::KafkaNode& n = *p.node;
    HostChange c{n.host, "kafka", p.upload || p.upload_java, {}, "none"};
    c.files = describe_files(*ctx_.connection(n).remote, p.changed_files, n.host,
                             ctx_.command_timeout(n));
    bool format = kraft && p.facts.meta.empty();
    if (!p.running()) {
      c.action = format ? "format, start" : "start";
    } else if (p.needs_restart()) {
      c.action = "restart";
    }
    report.changes.push_back(std::move(c));
  }
}

void KafkaDeployer::apply(DeployReport& report) {
  const auto& cluster = ctx_.cluster();
  plan::Progress& progress = ctx_.progress();
  plan::Runner runner(progress, ctx_.options().parallel);
  auto fail_with = [&](const plan::StageResult& r) {
    report.outcome = DeployOutcome::failed;
    for (const auto& h : r.hosts)
      if (!h.ok()) report.failures.push_back(h);
  };
  const bool kraft = cluster.kafka->mode == inventory::KafkaMode::kraft;
  if (kraft && !cluster_id_.empty()) {
    if (auto r = record_kafka_cluster_id(cluster.name, cluster_id_); !r) {
      progress.report({"", "kafka", plan::EventKind::progress,
                       "warning: could not record the cluster id: " + r.error().message});
    }
  }

  // Install, configure and (KRaft, first time) format, on every node at once.
  std::atomic<int> uploaded{0}, configured{0}, formatted{0};
  plan::Stage install{"kafka install", {}};
  for (auto& p : plans_) {
    const inventory::KafkaNode& n = *p.node;
    remote::Remote* r = ctx_.connection(n).remote.get();
    auto timeout = ctx_.command_timeout(n);
    render::KafkaPaths paths = render::kafka_paths(n);
    plan::HostJob job{n.host, {}};
    job.steps.push_back({"kafka upload", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
                           if (!p.upload) return StepOutcome::skipped;
                           auto up = upload_release(
                               *r, paths.install_dir, cluster.kafka->distribution, dist_sha_,
                               bytes_progress(progress, n.host, "kafka upload"), timeout);
                           if (!up) return up.error();
                           ++uploaded;
                           return StepOutcome::done;
                         }});
    job.steps.push_back({"kafka upload jdk", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
                           if (!p.upload_java) return StepOutcome::skipped;
                           auto up = push_jdk(*r, paths.install_dir, *jdk_,
                                              bytes_progress(progress, n.host, "kafka upload jdk"),
                                              timeout);
                           if (!up) return up.error();
                           return StepOutcome::done;
                         }});
    job.steps.push_back({"kafka configure", [&, r, timeout, paths]() -> util::Result<StepOutcome> {
                           if (auto d = prepare_kafka_dirs(*r, n, timeout); !d) return d.error();
                           for (const auto* f : p.changed_files) {
                             if (auto w = r->write_file(f->content, f->path, f->mode); !w)
                               return w.error();
                           }
                           // Service user owns log dirs, logs and configs; systemd: enabled.
                           std::vector<std::string> dirs = paths.log_dirs;
                           dirs.push_back(paths.log_dir);
                           auto settled = settle_service(*r, n.service, render::Product::kafka,
                                                         dirs, p.files, timeout);
                           if (!settled) return settled.error();
                           if (p.changed_files.empty()) return StepOutcome::skipped;
                           ++configured;
                           return StepOutcome::done;
                         }});
    if (kraft) {
      job.steps.push_back({"kafka format", [&, r, timeout]() -> util::Result<StepOutcome> {
                             auto f = format_kafka_storage(*r, n, cluster_id_, timeout);
                             if (!f) return f.error();
                             if (!*f) return StepOutcome::skipped;
                             ++formatted;
                             return StepOutcome::done;
                           }});
    }
    install.jobs.push_back(std::move(job));
  }
  auto installed = runner.run_stage(install);
  report.kafka_uploaded = uploaded;
  report.kafka_configs_written = configured;
  report.kafka_formatted = formatted;
  if (!installed.ok()) return fail_with(installed);

  // Start what is not running, all at once.
  std::atomic<int> started{0};
  plan::Stage start{"kafka start", {}};
  for (auto& p : plans_) {
    if (p.running()) continue;
    const inventory::KafkaNode& n = *p.node;
    start.jobs.push_back({n.host, {{"kafka start", [&]() -> util::Result<StepOutcome> {
                                      Connection& c = ctx_.connection(n);
                                      auto pid = start_kafka(*c.remote, n, ctx_.command_timeout(n));
                                      if (!pid) return pid.error();
                                      ++started;
                                      return StepOutcome::done;
                                    }}}});
  }
  auto start_result = runner.run_stage(start);
  report.kafka_started = started;
  if (!start_result.ok()) return fail_with(start_result);

  // Restart changed running nodes one at a time, each healthy before the next.
  plan::Stage restart{"kafka restart", {}, 1};
  for (auto& p : plans_) {
    if (!p.needs_restart()) continue;
    const inventory::KafkaNode& n = *p.node;
    restart.jobs.push_back(
        {n.host, {{"kafka restart", [&]() -> util::Result<StepOutcome> {
                     Connection& c = ctx_.connection(n);
                     auto t = ctx_.command_timeout(n);
                     auto st = stop_kafka(*c.remote, n, ctx_.options().kafka_stop_grace, t);
                     if (!st) return st.error();
                     auto pid = start_kafka(*c.remote, n, t);
                     if (!pid) return pid.error();
                     if (auto h = wait_broker_healthy(ctx_, n, ctx_.options().wait_timeout); !h)
                       return h.error();
                     ++report.kafka_restarted;
                     return StepOutcome::done;
                   }}}});
  }
  auto restarted = runner.run_stage(restart);
  if (!restarted.ok()) return fail_with(restarted);

  // Every broker registered.
  progress.report({"", "kafka: wait for brokers", plan::EventKind::started, ""});
  if (auto w = wait_all_registered(ctx_, ctx_.options().wait_timeout); !w) {
    report.outcome = DeployOutcome::failed;
    report.failures.push_back({"kafka", "wait for brokers", w.error().message});
    return;
  }
  progress.report({"", "kafka: wait for brokers", plan::EventKind::done,
                   std::to_string(cluster.brokers().size()) + " registered"});
}

}  // namespace zkctl::ops
