#include "inventory/load_node.hpp"

#include <utility>

#include "inventory/validate.hpp"

namespace zkctl::inventory::detail {
namespace {

// Where `key` of a node came from; a key never recorded: inherited, position unknown.
const Origin& origin_of(const NodeSource& src, std::string_view key) {
  static const Origin kUnknown;
  const auto it = src.origins.find(key);
  return it == src.origins.end() ? kUnknown : it->second;
}

// `a` as a message to a node of kind `viewer` names it.
std::string label(const PlacedNode& a, const NodeKind& viewer) {
  const std::string_view name = a.kind == &viewer ? a.kind->name : a.kind->full_name;
  return std::string(name) + " id " + std::to_string(a.node->id) + " (line " +
         std::to_string(a.node->pos.line) + ")";
}

// `child` lies strictly below `parent` (both normalized, absolute).
bool is_inside(const std::string& child, const std::string& parent) {
  return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 &&
         child[parent.size()] == '/';
}

// Ports of `b` that `a` (same host, earlier) listens on too.
void check_ports(Reader& r, const PlacedNode& a, const PlacedNode& b) {
  const std::string host = "host " + show(b.node->host);
  const std::string other = label(a, *b.kind);
  std::vector<std::pair<PortUse, PortUse>> inherited;  // clashes on ports b did not set itself
  for (const PortUse& pb : b.ports) {
    for (const PortUse& pa : a.ports) {
      if (pa.port != pb.port) continue;
      const Origin& ob = origin_of(*b.src, pb.key);
      if (!ob.overridden) {
        inherited.emplace_back(pb, pa);
        continue;
      }
      r.error(ob.pos, host + " port " + std::to_string(pb.port) + " (" + pb.key +
                          ") is already used by " + other + " as its " + pa.key);
    }
  }
  if (inherited.size() == 1) {
    const auto& [pb, pa] = inherited.front();
    r.error(b.src->host, host + " port " + std::to_string(pb.port) + " (" + pb.key +
                             ") is already used by " + other + " as its " + pa.key);
  } else if (!inherited.empty()) {
    std::string list;
    for (const auto& [pb, pa] : inherited)
      list += (list.empty() ? "" : ", ") + pb.key + " " + std::to_string(pb.port) +
              (pa.key == pb.key ? "" : " (its " + pa.key + ")");
    r.error(b.src->host, host + " already runs " + other + " with the same ports: " + list +
                             "; give one of them its own ports");
  }
}

// Directories of `b` equal to, inside or around one of `a` (same host, earlier).
void check_dirs(Reader& r, const PlacedNode& a, const PlacedNode& b) {
  const std::string other = label(a, *b.kind);
  for (const DirUse& db : b.dirs) {
    const Origin& ob = origin_of(*b.src, db.key);
    const SourcePos& pos = ob.overridden ? ob.pos : b.src->host;
    const std::string what = "host " + show(b.node->host) + " " + db.label + " " + show(db.dir);
    for (const DirUse& da : a.dirs) {
      if (da.dir == db.dir)
        r.error(pos, what + " is already used by " + other + " as its " + da.label);
      else if (is_inside(db.dir, da.dir))
        r.error(pos, what + " lies inside " + show(da.dir) + ", the " + da.label + " of " + other);
      else if (is_inside(da.dir, db.dir))
        r.error(pos, what + " holds " + show(da.dir) + ", the " + da.label + " of " + other);
    }
  }
}

bool placed(const PlacedNode& n) {
  return n.src->host_ok && n.src->kind_ok;
}

}  // namespace

void load_node(Reader& r, const toml::table& t, const std::string& path, const NodeKind& kind,
               const std::vector<std::string_view>& keys, const SourcePos& install_dir_pos,
               Node& node, NodeSource& src) {
  const std::string table(kind.table);
  r.check_keys(t, "in " + table, keys);
  node.pos = r.at(t);
  if (auto host = r.read_string(t, "host", path + ".host")) {
    src.host = r.at(*t.get("host"));
    if (is_valid_host(*host)) {
      node.host = *host;
      src.host_ok = true;
    } else {
      r.error(src.host,
              path + ".host: " + show(*host) + " is not a valid host name, IPv4 or IPv6 address");
    }
  } else if (t.get("host") == nullptr) {
    r.error(node.pos, "missing required key 'host' in " + table);
  }

  if (auto id = r.read_int(t, "id", path + ".id", kind.min_id, kind.max_id)) {
    node.id = *id;
    src.id = r.at(*t.get("id"));
    src.id_ok = true;
  } else if (t.get("id") == nullptr) {
    r.error(node.pos, "missing required key 'id' in " + table);
  }

  Origin& install = src.origins["install_dir"] = Origin{install_dir_pos, false};
  r.override_remote_dir(t, "install_dir", path, EmptyOk::no, kind.product, node.install_dir,
                        install, RemoteDirKind::install);

  if (auto user = r.read_user(t, "ssh_user", path + ".ssh_user")) node.ssh.user = *user;
  if (auto v = r.read_port(t, "ssh_port", path + ".ssh_port")) node.ssh.port = *v;
  if (auto v = r.read_become(t, "ssh_become", path + ".ssh_become")) node.ssh.become = *v;
}

void check_own_ports(Reader& r, const std::vector<PortUse>& ports, const NodeSource& src,
                     const std::string& path, const NodeKind& kind) {
  const std::string noun(kind.noun);
  for (size_t i = 0; i < ports.size(); ++i) {
    for (size_t j = i + 1; j < ports.size(); ++j) {
      const Origin& oa = origin_of(src, ports[i].key);
      const Origin& ob = origin_of(src, ports[j].key);
      if ((!oa.overridden && !ob.overridden) || ports[i].port != ports[j].port) continue;
      const PortUse& culprit = ob.overridden ? ports[j] : ports[i];
      const PortUse& other = ob.overridden ? ports[i] : ports[j];
      r.error(ob.overridden ? ob.pos : oa.pos,
              path + "." + culprit.key + ": " + std::to_string(culprit.port) + " equals " +
                  other.key + " of the same " + noun + "; a " + noun + "'s ports must differ");
    }
  }
}

void check_own_dirs(Reader& r, const std::vector<DirUse>& dirs, const NodeSource& src,
                    const std::string& path, const NodeKind& kind) {
  const std::string noun(kind.noun);
  for (size_t i = 0; i < dirs.size(); ++i) {
    for (size_t j = i + 1; j < dirs.size(); ++j) {
      const Origin& oa = origin_of(src, dirs[i].key);
      const Origin& ob = origin_of(src, dirs[j].key);
      if (!oa.overridden && !ob.overridden) continue;
      const DirUse& culprit = ob.overridden ? dirs[j] : dirs[i];
      const DirUse& other = ob.overridden ? dirs[i] : dirs[j];
      std::string relation;
      if (culprit.dir == other.dir)
        relation = "is also";
      else if (is_inside(culprit.dir, other.dir))
        relation = "lies inside";
      else if (is_inside(other.dir, culprit.dir))
        relation = "holds";
      else
        continue;
      r.error(ob.overridden ? ob.pos : oa.pos,
              path + "." + culprit.key + ": " + show(culprit.dir) + " " + relation + " the " +
                  other.label + " " + show(other.dir) + " of the same " + noun +
                  "; destroy removes an install dir and keeps data dirs, so a " + noun +
                  "'s directories must not overlap");
    }
  }
}

void check_unique_ids(Reader& r, const std::vector<const Node*>& nodes,
                      const std::vector<NodeSource>& src, const NodeKind& kind) {
  std::map<int, size_t> by_id;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!src[i].id_ok) continue;
    auto [it, inserted] = by_id.emplace(nodes[i]->id, i);
    if (inserted) continue;
    const Node& first = *nodes[it->second];
    const std::string who = first.host.empty() ? "the " + std::string(kind.noun)
                                               : std::string(kind.noun) + " " + show(first.host);
    r.error(src[i].id, "duplicate " + std::string(kind.name) + " id " +
                           std::to_string(nodes[i]->id) + ": already used by " + who + " at line " +
                           std::to_string(first.pos.line));
  }
}

void check_same_host(Reader& r, const std::vector<PlacedNode>& nodes) {
  for (size_t j = 0; j < nodes.size(); ++j) {
    const PlacedNode& b = nodes[j];
    if (!placed(b)) continue;
    const std::string host = lowercase(b.node->host);
    // Nodes of its own kind first, then the other kinds'.
    for (const bool same_kind : {true, false}) {
      for (size_t i = 0; i < j; ++i) {
        const PlacedNode& a = nodes[i];
        if ((a.kind == b.kind) != same_kind || !placed(a) || lowercase(a.node->host) != host)
          continue;
        check_ports(r, a, b);
        check_dirs(r, a, b);
      }
    }
  }
}

}  // namespace zkctl::inventory::detail
