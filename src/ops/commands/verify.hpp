#pragma once
// `zkctl verify`: the smoke test operators run by hand, built in. A znode
// written through one ZooKeeper server is read back through another; then a
// Kafka topic (replication min(3, brokers)) gets N messages produced through
// one broker and consumed back through another; then both are cleaned up.

#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

struct VerifyStep {
  std::string name;  // "zookeeper round trip", "kafka produce", ...
  bool ok = false;
  std::string detail;  // what was done and measured, or the error
  double ms = 0;       // wall time of the step
};

struct VerifyReport {
  std::vector<VerifyStep> steps;
  int produced = 0;  // messages acknowledged by Kafka
  int consumed = 0;  // of those, read back
  int lost = 0;      // acknowledged but not read back
  bool ok() const;
};

// `messages`: how many Kafka messages to pass through.
VerifyReport verify(Context& ctx, int messages);

}  // namespace zkctl::ops
