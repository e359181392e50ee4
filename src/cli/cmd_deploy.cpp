#include <cstdio>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/cluster/membership.hpp"
#include "ops/cluster/state.hpp"
#include "ops/commands/deploy.hpp"

namespace zkctl::cli {

std::optional<int> print_not_started(const ops::DeployReport& report,
                                     const NotStartedHeaders& headers) {
  const bool preflight = report.outcome == ops::DeployOutcome::preflight_failed;
  if (!preflight && report.outcome != ops::DeployOutcome::refused) return std::nullopt;
  std::fprintf(stderr, "zkctl: %s:\n", preflight ? headers.preflight : headers.refused);
  for (const auto& p : preflight ? report.preflight : report.refusals)
    std::fprintf(stderr, "  %s\n", p.c_str());
  return preflight ? kPreflightFailed : kRefused;
}

namespace {
int finish_deploy(const LoadedCluster& loaded_ref, const ops::DeployReport& report);
}

int cmd_deploy(GlobalOptions& g, ops::Force force) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto migration = migration_for(*loaded);  // kafka.mode "kraft" over ZooKeeper-mode brokers
  if (!migration) return kUsage;
  if (*migration) return cmd_migrate_deploy(g, *loaded, **migration, force);
  auto progress_printer = make_progress(g);
  runner::Progress& progress = *progress_printer;
  g.ops.pki_use = ops::PkiUse::issue;  // deploy creates the CA and certificates it needs
  ops::Context ctx(loaded->cluster, g.ops, progress);
  // The nodes this deploy takes out still run: their hosts are locked too. (A recorded
  // inventory that does not load fails the deploy's own membership step, with the reason.)
  auto removals = ops::find_removals(loaded->cluster);
  std::vector<const inventory::Node*> leaving;
  if (removals) {
    for (const auto& s : removals->servers) leaving.push_back(&s);
    for (const auto& n : removals->kafka_nodes) leaving.push_back(&n);
  }
  return run_changing(
      g, ctx,
      [&](ops::AuditRecord& audit) {
        ops::DeployReport report = ops::deploy(ctx, ops::DeployMode::apply, force);
        int code = finish_deploy(*loaded, report);
        for (const auto& f : report.failures) {
          audit.hosts.push_back({f.host, f.failed_step + ": " + f.error});
        }
        for (const auto& p : report.preflight) audit.hosts.push_back({"", p});
        audit.summary = code == kOk ? "deployed" : "deploy failed";
        return code;
      },
      leaving);
}

namespace {
int finish_deploy(const LoadedCluster& loaded_ref, const ops::DeployReport& report) {
  const LoadedCluster* loaded = &loaded_ref;

  if (auto code = print_not_started(report, {"pre-flight failed; nothing was changed on any host",
                                             "deploy refused; nothing was changed on any host"}))
    return *code;
  for (const auto& n : report.notes) std::fprintf(stderr, "zkctl: note: %s\n", n.c_str());
  // Hosts may have changed from here on: record the cluster even if a later step failed,
  // so status/restart work on what was deployed -- unless servers were being taken out
  // and not all are: the previous record keeps naming them, so a rerun finishes the job.
  if (report.outcome == ops::DeployOutcome::failed && report.removed < report.removals_planned) {
    std::fprintf(stderr,
                 "zkctl: the removal of %d server(s) did not finish; the previous inventory "
                 "stays recorded so that a rerun completes it\n",
                 report.removals_planned - report.removed);
  } else if (auto r = ops::record_cluster(loaded->cluster.name, loaded->path, loaded->text); !r) {
    std::fprintf(stderr, "zkctl: warning: could not record the cluster: %s\n",
                 r.error().message.c_str());
  }
  if (report.outcome == ops::DeployOutcome::failed) {
    std::fprintf(stderr, "zkctl: deploy failed:\n");
    for (const auto& f : report.failures) {
      std::fprintf(stderr, "  %s: %s: %s\n", f.host.c_str(), f.failed_step.c_str(),
                   f.error.c_str());
    }
    return kFailed;
  }
  if (loaded->cluster.servers.empty()) {  // KRaft only: no ensemble to report on
    std::printf("deployed %s\n", loaded->cluster.name.c_str());
  } else {
    std::printf(
        "deployed %s: %zu servers; distribution uploaded to %d, configs changed on %d, "
        "started %d, restarted %d%s\n",
        loaded->cluster.name.c_str(), loaded->cluster.servers.size(), report.uploaded,
        report.configs_written, report.started, report.restarted,
        report.removed ? ("; removed " + std::to_string(report.removed)).c_str() : "");
  }
  if (loaded->cluster.kafka) {
    std::printf(
        "kafka (%s mode): %zu nodes; distribution uploaded to %d, configs changed on %d, "
        "storage formatted on %d, started %d, restarted %d%s\n",
        inventory::to_string(loaded->cluster.kafka->mode), loaded->cluster.kafka_nodes.size(),
        report.kafka_uploaded, report.kafka_configs_written, report.kafka_formatted,
        report.kafka_started, report.kafka_restarted,
        report.kafka_cluster_id.empty() ? "" : ("; cluster id " + report.kafka_cluster_id).c_str());
  }
  return kOk;
}
}  // namespace

}  // namespace zkctl::cli
