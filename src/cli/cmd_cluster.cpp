#include <cstdio>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/commands/cluster_control.hpp"
#include "ops/zookeeper/rolling.hpp"

namespace zkctl::cli {

int cmd_cluster(GlobalOptions& g, ops::Action action) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto progress_printer = make_progress(g);
  runner::Progress& progress = *progress_printer;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  const std::string& name = loaded->cluster.name;
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) -> int {
    if (action == ops::Action::restart) {
      ops::RollingReport r = ops::rolling_restart(ctx);
      if (!r.ok) {
        std::fprintf(stderr, "zkctl: rolling restart of %s stopped%s%s: %s\n", name.c_str(),
                     r.stopped_at.empty() ? "" : " at ", r.stopped_at.c_str(), r.error.c_str());
        if (!r.restarted.empty()) {
          std::string done;
          for (const auto& h : r.restarted) done += (done.empty() ? "" : ", ") + h;
          std::fprintf(stderr, "zkctl: already restarted: %s; re-running is safe\n", done.c_str());
        }
        audit.summary = "rolling restart stopped at " + r.stopped_at + ": " + r.error;
        return r.refused ? kRefused : kFailed;
      }
      for (const auto& h : r.restarted) audit.hosts.push_back({h, "restarted"});
      audit.summary = "rolling restart done";
      std::string order;
      for (const auto& h : r.restarted) order += (order.empty() ? "" : " -> ") + h;
      std::printf("rolling restart of %s done: %s\n", name.c_str(), order.c_str());
      return kOk;
    }
    ops::ClusterControlReport r =
        action == ops::Action::stop ? ops::stop_cluster(ctx) : ops::start_cluster(ctx);
    audit.summary =
        std::string(action == ops::Action::stop ? "stop" : "start") + " of every server";
    for (const auto& e : r.errors) audit.hosts.push_back({"", e});
    if (!r.ok) {
      for (const auto& e : r.errors) std::fprintf(stderr, "zkctl: %s\n", e.c_str());
      return kFailed;
    }
    std::printf("%s %s: %d servers %s\n", action == ops::Action::stop ? "stopped" : "started",
                name.c_str(), r.changed, action == ops::Action::stop ? "stopped" : "started");
    return kOk;
  });
}

}  // namespace zkctl::cli
