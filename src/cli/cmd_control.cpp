#include <cstdio>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/control.hpp"

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
  plan::Progress& progress = *progress_printer;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) {
    // What runs on the host, in a safe order: stopping, the broker goes first (it
    // needs ZooKeeper for its controlled shutdown); starting, ZooKeeper first.
    ops::ControlReport report{ops::ControlOutcome::ok, ""};
    auto add = [&](const ops::ControlReport& r) {
      report.message += (report.message.empty() ? "" : "\n") + r.message;
      if (r.outcome != ops::ControlOutcome::ok) report.outcome = r.outcome;
      return r.outcome == ops::ControlOutcome::ok;
    };
    if (action == ops::Action::stop) {
      if (!kafka || add(ops::control_kafka_node(ctx, *kafka, action, force))) {
        if (server) add(ops::control_node(ctx, *server, action, force));
      }
    } else {
      if (!server || add(ops::control_node(ctx, *server, action, force))) {
        if (kafka) add(ops::control_kafka_node(ctx, *kafka, action, force));
      }
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
