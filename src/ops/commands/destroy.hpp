#pragma once
// `zkctl destroy`: stop everything (Kafka brokers, then controllers, then the
// ensemble: observers, followers, leader last) and remove what deploy
// installed. Data dirs (ZooKeeper's data_dir and data_log_dir, Kafka's log dirs)
// are kept unless `purge` is yes. A directory is removed only if it carries this
// cluster's mark (.zkctl-cluster, written by deploy) and, unless `force` is yes,
// holds nothing zkctl or its service did not put there; every dir kept is
// reported with the reason.

#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

enum class PurgeData { no, yes };
// Whether a marked dir holding files zkctl did not put there is removed anyway.
enum class ForceRemove { no, yes };

struct DestroyReport {
  bool ok = true;
  std::vector<std::string> errors;   // "host: what: error"
  std::vector<std::string> removed;  // "host:path"
  std::vector<std::string> kept;     // "host:path (why)"
};

DestroyReport destroy(Context& ctx, PurgeData purge, ForceRemove force = ForceRemove::no);

}  // namespace zkctl::ops
