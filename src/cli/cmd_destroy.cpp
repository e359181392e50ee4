#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/redacting_stdio.hpp"
#include "ops/cluster/state.hpp"
#include "ops/commands/destroy.hpp"

namespace zkctl::cli {

int cmd_destroy(GlobalOptions& g, const DestroyOptions& options) {
  const bool purge = options.purge == ops::PurgeData::yes;
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const std::string& name = loaded->cluster.name;
  if (!options.confirmed) {
    std::fprintf(stderr,
                 "This stops every server of cluster %s and removes its install dirs%s.\n"
                 "Type the cluster name to confirm: ",
                 name.c_str(),
                 purge ? " AND ALL ITS DATA (--purge-data)" : " (data dirs are kept)");
    flush_redacted_stdio();  // the prompt's partial line, before the answer is read
    std::string typed;
    if (!std::getline(std::cin, typed) || typed != name) {
      std::fprintf(
          stderr, "\nzkctl: not confirmed; nothing was changed (use --yes to skip the question)\n");
      return kUsage;
    }
  }
  auto progress_printer = make_progress(g);
  runner::Progress& progress = *progress_printer;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) {
    auto r = ops::destroy(ctx, options.purge, options.force);
    for (const auto& x : r.removed) audit.hosts.push_back({x, "removed"});
    for (const auto& e : r.errors) audit.hosts.push_back({"", e});
    for (const auto& k : r.kept) std::printf("kept %s\n", k.c_str());
    for (const auto& x : r.removed) std::printf("removed %s\n", x.c_str());
    if (!r.ok) {
      for (const auto& e : r.errors) std::fprintf(stderr, "zkctl: %s\n", e.c_str());
      audit.summary = "destroy failed";
      return static_cast<int>(kFailed);
    }
    audit.summary = purge ? "destroyed with data" : "destroyed (data kept)";
    for (const auto& k : r.kept) audit.hosts.push_back({k, "kept"});
    const bool only_data_kept = std::all_of(r.kept.begin(), r.kept.end(), [](const auto& k) {
      return k.ends_with("(data; --purge-data removes it)");
    });
    std::printf("destroyed %s%s%s\n", name.c_str(), purge ? " and its data" : "; data dirs kept",
                only_data_kept ? "" : "; the dirs listed as kept were left as they are");
    return static_cast<int>(kOk);
  });
}

}  // namespace zkctl::cli
