#pragma once
// How read commands print: a text table for people, JSON for programs.

#include <nlohmann/json.hpp>
#include <string>

#include "ops/kafka_status.hpp"
#include "ops/status.hpp"

namespace zkctl::cli {

// The status table plus the quorum line.
std::string status_table(const ops::ClusterStatus& status);

// The same facts as JSON: {"cluster", "nodes": [...], "quorum": {...}}.
nlohmann::json status_json(const std::string& cluster_name, const ops::ClusterStatus& status);

// The Kafka table (host, id, roles, process, registered, controller, listener) and a summary line.
std::string kafka_table(const inventory::Cluster& cluster, const ops::KafkaStatus& status);

nlohmann::json kafka_json(const inventory::Cluster& cluster, const ops::KafkaStatus& status);

}  // namespace zkctl::cli
