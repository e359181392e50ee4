#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/commands/verify.hpp"

namespace zkctl::cli {

int cmd_verify(GlobalOptions& g, int messages, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  runner::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  ops::VerifyReport r = ops::verify(ctx, messages);
  if (output == Output::json) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.steps) {
      steps.push_back({{"step", s.name}, {"ok", s.ok}, {"detail", s.detail}, {"ms", s.ms}});
    }
    nlohmann::json j = {
        {"cluster", loaded->cluster.name}, {"ok", r.ok()},           {"steps", steps},
        {"produced", r.produced},          {"consumed", r.consumed}, {"lost", r.lost}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& s : r.steps) {
      std::printf("%-4s %-22s %s (%.0f ms)\n", s.ok ? "ok" : "FAIL", s.name.c_str(),
                  s.detail.c_str(), s.ms);
    }
    std::printf("%s\n", r.ok() ? "verify: OK" : "verify: FAILED");
  }
  return r.ok() ? kOk : kFailed;
}

}  // namespace zkctl::cli
