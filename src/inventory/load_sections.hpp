#pragma once
// The loader's sections per product, each reporting into the shared Reader.
// Internal to src/inventory.

#include <toml++/toml.h>

#include <vector>

#include "inventory/load_node.hpp"
#include "inventory/model.hpp"
#include "inventory/toml_reader.hpp"

namespace zkctl::inventory::detail {

// [zookeeper] and its [[zookeeper.servers]] into `c` (servers only when the inventory
// needs an ensemble); `sources[i]` says where c.servers[i]'s values came from.
void load_zookeeper(Reader& r, const toml::table& root, Cluster& c,
                    std::vector<NodeSource>& sources);

// [security] and its [[security.users]] into c.security (before load_kafka: whether
// the cluster is open decides Kafka's INTERNAL listener).
void load_security(Reader& r, const toml::table& root, Cluster& c);

// [kafka] and its [[kafka.nodes]] into `c` (after load_zookeeper: zookeeper mode needs
// servers; after load_security); `sources[i]` says where c.kafka_nodes[i]'s values came from.
void load_kafka(Reader& r, const toml::table& root, Cluster& c, std::vector<NodeSource>& sources);

// [monitoring] into c.monitoring (after the nodes: its port and install_dir must not clash with
// theirs on its host).
void load_monitoring(Reader& r, const toml::table& root, Cluster& c);

// The host agent's port ([metrics] host_port, on every host of the cluster) against every
// node's ports.
void check_host_agent_port(Reader& r, const Cluster& c);

}  // namespace zkctl::inventory::detail
