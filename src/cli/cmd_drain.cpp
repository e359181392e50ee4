// `zkctl drain NODE` and `zkctl rebalance` (#15): plan replica moves, print them, run them.

#include <cstdio>
#include <cstdlib>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/kafka/reassign.hpp"

namespace zkctl::cli {

namespace {

// The broker `node` names: its id, or the host of exactly one broker.
std::optional<int> broker_named(const inventory::Cluster& cluster, const std::string& node) {
  std::vector<const inventory::KafkaNode*> on_host;
  for (const auto* b : cluster.brokers()) {
    if (std::to_string(b->id) == node) return b->id;
    if (b->host == node) on_host.push_back(b);
  }
  if (on_host.size() == 1) return on_host[0]->id;
  std::string known;
  for (const auto* b : cluster.brokers())
    known += (known.empty() ? "" : ", ") + std::to_string(b->id) + " (" + b->host + ")";
  std::fprintf(stderr, "zkctl: %s '%s' in cluster %s; name it by id (brokers: %s)\n",
               on_host.empty() ? "no broker" : "more than one broker on", node.c_str(),
               cluster.name.c_str(), known.c_str());
  return std::nullopt;
}

// Plan `req`, print it (dry run) or run it under the lock.
int move_replicas(GlobalOptions& g, const LoadedCluster& loaded, const ops::MoveRequest& req,
                  const MoveCommand& how) {
  auto progress_printer = make_progress(g);
  ops::Context ctx(loaded.cluster, g.ops, *progress_printer);
  auto plan_and_run = [&](ops::AuditRecord* audit) -> int {
    auto planned = ops::plan_moves(ctx, req);
    if (!planned) {
      std::fprintf(stderr, "zkctl: %s\n", planned.error().message.c_str());
      return kFailed;
    }
    std::printf("%s", how.output == Output::json ? (ops::planned_json(*planned) + "\n").c_str()
                                                 : ops::planned_text(*planned).c_str());
    std::fflush(stdout);
    if (how.dry_run) return planned->plan.refusals.empty() ? kOk : kRefused;
    const std::string step = req.kind == ops::MoveKind::drain ? "drain" : "rebalance";
    ops::MoveOutcome out = ops::run_until_drained(ctx, req, *planned, loaded.cluster.name, step);
    if (audit != nullptr) audit->summary = out.message;
    if (out.kind == ops::MoveOutcome::Kind::done) {
      std::printf("%s\n", out.message.c_str());
      return kOk;
    }
    std::fprintf(stderr, "zkctl: %s\n", out.message.c_str());
    return out.kind == ops::MoveOutcome::Kind::refused ? kRefused : kFailed;
  };
  if (how.dry_run) return plan_and_run(nullptr);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) { return plan_and_run(&audit); });
}

// The cluster, when it has Kafka brokers.
std::optional<LoadedCluster> kafka_cluster(GlobalOptions& g) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return std::nullopt;
  if (!loaded->cluster.kafka || loaded->cluster.brokers().empty()) {
    std::fprintf(stderr, "zkctl: cluster %s has no Kafka brokers\n", loaded->cluster.name.c_str());
    return std::nullopt;
  }
  return loaded;
}

}  // namespace

int cmd_drain(GlobalOptions& g, const std::string& node, const MoveCommand& how) {
  auto loaded = kafka_cluster(g);
  if (!loaded) return kUsage;
  auto id = broker_named(loaded->cluster, node);
  if (!id) return kUsage;
  ops::MoveRequest req;
  req.kind = ops::MoveKind::drain;
  req.broker = *id;
  req.throttle = how.throttle;
  return move_replicas(g, *loaded, req, how);
}

int cmd_rebalance(GlobalOptions& g, const MoveCommand& how) {
  auto loaded = kafka_cluster(g);
  if (!loaded) return kUsage;
  ops::MoveRequest req;
  req.kind = ops::MoveKind::rebalance;
  req.throttle = how.throttle;
  return move_replicas(g, *loaded, req, how);
}

}  // namespace zkctl::cli
