#pragma once
// Which cluster a command works on: -i INVENTORY, else the recorded cluster
// (-c NAME, or the one deployed last).

#include <optional>
#include <string>

#include "inventory/model.hpp"

namespace zkctl::cli {

struct ClusterChoice {
  std::string inventory_path;  // -i/--inventory; wins over the record
  std::string cluster_name;    // -c/--cluster
};

struct LoadedCluster {
  inventory::Cluster cluster;
  std::string text;  // the inventory's TOML, for the record
  std::string path;  // where it was read from
};

// Load and validate the chosen inventory; prints warnings, and on errors prints
// them (one line each) and returns nothing.
std::optional<LoadedCluster> load_cluster(const ClusterChoice& choice);

}  // namespace zkctl::cli
