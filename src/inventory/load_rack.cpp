#include "inventory/load_rack.hpp"

#include "inventory/validate.hpp"

namespace zkctl::inventory::detail {

void read_rack(Reader& r, const toml::table& t, const std::string& path, Node& node,
               NodeSource& src) {
  if (t.get("rack") == nullptr) return;
  const SourcePos pos = r.at(*t.get("rack"));
  src.origins["rack"] = Origin{pos, true};  // present, valid or not (reported here)
  auto rack = r.read_string(t, "rack", path + ".rack");
  if (!rack) return;
  if (!is_valid_cluster_name(*rack)) {
    r.error(pos, path + ".rack: " + show(*rack) +
                     " is not a rack name (1-64 letters, digits, '_', '.', '-'; not starting "
                     "with '.' or '-')");
    return;
  }
  node.rack = *rack;
}

void check_racks_all_or_none(Reader& r, const std::vector<const Node*>& nodes,
                             const std::vector<NodeSource>& src, const NodeKind& kind) {
  const Node* with = nullptr;
  for (size_t i = 0; i < nodes.size() && with == nullptr; ++i)
    if (!nodes[i]->rack.empty()) with = nodes[i];
  if (with == nullptr) return;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (src[i].origins.count("rack")) continue;
    r.error(nodes[i]->pos, "missing key 'rack' in " + std::string(kind.table) + " (host " +
                               show(nodes[i]->host) + "): " + std::string(kind.name) + " id " +
                               std::to_string(with->id) + " (line " +
                               std::to_string(with->pos.line) + ") names rack " + show(with->rack) +
                               "; give every " + std::string(kind.noun) + " a rack or none");
    return;  // one line: the first node without one
  }
}

}  // namespace zkctl::inventory::detail
