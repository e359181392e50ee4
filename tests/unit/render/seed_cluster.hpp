#pragma once
// The seed layout the golden files show, built by hand (no inventory loader):
// voters node1..node3 (ids 1-3), observer nn01 (id 4).

#include "inventory/model.hpp"

namespace zkctl::render::testing {

inline inventory::Server seed_server(const char* host, int id, inventory::Role role) {
  inventory::Server s;
  s.host = host;
  s.id = id;
  s.role = role;
  s.ports = inventory::Ports{.client = 2181, .peer = 2888, .election = 3888, .admin = 0};
  s.install_dir = "/opt/zookeeper";
  s.data_dir = "/var/lib/zookeeper";
  return s;
}

inline inventory::Cluster seed_cluster() {
  inventory::Cluster c;
  c.name = "seed";
  c.zookeeper.heap_mb = 256;
  c.zookeeper.extra_config = {{"autopurge.snapRetainCount", "3"},
                              {"autopurge.purgeInterval", "24"}};
  // Out of id order on purpose: zoo.cfg lists servers sorted by id.
  c.servers.push_back(seed_server("nn01", 4, inventory::Role::observer));
  c.servers.push_back(seed_server("node1", 1, inventory::Role::voter));
  c.servers.push_back(seed_server("node2", 2, inventory::Role::voter));
  c.servers.push_back(seed_server("node3", 3, inventory::Role::voter));
  return c;
}

}  // namespace zkctl::render::testing
