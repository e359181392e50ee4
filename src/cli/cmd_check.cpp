#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/check.hpp"
#include "util/table.hpp"

namespace zkctl::cli {

int cmd_check(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  plan::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  ops::CheckReport r = ops::check(ctx);
  auto word = [](ops::Verdict v) {
    return v == ops::Verdict::ok ? "ok" : v == ops::Verdict::warn ? "WARN" : "FAIL";
  };
  if (output == Output::json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& i : r.items) {
      items.push_back({{"host", i.host},
                       {"check", i.check},
                       {"verdict", word(i.verdict)},
                       {"detail", i.detail}});
    }
    nlohmann::json j = {{"cluster", loaded->cluster.name}, {"ok", !r.failed()}, {"items", items}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    util::Table t({{"RESULT"}, {"HOST"}, {"CHECK"}, {"DETAIL"}});
    for (const auto& i : r.items) {
      t.add_row({word(i.verdict), i.host.empty() ? "-" : i.host, i.check, i.detail});
    }
    std::printf("%s%s\n", t.render().c_str(), r.failed() ? "check: FAILED" : "check: OK");
  }
  return r.failed() ? kPreflightFailed : kOk;
}

}  // namespace zkctl::cli
