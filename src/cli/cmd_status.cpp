#include <cstdio>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "ops/status.hpp"

namespace zkctl::cli {

int cmd_status(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  plan::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  ops::ClusterStatus status = ops::collect_status(ctx);
  if (output == Output::json) {
    std::printf("%s\n", status_json(loaded->cluster.name, status).dump(2).c_str());
  } else {
    std::printf("%s", status_table(status).c_str());
  }
  return status.quorum.ok() ? kOk : kNoQuorum;
}

}  // namespace zkctl::cli
