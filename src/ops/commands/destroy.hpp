#pragma once
// `zkctl destroy`: stop everything (Kafka brokers, then controllers, then the
// ensemble: observers, followers, leader last) and remove what deploy
// installed. Data dirs are kept unless `purge` is yes. A directory is removed
// only if it carries zkctl's marks (an install dir with releases/ and a
// current/.zkctl-release; a ZooKeeper data dir with myid; a Kafka log dir with
// meta.properties), so a mistyped path never deletes someone else's files.

#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

enum class PurgeData { no, yes };

struct DestroyReport {
  bool ok = true;
  std::vector<std::string> errors;   // "host: what: error"
  std::vector<std::string> removed;  // "host:path"
  std::vector<std::string> kept;     // "host:path (why)"
};

DestroyReport destroy(Context& ctx, PurgeData purge);

}  // namespace zkctl::ops
