#pragma once
// `rack` of [[zookeeper.servers]] and [[kafka.nodes]] entries (#15): a short name per
// node, and every node of a kind naming one or none doing so. Internal to src/inventory.

#include <string>
#include <vector>

#include "inventory/load_node.hpp"

namespace zkctl::inventory::detail {

// `rack` of node table `t` (at `path`) into node.rack, where it was set into
// src.origins["rack"]; a value that is not a short name (letters, digits, '_', '.', '-',
// 1-64, not starting with '.' or '-') is reported at the value.
void read_rack(Reader& r, const toml::table& t, const std::string& path, Node& node,
               NodeSource& src);

// Every node of one kind names a rack, or none does (ZooKeeper-mode Kafka refuses to place a
// topic's replicas when only some brokers have one; a quorum's loss per rack is only known
// when every member's rack is). Reported at the first node without a rack, naming one with.
void check_racks_all_or_none(Reader& r, const std::vector<const Node*>& nodes,
                             const std::vector<NodeSource>& src, const NodeKind& kind);

}  // namespace zkctl::inventory::detail
