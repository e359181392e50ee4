#include <algorithm>
#include <cstdio>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/commands/control.hpp"
#include "ops/component.hpp"

namespace zkctl::cli {

namespace {

// Whether `node` names a node of `tiers` (the cluster's: a host, or a Kafka node's id);
// otherwise says which names it knows.
bool names_a_node(const std::vector<std::unique_ptr<ops::Tier>>& tiers,
                  const inventory::Cluster& cluster, const std::string& node) {
  std::vector<std::string> names;
  for (const auto& tier : tiers) {
    if (!ops::nodes_named(*tier, node).empty()) return true;
    for (const ops::Component* c : tier->nodes())
      names.push_back(tier->ids_name_nodes() ? c->label() : c->host());
  }
  std::string known;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (std::find(names.begin(), names.begin() + i, names[i]) == names.begin() + i)
      known += (known.empty() ? "" : ", ") + names[i];
  std::fprintf(stderr, "zkctl: no node '%s' in cluster %s (hosts, or a Kafka node's id: %s)\n",
               node.c_str(), cluster.name.c_str(), known.c_str());
  return false;
}

}  // namespace

int cmd_control(GlobalOptions& g, const std::string& node, ops::Action action, ops::Force force) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto tiers = ops::tiers_of(loaded->cluster);
  if (!names_a_node(tiers, loaded->cluster, node)) return kUsage;
  auto progress_printer = make_progress(g);
  runner::Progress& progress = *progress_printer;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) {
    // What runs on the host, in a safe order: starting, ZooKeeper first; stopping, the
    // reverse (a broker needs ZooKeeper for its controlled shutdown).
    ops::ControlReport report{ops::ControlOutcome::ok, ""};
    if (action == ops::Action::stop) std::reverse(tiers.begin(), tiers.end());
    for (auto& tier : tiers) {
      for (const ops::Component* n : ops::nodes_named(*tier, node)) {
        ops::ControlReport r = ops::control_node(ctx, *tier, *n, action, force);
        report.message += (report.message.empty() ? "" : "\n") + r.message;
        report.outcome = r.outcome;
        if (r.outcome != ops::ControlOutcome::ok) break;
      }
      if (report.outcome != ops::ControlOutcome::ok) break;
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
