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

// [metrics] into c.metrics and each node's metrics_port (after load_zookeeper and load_kafka):
// a metrics port equal to a port of its own node, or host_port to any port on its host, is
// reported at [metrics]; Kafka nodes, and ZooKeeper servers of a cluster with [security] tls,
// need metrics.jmx_agent (old spelling kafka_agent) when [metrics] is there, and serve no
// metrics without it when it is not.
void load_metrics(Reader& r, const toml::table& root, Cluster& c);

// [monitoring] into c.monitoring (after the nodes: its port and install_dir must not clash with
// theirs on its host).
void load_monitoring(Reader& r, const toml::table& root, Cluster& c);

}  // namespace zkctl::inventory::detail
