#pragma once
// `zkctl status`'s metrics line per node: what a node's Prometheus endpoint ([metrics]) adds to
// the four-letter words and the Kafka protocol, read like a four-letter word: HTTP over TCP
// from ZooKeeper's provider, HTTPS from the JMX exporter agent (Kafka's on a secure cluster,
// ZooKeeper's on a zoo.cfg with TLS).

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "ops/context.hpp"
#include "probe/prometheus.hpp"

namespace zkctl::ops {

// The chosen values of one node's endpoint, in display order; or why there are none.
struct NodeMetrics {
  bool enabled = false;  // the node serves metrics ([metrics] on, its port set)
  std::string error;     // the fetch failed (shown instead of values)
  std::vector<std::pair<std::string, double>> values;  // JSON key -> value, display order

  // "outstanding 0, avg latency 0.4 ms, heap 34/256 MiB"; "unavailable: <error>"; "" when off.
  std::string line() const;
  // {"outstanding_requests": 0, ...} or {"error": "..."}; null when off.
  nlohmann::json json() const;
};

// The values status shows of a ZooKeeper server's provider page.
NodeMetrics zookeeper_metrics_of(const probe::Samples& samples);

// The values status shows of a Kafka node's agent page.
NodeMetrics kafka_metrics_of(const probe::Samples& samples);

// Fetch and pick, bounded by the probe timeout; `enabled` false when the node serves none.
NodeMetrics zookeeper_node_metrics(Context& ctx, const inventory::Server& server);
NodeMetrics kafka_node_metrics(Context& ctx, const inventory::KafkaNode& node);

}  // namespace zkctl::ops
