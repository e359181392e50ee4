#pragma once
// The Kafka part of `zkctl status`: per node whether its process runs, whether
// the cluster knows it as a registered broker, whether its listener answers,
// and who the active controller is.

#include <optional>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "ops/kafka/health.hpp"

namespace zkctl::ops {

struct KafkaNodeStatus {
  const inventory::KafkaNode* node = nullptr;
  std::optional<bool> process_up;  // unset: could not ask over SSH
  std::optional<int> pid;
  bool registered = false;   // brokers only
  bool listener_ok = false;  // the node's own listener answered a metadata request
  bool controller = false;   // the active controller (zookeeper mode) / quorum leader (kraft)
  std::string detail;
};

struct KafkaStatus {
  std::vector<KafkaNodeStatus> nodes;
  KafkaHealth health;
  // Every configured broker registered (and, in KRaft, the quorum has a leader).
  bool ok() const;
};

KafkaStatus collect_kafka_status(Context& ctx);

}  // namespace zkctl::ops
