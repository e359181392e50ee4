#pragma once
// How `zkctl status` shows the ensemble: the table (with the quorum line) and the JSON.

#include <nlohmann/json.hpp>
#include <string>

#include "ops/component.hpp"
#include "ops/zookeeper/status.hpp"
#include "util/color.hpp"

namespace zkctl::ops {

// The status table plus the quorum line; `color` paints roles, modes and the verdict.
std::string status_table(const ClusterStatus& status, util::Color color = util::Color::off);

// The colour of a mode cell: serving green, down red, anything else yellow.
util::Paint mode_paint(probe::Mode mode);

// The same facts as JSON: {"cluster", "nodes": [...], "quorum": {...}}.
nlohmann::json status_json(const std::string& cluster_name, const ClusterStatus& status);

// The ensemble's part of `zkctl status`.
class ZooKeeperStatusView final : public TierStatus {
 public:
  ZooKeeperStatusView(std::string cluster_name, ClusterStatus status);
  Health health() const override;
  std::string table(util::Color color) const override;
  void add_json(nlohmann::json& j) const override;

 private:
  std::string cluster_name_;
  ClusterStatus status_;
};

}  // namespace zkctl::ops
