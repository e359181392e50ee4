#pragma once
// Stop or start the whole cluster in a safe order. Stop: observers, then
// followers, the leader last (so leadership never moves while stopping).
// Start: every server at once (an ensemble needs a majority to elect), then
// wait until each serves in its role.

#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

struct ClusterControlReport {
  bool ok = true;
  std::vector<std::string> errors;  // "host: step: error"
  int changed = 0;                  // servers stopped or started
};

ClusterControlReport stop_cluster(Context& ctx);
ClusterControlReport start_cluster(Context& ctx);

}  // namespace zkctl::ops
