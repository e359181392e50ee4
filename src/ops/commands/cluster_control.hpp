#pragma once
// Stop or start the whole cluster in a safe order. Stop: Kafka brokers, then
// KRaft controllers, then the ensemble: observers, followers, the leader last
// (so leadership never moves while stopping). Start: the reverse: every
// ZooKeeper server at once (an ensemble needs a majority to elect) and wait for
// their roles, then every Kafka node and wait until every broker is registered.

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
