// [zookeeper], [zookeeper.config] and [[zookeeper.servers]].

#include <algorithm>
#include <array>
#include <map>

#include "inventory/load_rack.hpp"
#include "inventory/load_sections.hpp"
#include "inventory/validate.hpp"

namespace zkctl::inventory::detail {
namespace {

const std::vector<std::string_view> kZooKeeperKeys = {
    "distribution", "install_dir",   "data_dir",          "data_log_dir", "client_port",
    "peer_port",    "election_port", "admin_port",        "heap_mb",      "tick_time",
    "init_limit",   "sync_limit",    "four_letter_words", "config",       "servers"};
const std::vector<std::string_view> kServerKeys = {
    "host",          "id",         "role",        "client_port", "peer_port",
    "election_port", "admin_port", "install_dir", "data_dir",    "data_log_dir",
    "ssh_user",      "ssh_port",   "ssh_become",  "rack"};
constexpr std::array<std::string_view, 4> kPortKeys = {"client_port", "peer_port", "election_port",
                                                       "admin_port"};

int& port_ref(Ports& p, std::string_view key) {
  if (key == "client_port") return p.client;
  if (key == "peer_port") return p.peer;
  if (key == "election_port") return p.election;
  return p.admin;
}

// Cluster-wide defaults every server starts from.
struct Defaults {
  Server server;  // ports, dirs and [ssh] of a server that sets none of them
  std::map<std::string, SourcePos, std::less<>> port_pos;  // set in [zookeeper]
  SourcePos install_dir_pos;
  SourcePos data_dir_pos;
  SourcePos data_log_dir_pos;
};

// Whether the inventory needs a ZooKeeper ensemble: yes unless [kafka] is in
// KRaft mode (or names no valid mode, which is reported on its own).
bool zookeeper_required(const toml::table& root) {
  const toml::node* k = root.get("kafka");
  if (k == nullptr || !k->is_table()) return true;
  const toml::node* mode = k->as_table()->get("mode");
  if (mode == nullptr) return true;
  return mode->is_string() && mode->as_string()->get() == "zookeeper";
}

// True when `t` has a non-empty `servers` entry.
bool has_servers(const toml::table& t) {
  const toml::node* n = t.get("servers");
  return n != nullptr && !(n->is_array() && n->as_array()->empty());
}

void check_distinct_default_ports(Reader& r, const Defaults& d) {
  Ports ports = d.server.ports;
  for (size_t i = 0; i < kPortKeys.size(); ++i) {
    for (size_t j = i + 1; j < kPortKeys.size(); ++j) {
      const int a = port_ref(ports, kPortKeys[i]);
      const int b = port_ref(ports, kPortKeys[j]);
      if (a == 0 || a != b) continue;
      const std::string later(kPortKeys[j]);
      const auto it = d.port_pos.find(later);
      const SourcePos pos =
          it != d.port_pos.end() ? it->second : d.port_pos.find(kPortKeys[i])->second;
      r.error(pos, "zookeeper." + later + ": " + std::to_string(b) + " equals zookeeper." +
                       std::string(kPortKeys[i]) + "; a server's ports must differ");
    }
  }
}

Defaults read_defaults(Reader& r, const toml::table& t, const Cluster& c) {
  Defaults d;
  d.server.install_dir = "/opt/zookeeper";
  d.server.data_dir = "/var/lib/zookeeper";
  d.server.ssh = c.ssh;
  Origin o;
  r.override_remote_dir(t, "install_dir", "zookeeper", EmptyOk::no, "ZooKeeper",
                        d.server.install_dir, o, RemoteDirKind::install);
  d.install_dir_pos = o.pos;
  o = {};
  r.override_remote_dir(t, "data_dir", "zookeeper", EmptyOk::no, "ZooKeeper", d.server.data_dir, o);
  d.data_dir_pos = o.pos;
  o = {};
  r.override_remote_dir(t, "data_log_dir", "zookeeper", EmptyOk::yes, "ZooKeeper",
                        d.server.data_log_dir, o);
  d.data_log_dir_pos = o.pos;
  for (std::string_view key : kPortKeys) {
    o = {};
    r.override_port(t, key, "zookeeper", port_ref(d.server.ports, key), o);
    if (o.overridden) d.port_pos[std::string(key)] = o.pos;
  }
  check_distinct_default_ports(r, d);
  NodeSource set;  // which default dirs [zookeeper] sets
  set.origins["install_dir"] = {d.install_dir_pos, d.install_dir_pos.line != 0};
  set.origins["data_dir"] = {d.data_dir_pos, d.data_dir_pos.line != 0};
  set.origins["data_log_dir"] = {d.data_log_dir_pos, d.data_log_dir_pos.line != 0};
  check_own_dirs(r, d.server.used_dirs(), set, "zookeeper", kZooKeeperKind);
  return d;
}

void load_four_letter_words(Reader& r, const toml::table& t, ZooKeeperSettings& z) {
  const toml::node* n = t.get("four_letter_words");
  if (n == nullptr) return;
  if (!n->is_array()) {
    r.error(r.at(*n),
            "zookeeper.four_letter_words: expected an array of strings, got " + type_name(*n));
    return;
  }
  const auto& known = known_four_letter_words();
  bool all = false;
  r.for_each_string(*n, "zookeeper.four_letter_words",
                    [&](const toml::node& e, const std::string& w, const std::string& path) {
                      if (w == "*") {
                        all = true;
                        return true;
                      }
                      if (std::find(known.begin(), known.end(), w) == known.end()) {
                        r.error_with_hint(
                            r.at(e),
                            path + ": " + show(w) + " is not a four-letter word ZooKeeper knows", w,
                            known);
                        return false;
                      }
                      auto& words = z.four_letter_words;
                      if (std::find(words.begin(), words.end(), w) == words.end())
                        words.push_back(w);
                      return true;
                    });
  if (all) z.four_letter_words = {"*"};
}

void load_config(Reader& r, const toml::table& cfg, ZooKeeperSettings& z) {
  for (const ConfigValue& e : r.read_config(cfg, "zookeeper.config", "zoo.cfg", AsciiOnly::yes)) {
    const ZooCfgKeyInfo info = classify_zoo_cfg_key(e.key);
    if (info.kind == ZooCfgKeyInfo::Kind::managed) {
      r.error(e.key_pos, "zookeeper.config: " + show(e.key) + " is managed by zkctl; set " +
                             info.hint + " instead");
      continue;
    }
    if (info.kind == ZooCfgKeyInfo::Kind::unknown) {
      std::string msg =
          "zookeeper.config: " + show(e.key) +
          " is not a known ZooKeeper option (ZooKeeper would silently turn it into the Java "
          "system property 'zookeeper." +
          e.key + "')";
      if (!info.hint.empty()) msg += "; did you mean '" + info.hint + "'?";
      r.warn(e.key_pos, msg);
    }
    if (e.key == "reconfigEnabled" && lowercase(e.text) == "true") {
      r.error(e.key_pos,
              "zookeeper.config: reconfigEnabled=true lets ZooKeeper rewrite the zoo.cfg zkctl "
              "renders (dynamic configuration); zkctl changes membership with rolling config "
              "updates instead (README: scale out and in)");
      continue;
    }
    z.extra_config.emplace_back(e.key, e.text);
  }
}

// `role`: true when valid (absent counts as valid).
bool read_role(Reader& r, const toml::table& t, const std::string& path, Server& s) {
  auto role = r.read_string(t, "role", path + ".role");
  if (!role) return t.get("role") == nullptr;
  if (*role == "voter") {
    s.role = Role::voter;
  } else if (*role == "observer") {
    s.role = Role::observer;
  } else {
    r.error(r.at(*t.get("role")),
            path + ".role: " + show(*role) + " is not a role; expected 'voter' or 'observer'");
    return false;
  }
  return true;
}

Server load_server(Reader& r, const toml::table& t, const std::string& path, const Defaults& d,
                   NodeSource& src, bool& role_ok) {
  Server s = d.server;
  load_node(r, t, path, kZooKeeperKind, kServerKeys, d.install_dir_pos, s, src);
  role_ok = read_role(r, t, path, s);
  read_rack(r, t, path, s, src);

  for (std::string_view key : kPortKeys) {
    Origin& o = src.origins[std::string(key)];
    if (auto it = d.port_pos.find(key); it != d.port_pos.end()) o.pos = it->second;
    r.override_port(t, key, path, port_ref(s.ports, key), o);
  }
  check_own_ports(r, s.used_ports(), src, path, kZooKeeperKind);

  src.origins["data_dir"] = Origin{d.data_dir_pos, false};
  r.override_remote_dir(t, "data_dir", path, EmptyOk::no, "ZooKeeper", s.data_dir,
                        src.origins["data_dir"]);
  src.origins["data_log_dir"] = Origin{d.data_log_dir_pos, false};
  r.override_remote_dir(t, "data_log_dir", path, EmptyOk::yes, "ZooKeeper", s.data_log_dir,
                        src.origins["data_log_dir"]);
  check_own_dirs(r, s.used_dirs(), src, path, kZooKeeperKind);
  return s;
}

// At least one voter; warnings for ensembles that tolerate no failure or waste one.
void check_voters(Reader& r, const Cluster& c) {
  if (c.servers.empty()) return;
  const int voters = static_cast<int>(c.voters().size());
  const SourcePos first = c.servers.front().pos;
  if (voters == 0) {
    r.error(first,
            "no voters: every server is an observer; at least one must have role = \"voter\"");
    return;
  }
  if (voters < 3)
    r.warn(first, std::to_string(voters) + (voters == 1 ? " voter" : " voters") +
                      ": no server failure will be tolerated; use at least 3 voters");
  if (voters % 2 == 0)
    r.warn(first, std::to_string(voters) + " voters tolerate no more failures than " +
                      std::to_string(voters - 1) + "; use an odd number of voters");
}

void load_servers(Reader& r, const toml::table& zk, Cluster& c, const Defaults& d,
                  std::vector<NodeSource>& sources) {
  bool roles_known = true;
  for_each_node_table(r, zk, kZooKeeperKind, [&](const toml::table& t, const std::string& path) {
    bool role_ok = true;
    sources.emplace_back();
    c.servers.push_back(load_server(r, t, path, d, sources.back(), role_ok));
    roles_known = roles_known && role_ok;
  });
  std::vector<const Node*> nodes;
  for (const Server& s : c.servers) nodes.push_back(&s);
  check_unique_ids(r, nodes, sources, kZooKeeperKind);
  check_racks_all_or_none(r, nodes, sources, kZooKeeperKind);
  if (roles_known) check_voters(r, c);
}

}  // namespace

void load_zookeeper(Reader& r, const toml::table& root, Cluster& c,
                    std::vector<NodeSource>& sources) {
  const bool required = zookeeper_required(root);
  const toml::table* t = r.read_table(root, "zookeeper", "zookeeper");
  if (t == nullptr) {
    if (root.get("zookeeper") == nullptr && root.get("kafka") == nullptr)
      r.error(r.file_start(), "missing required table [zookeeper]");
    return;
  }
  r.check_keys(*t, "in [zookeeper]", kZooKeeperKeys);
  ZooKeeperSettings& z = c.zookeeper;

  // A KRaft inventory may keep a [zookeeper] table without servers: nothing of it is used.
  const bool servers_needed = required || has_servers(*t);
  if (t->get("distribution") != nullptr || servers_needed)
    r.read_distribution(*t, "zookeeper", z.distribution, z.distribution_pos);

  const Defaults d = read_defaults(r, *t, c);
  if (auto v = r.read_int(*t, "heap_mb", "zookeeper.heap_mb", 16, 1 << 20)) z.heap_mb = *v;
  if (auto v = r.read_int(*t, "tick_time", "zookeeper.tick_time", 1, 600000)) z.tick_time_ms = *v;
  if (auto v = r.read_int(*t, "init_limit", "zookeeper.init_limit", 1, 100000)) z.init_limit = *v;
  if (auto v = r.read_int(*t, "sync_limit", "zookeeper.sync_limit", 1, 100000)) z.sync_limit = *v;

  load_four_letter_words(r, *t, z);
  if (const toml::table* cfg = r.read_table(*t, "config", "zookeeper.config"))
    load_config(r, *cfg, z);
  if (servers_needed) load_servers(r, *t, c, d, sources);
}

}  // namespace zkctl::inventory::detail
