#pragma once
// How `zkctl status` shows the Kafka nodes: the table (with the summary line) and the JSON.

#include <nlohmann/json.hpp>
#include <string>

#include "ops/component.hpp"
#include "ops/kafka/status.hpp"
#include "util/color.hpp"

namespace zkctl::ops {

// The Kafka table (host, id, roles, process, registered, controller, listener) and a summary line.
std::string kafka_table(const inventory::Cluster& cluster, const KafkaStatus& status,
                        util::Color color = util::Color::off);

nlohmann::json kafka_json(const inventory::Cluster& cluster, const KafkaStatus& status);

// The Kafka nodes' part of `zkctl status` (under "kafka" in the JSON).
class KafkaStatusView final : public TierStatus {
 public:
  KafkaStatusView(const inventory::Cluster& cluster, KafkaStatus status);
  Health health() const override;
  std::string table(util::Color color) const override;
  void add_json(nlohmann::json& j) const override;

 private:
  const inventory::Cluster& cluster_;
  KafkaStatus status_;
};

}  // namespace zkctl::ops
