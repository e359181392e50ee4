#include "ops/migration/gate.hpp"

#include <algorithm>
#include <thread>

#include "ops/cluster/state.hpp"
#include "ops/host/java.hpp"
#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/quorum.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "runner/interrupt.hpp"

namespace zkctl::ops {

namespace {

std::string ids_text(const std::set<int>& ids) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out.empty() ? "none" : out;
}

std::optional<std::string> leader_waits(const MigrationLook& look) {
  if (!look.quorum) return "a KRaft leader among the controllers (" + look.quorum_error + ")";
  if (look.quorum->leader_id < 0) return std::string("a KRaft leader among the controllers");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> gate_waits_for(MigrationPhase phase, const MigrationLook& look,
                                          const std::vector<int>& brokers) {
  if (phase == MigrationPhase::none || phase == MigrationPhase::prechecked) return std::nullopt;
  if (auto w = leader_waits(look)) return w;
  if (phase == MigrationPhase::finalized) return std::nullopt;
  if (!look.zk) return "ZooKeeper's view of the migration (" + look.zk_error + ")";
  const ZkMigrationView& zk = *look.zk;
  if (!zk.migration) return std::string("the controllers to create /migration in ZooKeeper");
  if (phase == MigrationPhase::controllers) return std::nullopt;
  const bool kraft_controller = zk.controller && zk.controller->kraft;
  if (phase == MigrationPhase::dual_write && zk.migration->kraft_metadata_offset < 0) {
    std::set<int> missing;
    for (int id : brokers)
      if (!zk.brokers.count(id)) missing.insert(id);
    return "the controllers to copy the metadata (/migration kraft_metadata_offset " +
           std::to_string(zk.migration->kraft_metadata_offset) +
           "; it starts once every broker registered with KRaft; brokers in ZooKeeper: " +
           ids_text(zk.brokers) + (missing.empty() ? "" : ", missing: " + ids_text(missing)) + ")";
  }
  if (!kraft_controller) {
    return "a KRaft controller to hold /controller (now " +
           (zk.controller ? "broker " + std::to_string(zk.controller->id) : std::string("none")) +
           ")";
  }
  return std::nullopt;
}

namespace {

// The quorum asked of the controllers themselves (the brokers may still run in ZooKeeper mode)
// from each controller's host in turn, with its admin client config on a secure cluster.
util::Result<KraftQuorum> controller_quorum(Context& ctx) {
  const AdminScript s{"kafka-metadata-quorum.sh",
                      remote::scripts::kafka_quorum_admin,
                      controller_endpoints(ctx.cluster()),
                      {"status"}};
  std::string errors;
  const auto add = [&](const std::string& e) { errors += (errors.empty() ? "" : "; ") + e; };
  for (const auto* n : ctx.cluster().controllers()) {
    auto out = run_admin_script(ctx, *n, s);  // its error names the host
    if (!out) {
      add(out.error().message);
      continue;
    }
    auto q = parse_quorum_status(*out);
    if (q) return q;
    add(n->host + ": " + q.error().message);
  }
  return util::fail(errors.empty() ? std::string("no controller") : errors);
}

}  // namespace

MigrationLook look_at_migration(Context& ctx, WithControllerQuorum with_quorum) {
  MigrationLook look;
  const auto timeout = ctx.admin_timeout();
  if (auto zk = read_zk_migration(ctx.cluster(), timeout)) {
    look.zk = *zk;
  } else {
    look.zk_error = zk.error().message;
  }
  if (with_quorum == WithControllerQuorum::yes) {
    if (auto q = controller_quorum(ctx)) {
      look.quorum = *q;
    } else {
      look.quorum_error = q.error().message;
    }
  } else {
    look.quorum_error = "not asked";
  }
  return look;
}

util::Result<void> await_migration_gate(Context& ctx, MigrationPhase phase) {
  std::vector<int> brokers;
  for (const auto* b : ctx.cluster().brokers()) brokers.push_back(b->id);
  const auto deadline = std::chrono::steady_clock::now() + ctx.options().wait_timeout;
  std::string last;
  for (;;) {
    auto waits = gate_waits_for(phase, look_at_migration(ctx, WithControllerQuorum::yes), brokers);
    if (!waits) return {};
    if (*waits != last) {
      ctx.progress().report({"", std::string("migration ") + to_string(phase),
                             runner::EventKind::progress, "waiting for " + *waits});
      last = *waits;
    }
    if (runner::stop_requested()) return util::fail("interrupted while waiting for " + *waits);
    if (std::chrono::steady_clock::now() >= deadline) {
      return util::fail("gate of phase " + std::string(to_string(phase)) + " not passed after " +
                        std::to_string(ctx.options().wait_timeout.count()) + "s: waiting for " +
                        *waits);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

namespace {

// A broker the plan would change: it does not run what zookeeper mode renders for it.
void broker_changes(const inventory::Cluster& c, const DeployReport& plan,
                    std::vector<std::string>& out) {
  for (const auto& change : plan.changes) {
    if (change.component != "kafka") continue;
    const auto brokers = c.brokers();
    const auto b = std::find_if(brokers.begin(), brokers.end(), [&](const auto* n) {
      return n->host == change.host && n->id == change.id;
    });
    if (b == brokers.end()) continue;
    if (!change.upload && change.action == "none" && change.files.empty()) continue;
    out.push_back("broker " + std::to_string((*b)->id) + " on " + change.host +
                  " does not run what the inventory gives it in zookeeper mode (" + change.action +
                  (change.upload ? ", a different distribution" : "") +
                  "): deploy the cluster in zookeeper mode first, then migrate");
  }
}

// Each controller's log dirs asked for their free space (an unreachable host: pre-flight says).
void disk_problems(Context& ctx, std::vector<std::string>& out) {
  for (const auto* n : ctx.cluster().controllers()) {
    Connection& c = ctx.connection(*n);
    if (!c.remote) continue;
    const auto dirs = render::kafka_paths(*n).log_dirs;
    std::vector<std::string> args = {std::to_string(dirs.size())};
    args.insert(args.end(), dirs.begin(), dirs.end());
    auto r = remote::run_script(*c.remote, "free space", remote::scripts::host_probe, args,
                                ctx.command_timeout(*n));
    if (!r) {
      out.push_back(n->host +
                    ": free space of the controller's log dirs unreadable: " + r.error().message);
      continue;
    }
    auto found = controller_disk_problems(*n, parse_host_probe(r->out), kMigrationControllerDiskKb);
    out.insert(out.end(), found.begin(), found.end());
  }
}

}  // namespace

std::vector<std::string> controller_disk_problems(const inventory::KafkaNode& controller,
                                                  const HostProbe& probe, long min_kb) {
  std::vector<std::string> out;
  for (const auto& [dir, kb] : probe.disk_free_kb) {
    if (kb >= min_kb) continue;
    out.push_back("controller " + std::to_string(controller.id) + " on " + controller.host + ": " +
                  dir + ": " + std::to_string(kb / 1024) +
                  " MiB free; its KRaft metadata log needs at least " +
                  std::to_string(min_kb / 1024) + " MiB");
  }
  return out;
}

std::optional<std::string> pending_upgrade_problem(
    const std::optional<KafkaUpgradeRecord>& record) {
  if (!record || record->step != "binaries") return std::nullopt;
  return "a Kafka upgrade to " + record->to + " is half done: inter.broker.protocol.version " +
         "is kept at " + (record->pinned.empty() ? "the old release's" : record->pinned) +
         "; finish it first (zkctl deploy --finalize-upgrade with the ZooKeeper-mode inventory), "
         "then migrate";
}

std::vector<std::string> precheck_problems(Context& ctx, const MigrationRecord& record,
                                           const std::optional<ZkMigrationView>& zk,
                                           const DeployReport& plan) {
  std::vector<std::string> out;
  const auto& c = ctx.cluster();
  auto version = distribution_version(c.kafka->distribution, render::Product::kafka);
  if (!version) {
    out.push_back("kafka distribution: " + version.error().message);
  } else if (auto p = migration_release_problem(*version)) {
    out.push_back(*p);
  }
  if (plan.outcome == DeployOutcome::preflight_failed) {
    out.insert(out.end(), plan.preflight.begin(), plan.preflight.end());
  } else if (plan.outcome == DeployOutcome::refused) {
    out.insert(out.end(), plan.refusals.begin(), plan.refusals.end());
  }
  broker_changes(c, plan, out);
  if (auto p = pending_upgrade_problem(parse_kafka_upgrade_record(recorded_kafka_upgrade(c.name))))
    out.push_back(*p);
  if (zk) {
    if (zk->cluster_id.empty())
      out.push_back("ZooKeeper holds no /cluster/id under " + c.kafka->zookeeper_chroot +
                    ": have the brokers ever run?");
    if (zk->migration && zk->migration->kraft_metadata_offset >= 0 &&
        record.done == MigrationPhase::none) {
      out.push_back(
          "ZooKeeper holds /migration of an earlier migration that copied its metadata "
          "(kraft_metadata_offset " +
          std::to_string(zk->migration->kraft_metadata_offset) +
          ") which zkctl has no record of: new controllers would write their empty metadata "
          "over ZooKeeper's; remove /migration (and /controller) after checking, then retry");
    }
    for (const auto* b : c.brokers()) {
      if (!zk->brokers.count(b->id))
        out.push_back("broker " + std::to_string(b->id) + " on " + b->host +
                      " is not registered in ZooKeeper (/brokers/ids): every broker must run");
    }
  }
  disk_problems(ctx, out);
  KafkaHealth h = kafka_health(ctx, WithQuorum::no);
  if (h.offline < 0) {
    out.push_back("kafka: partition state unreadable: " + h.error);
  } else if (h.offline > 0) {
    out.push_back("kafka: " + std::to_string(h.offline) +
                  " partitions offline: a migration starts from a whole cluster");
  }
  return out;
}

}  // namespace zkctl::ops
