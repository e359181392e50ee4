#pragma once
// The Kafka part of `zkctl status`: per node whether its process runs, whether
// the cluster knows it as a registered broker, whether its listener answers,
// and who the active controller is.

#include <optional>
#include <string>
#include <vector>

#include "ops/component.hpp"
#include "ops/context.hpp"
#include "ops/host/node_metrics.hpp"
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
  NodeMetrics metrics;  // its JMX exporter agent's values ([metrics] kafka_agent)
};

struct KafkaStatus {
  std::vector<KafkaNodeStatus> nodes;
  KafkaHealth health;
  // What was seen wrong, per node ("node2 (12) process down", "node2 (12) listener :9092
  // unreachable", "node2 (12) not registered") and for the cluster ("no quorum leader").
  std::vector<std::string> problems() const;
  // failed when a configured broker is down, unreachable or unregistered or the KRaft quorum
  // has no leader (clients lose partitions); degraded when only a controller-only node is
  // down or a process could not be checked over SSH; else ok.
  Health overall() const;
};

KafkaStatus collect_kafka_status(Context& ctx);

}  // namespace zkctl::ops
