#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/cluster/racks.hpp"
#include "ops/commands/deploy.hpp"

namespace zkctl::cli {

namespace {

// What a plan amounts to, summed over its hosts (the closing line of the text output).
struct PlanTotals {
  int uploads = 0;                    // distributions to install
  int files = 0;                      // files to write
  std::vector<std::string> starts;    // "host" or "host (kafka)", to start
  std::vector<std::string> restarts;  // to restart
  std::vector<std::string> removes;   // to take out and stop
  // Whether deploy would change anything at all.
  bool any() const {
    return uploads || files || !starts.empty() || !restarts.empty() || !removes.empty();
  }
};

// "zookeeper", "kafka"; "kafka 14" when the host has another node of the component.
std::string component_of(const ops::HostChange& c, const ops::DeployReport& report) {
  const auto same = std::count_if(report.changes.begin(), report.changes.end(), [&](auto& o) {
    return o.host == c.host && o.component == c.component;
  });
  return same > 1 ? c.component + " " + std::to_string(c.id) : c.component;
}

PlanTotals totals_of(const ops::DeployReport& report) {
  PlanTotals t;
  for (const auto& c : report.changes) {
    t.uploads += c.upload ? 1 : 0;
    t.files += static_cast<int>(c.files.size());
    const std::string component = component_of(c, report);
    std::string who = c.host + (c.component == "kafka" ? " (" + component + ")" : "");
    if (c.action == "restart") t.restarts.push_back(who);
    if (c.action == "start" || c.action == "format, start") t.starts.push_back(who);
    if (c.action.rfind("take out", 0) == 0 || c.action.rfind("stop", 0) == 0)
      t.removes.push_back(who);
  }
  return t;
}

// The plan as one JSON document on stdout: per-host changes and the stages.
void print_plan_json(const std::string& cluster, const ops::DeployReport& report,
                     const PlanTotals& totals, const std::vector<std::string>& rack_warnings) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& c : report.changes) {
    nlohmann::json fj = nlohmann::json::array();
    for (const auto& f : c.files) fj.push_back({{"path", f.path}, {"diff", f.diff}});
    hosts.push_back({{"host", c.host},
                     {"component", c.component},
                     {"id", c.id},
                     {"upload", c.upload},
                     {"files", fj},
                     {"action", c.action}});
  }
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& st : report.stages)
    stages.push_back({{"name", st.name}, {"order", st.order}, {"jobs", st.jobs}});
  nlohmann::json j = {{"cluster", cluster},
                      {"changes", totals.any()},
                      {"hosts", hosts},
                      {"stages", stages},
                      {"rack_warnings", rack_warnings}};
  std::printf("%s\n", j.dump(2).c_str());
}

// One block per host and component: its action, the upload, each file with its diff.
void print_host_changes(const ops::DeployReport& report) {
  for (const auto& c : report.changes) {
    bool none = !c.upload && c.files.empty() && c.action == "none";
    std::printf("%s (%s): %s\n", c.host.c_str(), component_of(c, report).c_str(),
                none ? "no change" : (c.action == "none" ? "update files" : c.action.c_str()));
    if (c.upload) std::printf("  install the distribution (a different checksum is installed)\n");
    for (const auto& f : c.files) {
      std::printf("  write %s\n", f.path.c_str());
      std::size_t start = 0;
      while (start < f.diff.size()) {
        std::size_t nl = f.diff.find('\n', start);
        std::printf("    %s\n", f.diff.substr(start, nl - start).c_str());
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
  }
}

// The plan as text on stdout: host changes, the stages (when anything changes), a summary.
void print_plan_text(const ops::DeployReport& report, const PlanTotals& totals) {
  print_host_changes(report);
  if (totals.any()) {
    std::printf("stages deploy runs, in this order (each only when the one before succeeded):\n");
    for (const auto& st : report.stages) {
      std::printf("  %s%s\n", st.name.c_str(),
                  st.order.empty() ? " (all at once)" : (" (" + st.order + ")").c_str());
      for (const auto& j : st.jobs) std::printf("    %s\n", j.c_str());
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("none") : s;
  };
  if (!totals.any()) {
    // Without host changes an upgrade may still have a step to go (the second, awaited).
    for (const auto& st : report.stages)
      for (const auto& j : st.jobs)
        if (st.upgrade) std::printf("%s\n", j.c_str());
    std::printf("plan: no changes; deploy would upload nothing and restart nothing\n");
  } else {
    std::printf(
        "plan: %d distribution uploads, %d files to write; start: %s; restart (rolling: "
        "observers, followers, leader last; brokers one at a time): %s; remove: %s\n",
        totals.uploads, totals.files, join(totals.starts).c_str(), join(totals.restarts).c_str(),
        join(totals.removes).c_str());
  }
}

}  // namespace

int cmd_plan(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  runner::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  auto migration = migration_for(*loaded);  // kafka.mode "kraft" over ZooKeeper-mode brokers
  if (!migration) return kUsage;
  ops::DeployReport report;
  if (*migration) {
    auto next = migrate_plan_report(g, *loaded, **migration, output);
    if (!next) {
      std::fprintf(stderr, "%s\n", next.error().message.c_str());
      return kUsage;
    }
    report = std::move(*next);
  } else {
    report = ops::deploy(ctx, ops::DeployMode::plan_only);
  }
  if (auto code = print_not_started(
          report, {"pre-flight failed; deploy would change nothing", "deploy would be refused"}))
    return *code;
  PlanTotals totals = totals_of(report);
  const ops::RackReport racks = ops::rack_report(ctx);  // warnings only (#15)
  if (output == Output::json) {
    print_plan_json(loaded->cluster.name, report, totals, racks.warnings);
  } else {
    print_plan_text(report, totals);
    for (const auto& w : racks.warnings) std::printf("warning: racks: %s\n", w.c_str());
  }
  return kOk;
}

}  // namespace zkctl::cli
