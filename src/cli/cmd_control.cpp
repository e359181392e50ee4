#include <algorithm>
#include <cstdio>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/commands/control.hpp"
#include "ops/component.hpp"

namespace zkctl::cli {

int cmd_control(GlobalOptions& g, const std::string& node, ops::Action action, ops::Force force) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const inventory::Server* server = loaded->cluster.find(node);
  const inventory::KafkaNode* kafka = loaded->cluster.find_kafka(node);
  if (server == nullptr && kafka == nullptr) {
    std::string known;
    for (const auto& s : loaded->cluster.servers) known += (known.empty() ? "" : ", ") + s.host;
    for (const auto& n : loaded->cluster.kafka_nodes)
      if (!loaded->cluster.find(n.host)) known += (known.empty() ? "" : ", ") + n.host;
    std::fprintf(stderr, "zkctl: no server '%s' in cluster %s (servers: %s)\n", node.c_str(),
                 loaded->cluster.name.c_str(), known.c_str());
    return kUsage;
  }
  auto progress_printer = make_progress(g);
  runner::Progress& progress = *progress_printer;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) {
    // What runs on the host, in a safe order: starting, ZooKeeper first; stopping, the
    // reverse (a broker needs ZooKeeper for its controlled shutdown).
    ops::ControlReport report{ops::ControlOutcome::ok, ""};
    auto tiers = ops::tiers_of(loaded->cluster);
    if (action == ops::Action::stop) std::reverse(tiers.begin(), tiers.end());
    for (auto& tier : tiers) {
      const ops::Component* n = ops::node_on(*tier, node);
      if (n == nullptr) continue;
      ops::ControlReport r = ops::control_node(ctx, *tier, *n, action, force);
      report.message += (report.message.empty() ? "" : "\n") + r.message;
      report.outcome = r.outcome;
      if (r.outcome != ops::ControlOutcome::ok) break;
    }
    audit.summary = report.message;
    audit.hosts.push_back({node, report.message});
    switch (report.outcome) {
      case ops::ControlOutcome::ok:
        std::printf("%s\n", report.message.c_str());
        return static_cast<int>(kOk);
      case ops::ControlOutcome::refused:
        std::fprintf(stderr, "zkctl: %s\n", report.message.c_str());
        return static_cast<int>(kRefused);
      case ops::ControlOutcome::failed:
        break;
    }
    std::fprintf(stderr, "zkctl: %s\n", report.message.c_str());
    return static_cast<int>(kFailed);
  });
}

}  // namespace zkctl::cli
