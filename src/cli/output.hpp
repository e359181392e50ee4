#pragma once
// How read commands print: a text table for people, JSON for programs.

#include <nlohmann/json.hpp>
#include <string>

#include "ops/kafka/status.hpp"
#include "ops/zookeeper/status.hpp"
#include "util/color.hpp"

namespace zkctl::cli {

// The status table plus the quorum line; `color` paints roles, modes and the verdict.
std::string status_table(const ops::ClusterStatus& status, util::Color color = util::Color::off);

// The colour of a mode cell: serving green, down red, anything else yellow.
util::Paint mode_paint(probe::Mode mode);

// The same facts as JSON: {"cluster", "nodes": [...], "quorum": {...}}.
nlohmann::json status_json(const std::string& cluster_name, const ops::ClusterStatus& status);

// The Kafka table (host, id, roles, process, registered, controller, listener) and a summary line.
std::string kafka_table(const inventory::Cluster& cluster, const ops::KafkaStatus& status,
                        util::Color color = util::Color::off);

nlohmann::json kafka_json(const inventory::Cluster& cluster, const ops::KafkaStatus& status);

}  // namespace zkctl::cli
