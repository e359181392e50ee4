#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/commands/check.hpp"
#include "util/table.hpp"

namespace zkctl::cli {

int cmd_check(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  runner::NullProgress progress;
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
      const util::Paint paint = i.verdict == ops::Verdict::ok     ? util::Paint::green
                                : i.verdict == ops::Verdict::warn ? util::Paint::yellow
                                                                  : util::Paint::red;
      t.add_row({util::paint(word(i.verdict), paint, g.color), i.host.empty() ? "-" : i.host,
                 i.check, i.detail});
    }
    std::printf("%s%s\n", t.render().c_str(),
                r.failed() ? util::paint("check: FAILED", util::Paint::red, g.color).c_str()
                           : util::paint("check: OK", util::Paint::green, g.color).c_str());
  }
  return r.failed() ? kPreflightFailed : kOk;
}

}  // namespace zkctl::cli
