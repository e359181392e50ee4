#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/deploy.hpp"

namespace zkctl::cli {

int cmd_plan(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  plan::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  ops::DeployReport report = ops::deploy(ctx, ops::DeployMode::plan_only);
  if (report.outcome == ops::DeployOutcome::preflight_failed) {
    std::fprintf(stderr, "zkctl: pre-flight failed; deploy would change nothing:\n");
    for (const auto& p : report.preflight) std::fprintf(stderr, "  %s\n", p.c_str());
    return kPreflightFailed;
  }
  if (report.outcome == ops::DeployOutcome::refused) {
    std::fprintf(stderr, "zkctl: deploy would be refused:\n");
    for (const auto& p : report.refusals) std::fprintf(stderr, "  %s\n", p.c_str());
    return kRefused;
  }
  int uploads = 0, files = 0;
  std::vector<std::string> starts, restarts, removes;
  for (const auto& c : report.changes) {
    uploads += c.upload ? 1 : 0;
    files += static_cast<int>(c.files.size());
    std::string who = c.host + (c.component == "kafka" ? " (kafka)" : "");
    if (c.action == "restart") restarts.push_back(who);
    if (c.action == "start" || c.action == "format, start") starts.push_back(who);
    if (c.action.rfind("take out", 0) == 0 || c.action.rfind("stop", 0) == 0)
      removes.push_back(who);
  }
  const bool changes = uploads || files || !starts.empty() || !restarts.empty() || !removes.empty();
  if (output == Output::json) {
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& c : report.changes) {
      nlohmann::json fj = nlohmann::json::array();
      for (const auto& f : c.files) fj.push_back({{"path", f.path}, {"diff", f.diff}});
      hosts.push_back({{"host", c.host},
                       {"component", c.component},
                       {"upload", c.upload},
                       {"files", fj},
                       {"action", c.action}});
    }
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& st : report.stages)
      stages.push_back({{"name", st.name}, {"order", st.order}, {"jobs", st.jobs}});
    nlohmann::json j = {{"cluster", loaded->cluster.name},
                        {"changes", changes},
                        {"hosts", hosts},
                        {"stages", stages}};
    std::printf("%s\n", j.dump(2).c_str());
    return kOk;
  }
  for (const auto& c : report.changes) {
    bool none = !c.upload && c.files.empty() && c.action == "none";
    std::printf("%s (%s): %s\n", c.host.c_str(), c.component.c_str(),
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
  if (changes) {
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
  if (!changes) {
    std::printf("plan: no changes; deploy would upload nothing and restart nothing\n");
  } else {
    std::printf(
        "plan: %d distribution uploads, %d files to write; start: %s; restart (rolling: "
        "observers, followers, leader last; brokers one at a time): %s; remove: %s\n",
        uploads, files, join(starts).c_str(), join(restarts).c_str(), join(removes).c_str());
  }
  return kOk;
}

}  // namespace zkctl::cli
