#pragma once
// What the loader does the same for every kind of node: the keys every node has
// (host, id, install_dir, ssh_user, ssh_port, ssh_become), the checks among a
// node's own ports, unique ids within a kind, and the one same-host cross-check
// over every node's ports and directories. Internal to src/inventory.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model.hpp"
#include "inventory/toml_reader.hpp"

namespace zkctl::inventory::detail {

// How messages and limits differ between the kinds of node.
struct NodeKind {
  std::string_view table;      // "[[zookeeper.servers]]"
  std::string_view array;      // "zookeeper.servers": the array of those tables
  std::string_view none;       // "no servers": what an empty array means
  std::string_view product;    // "ZooKeeper": who would use a directory
  std::string_view name;       // "server": among nodes of this kind ("server id 1 (line 5)")
  std::string_view full_name;  // "ZooKeeper server": to nodes of another kind
  std::string_view noun;       // "server": "a server's ports must differ", "server 'a'"
  int64_t min_id = 0;
  int64_t max_id = 0;
};

inline constexpr NodeKind kZooKeeperKind{"[[zookeeper.servers]]",
                                         "zookeeper.servers",
                                         "no servers",
                                         "ZooKeeper",
                                         "server",
                                         "ZooKeeper server",
                                         "server",
                                         1,
                                         255};
inline constexpr NodeKind kKafkaKind{"[[kafka.nodes]]", "kafka.nodes", "no Kafka nodes", "Kafka",
                                     "Kafka node",      "Kafka node",  "node",           0,
                                     2147483647};

// Each table of the node array (kind.array) in `parent` passed to `each(table, path)`;
// the array absent, empty or not an array, or an entry not a table, is reported.
template <class Each>
void for_each_node_table(Reader& r, const toml::table& parent, const NodeKind& kind, Each each) {
  const std::string array(kind.array);
  const toml::node* n = parent.get(array.substr(array.rfind('.') + 1));
  if (n != nullptr && !n->is_array()) {
    r.error(r.at(*n), array + ": expected an array of tables (" + std::string(kind.table) +
                          "), got " + type_name(*n));
    return;
  }
  if (n == nullptr || n->as_array()->empty()) {
    r.error(n == nullptr ? r.at(parent) : r.at(*n),
            std::string(kind.none) + ": add at least one " + std::string(kind.table) + " entry");
    return;
  }
  size_t i = 0;
  for (const toml::node& e : *n->as_array()) {
    const std::string path = array + "[" + std::to_string(i++) + "]";
    if (e.is_table())
      each(*e.as_table(), path);
    else
      r.error(r.at(e), path + ": expected a table, got " + type_name(e));
  }
}

// Positions of one node's values, kept beside the model for cross-node checks.
struct NodeSource {
  bool host_ok = false;  // host is set and valid
  bool id_ok = false;    // id is set and valid
  bool kind_ok = true;   // the kind's own keys that decide its ports (Kafka roles) are valid
  SourcePos host;        // the host value
  SourcePos id;          // the id value
  std::map<std::string, Origin, std::less<>> origins;  // inventory key -> where its value came from
};

// Node table `t` (at `path`; keys outside `keys` reported) into `node`, which holds
// the kind's defaults and the cluster's [ssh]: host, id, install_dir (the default set
// at `install_dir_pos`, line 0: not set) and the ssh_* overrides; where each came
// from into `src`.
void load_node(Reader& r, const toml::table& t, const std::string& path, const NodeKind& kind,
               const std::vector<std::string_view>& keys, const SourcePos& install_dir_pos,
               Node& node, NodeSource& src);

// Report two of `ports` (one node's, at `path`) that are equal when at least one of
// them was set in the node's own table (defaults are checked where they are set).
void check_own_ports(Reader& r, const std::vector<PortUse>& ports, const NodeSource& src,
                     const std::string& path, const NodeKind& kind);

// Report two of `dirs` (one node's, or its kind's defaults, at `path`) that are equal
// or nested, when at least one of them was set there (inherited pairs are checked
// where they are set): destroy removes an install dir and keeps data dirs, so a
// node's dirs must lie apart.
void check_own_dirs(Reader& r, const std::vector<DirUse>& dirs, const NodeSource& src,
                    const std::string& path, const NodeKind& kind);

// Report every node (of one kind) whose id an earlier one already has.
void check_unique_ids(Reader& r, const std::vector<const Node*>& nodes,
                      const std::vector<NodeSource>& src, const NodeKind& kind);

// One node as the same-host check sees it.
struct PlacedNode {
  const Node* node = nullptr;
  const NodeKind* kind = nullptr;
  const NodeSource* src = nullptr;
  std::vector<PortUse> ports;  // node->used_ports()
  std::vector<DirUse> dirs;    // node->used_dirs()
};

// Nodes on one host (names compared case-insensitively) must not share a port,
// nor a directory, nor hold one inside another's. Each clash is reported on the
// later node, at the value it set itself, else at its host. Nodes without a valid
// host or with !kind_ok are left out.
void check_same_host(Reader& r, const std::vector<PlacedNode>& nodes);

}  // namespace zkctl::inventory::detail
