// [kafka], [kafka.config] and [[kafka.nodes]].

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "inventory/load_rack.hpp"
#include "inventory/load_sections.hpp"
#include "inventory/validate.hpp"

namespace zkctl::inventory::detail {
namespace {

const std::vector<std::string_view> kKafkaKeys = {
    "mode",          "distribution",    "install_dir",      "log_dirs", "listener_port",
    "internal_port", "controller_port", "heap_mb",          "config",   "zookeeper_chroot",
    "cluster_id",    "nodes",           "reassign_throttle"};
const std::vector<std::string_view> kKafkaNodeKeys = {
    "host",        "id",       "roles",    "listener_port", "internal_port", "controller_port",
    "install_dir", "log_dirs", "ssh_user", "ssh_port",      "ssh_become",    "rack"};
const std::vector<std::string_view> kKafkaModes = {"zookeeper", "kraft"};
const std::vector<std::string_view> kKafkaRoles = {"broker", "controller"};
// [kafka.config] keys sized by the broker count: more than the brokers is a mistake.
const std::vector<std::string_view> kKafkaSizedKeys = {
    "offsets.topic.replication.factor", "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr", "default.replication.factor", "min.insync.replicas"};

// INTERNAL listener of a broker in a cluster that is not open.
constexpr int kDefaultInternalPort = 9094;

// Cluster-wide Kafka defaults every node starts from.
struct KafkaDefaults {
  KafkaNode node;               // ports, dirs and [ssh] of a node that sets none of them
  SourcePos listener_port_pos;  // line 0: not set in [kafka]
  SourcePos internal_port_pos;
  SourcePos controller_port_pos;
  SourcePos install_dir_pos;
  SourcePos log_dirs_pos;
};

// What [kafka] decided that every node's loading needs.
struct ModeInfo {
  bool ok = true;        // kafka.mode is absent or valid
  bool zk_mode = false;  // valid and zookeeper
  bool kraft = false;    // valid and kraft
};

// `log_dirs` of `t` (at `path`): an array of at least one distinct remote directory.
std::optional<std::vector<std::string>> read_log_dirs(Reader& r, const toml::table& t,
                                                      const std::string& path) {
  const toml::node* n = t.get("log_dirs");
  if (n == nullptr) return std::nullopt;
  if (!n->is_array()) {
    r.error(r.at(*n), path + ": expected an array of strings, got " + type_name(*n));
    return std::nullopt;
  }
  if (n->as_array()->empty()) {
    r.error(r.at(*n), path + ": must name at least one directory");
    return std::nullopt;
  }
  std::vector<std::string> dirs;
  const bool ok = r.for_each_string(
      *n, path, [&](const toml::node& e, const std::string& raw, const std::string& p) {
        auto dir = r.remote_dir_value(e, raw, p, EmptyOk::no, "Kafka");
        if (!dir) return false;
        if (dir->find(',') != std::string::npos) {
          r.error(r.at(e),
                  p + ": " + show(*dir) + " contains ',', which separates log.dirs entries");
          return false;
        }
        if (std::find(dirs.begin(), dirs.end(), *dir) != dirs.end()) {
          r.error(r.at(e), p + ": " + show(*dir) + " is listed twice");
          return false;
        }
        dirs.push_back(*dir);
        return true;
      });
  if (!ok) return std::nullopt;
  return dirs;
}

ModeInfo read_mode(Reader& r, const toml::table& t, const Cluster& c, KafkaSettings& k) {
  ModeInfo m;
  SourcePos mode_pos = r.at(t);
  if (auto mode = r.read_string(t, "mode", "kafka.mode")) {
    mode_pos = r.at(*t.get("mode"));
    if (*mode == "zookeeper") {
      k.mode = KafkaMode::zookeeper;
    } else if (*mode == "kraft") {
      k.mode = KafkaMode::kraft;
    } else {
      m.ok = false;
      r.error_with_hint(
          mode_pos,
          "kafka.mode: " + show(*mode) + " is not a mode; expected 'zookeeper' or 'kraft'", *mode,
          kKafkaModes);
    }
  } else if (t.get("mode") != nullptr) {
    m.ok = false;
  }
  m.zk_mode = m.ok && k.mode == KafkaMode::zookeeper;
  m.kraft = m.ok && k.mode == KafkaMode::kraft;
  if (m.zk_mode && c.servers.empty())
    r.error(mode_pos,
            "kafka.mode = \"zookeeper\" needs [[zookeeper.servers]] in the same inventory");
  return m;
}

// One of [kafka]'s default ports, for the check that they differ.
struct DefaultPort {
  std::string_view key;
  int port = 0;
  SourcePos pos;  // line 0: not set in [kafka]
};

// [kafka]'s default ports a node listens on in this mode must differ; a clash is
// reported at the later of the two keys set in [kafka].
void check_default_ports(Reader& r, const toml::table& t, const std::vector<DefaultPort>& ports) {
  for (size_t i = 0; i < ports.size(); ++i) {
    for (size_t j = i + 1; j < ports.size(); ++j) {
      const DefaultPort& a = ports[i];
      const DefaultPort& b = ports[j];
      if (a.port != b.port) continue;
      const bool b_later =
          b.pos.line != 0 &&
          (a.pos.line == 0 || std::pair(b.pos.line, b.pos.col) > std::pair(a.pos.line, a.pos.col));
      const DefaultPort& culprit = b_later ? b : a;
      const DefaultPort& other = b_later ? a : b;
      r.error(culprit.pos.line != 0 ? culprit.pos : r.at(t),
              "kafka." + std::string(culprit.key) + ": " + std::to_string(culprit.port) +
                  " equals kafka." + std::string(other.key) + "; a node's ports must differ");
    }
  }
}

// `internal_port` of table `t` (at `path`) into `port` (where it was set into `origin`):
// read even when the cluster is open, which has no INTERNAL listener: then it is set
// to 0 and a value from the inventory is warned about.
void read_internal_port(Reader& r, const toml::table& t, const std::string& path, const Cluster& c,
                        int& port, Origin& origin) {
  r.override_port(t, "internal_port", path, port, origin);
  if (!c.security.open()) return;
  if (origin.overridden)
    r.warn(origin.pos, path +
                           ".internal_port: ignored when [security] is open (an open cluster has "
                           "no INTERNAL listener)");
  port = 0;
}

KafkaDefaults read_defaults(Reader& r, const toml::table& t, const Cluster& c, const ModeInfo& m) {
  KafkaDefaults d;
  d.node.install_dir = "/opt/kafka";
  d.node.log_dirs = {"/var/lib/kafka/data"};
  d.node.internal_port = kDefaultInternalPort;
  d.node.ssh = c.ssh;
  Origin o;
  r.override_remote_dir(t, "install_dir", "kafka", EmptyOk::no, "Kafka", d.node.install_dir, o,
                        RemoteDirKind::install);
  d.install_dir_pos = o.pos;
  if (auto v = read_log_dirs(r, t, "kafka.log_dirs")) {
    d.node.log_dirs = *v;
    d.log_dirs_pos = r.at(*t.get("log_dirs"));
  }
  NodeSource set;  // which default dirs [kafka] sets
  set.origins["install_dir"] = {d.install_dir_pos, d.install_dir_pos.line != 0};
  set.origins["log_dirs"] = {d.log_dirs_pos, d.log_dirs_pos.line != 0};
  check_own_dirs(r, d.node.used_dirs(), set, "kafka", kKafkaKind);
  o = {};
  r.override_port(t, "listener_port", "kafka", d.node.listener_port, o);
  d.listener_port_pos = o.pos;
  o = {};
  read_internal_port(r, t, "kafka", c, d.node.internal_port, o);
  d.internal_port_pos = o.pos;
  o = {};
  r.override_port(t, "controller_port", "kafka", d.node.controller_port, o);
  d.controller_port_pos = o.pos;
  if (o.overridden && m.zk_mode)
    r.warn(o.pos,
           "kafka.controller_port: ignored when kafka.mode = \"zookeeper\" (only KRaft "
           "controllers listen on it)");
  std::vector<DefaultPort> ports = {{"listener_port", d.node.listener_port, d.listener_port_pos}};
  if (d.node.internal_port != 0)
    ports.push_back({"internal_port", d.node.internal_port, d.internal_port_pos});
  if (m.kraft) ports.push_back({"controller_port", d.node.controller_port, d.controller_port_pos});
  check_default_ports(r, t, ports);
  return d;
}

// kafka.zookeeper_chroot and kafka.cluster_id, each warned about in the mode that ignores it.
void read_mode_settings(Reader& r, const toml::table& t, const ModeInfo& m, KafkaSettings& k) {
  const std::string mode_clause = std::string("kafka.mode = \"") + to_string(k.mode) + "\"";
  if (auto chroot = r.read_string(t, "zookeeper_chroot", "kafka.zookeeper_chroot")) {
    const SourcePos pos = r.at(*t.get("zookeeper_chroot"));
    if (auto problem = zookeeper_chroot_problem(*chroot)) {
      r.error(pos, "kafka.zookeeper_chroot: " + show(*chroot) + " " + *problem);
    } else {
      k.zookeeper_chroot = *chroot;
      if (m.kraft)
        r.warn(pos, "kafka.zookeeper_chroot: ignored when " + mode_clause +
                        " (KRaft brokers do not use ZooKeeper)");
    }
  }
  if (auto id = r.read_string(t, "cluster_id", "kafka.cluster_id")) {
    const SourcePos pos = r.at(*t.get("cluster_id"));
    if (!id->empty() && !is_valid_kafka_cluster_id(*id)) {
      r.error(pos, "kafka.cluster_id: " + show(*id) +
                       " is not a Kafka cluster id (22 base64url characters, as "
                       "`kafka-storage.sh random-uuid` prints one)");
    } else {
      k.cluster_id = *id;
      if (m.zk_mode && !id->empty())
        r.warn(pos, "kafka.cluster_id: ignored when " + mode_clause +
                        " (the brokers take the id ZooKeeper holds at <chroot>/cluster/id)");
    }
  }
}

// `roles` of a [[kafka.nodes]] entry into node.broker/controller; default ["broker"].
// False when it is invalid (reported).
bool read_roles(Reader& r, const toml::table& t, const std::string& path, const ModeInfo& m,
                KafkaNode& node) {
  node.broker = true;
  node.controller = false;
  const toml::node* n = t.get("roles");
  if (n == nullptr) return true;
  if (!n->is_array()) {
    r.error(r.at(*n), path + ".roles: expected an array of strings, got " + type_name(*n));
    return false;
  }
  if (n->as_array()->empty()) {
    r.error(r.at(*n),
            path + ".roles: must name at least one role (\"broker\", \"controller\" or both)");
    return false;
  }
  bool broker = false;
  bool controller = false;
  const bool ok = r.for_each_string(
      *n, path + ".roles", [&](const toml::node& e, const std::string& role, const std::string& p) {
        bool* flag = role == "broker" ? &broker : role == "controller" ? &controller : nullptr;
        if (flag == nullptr) {
          r.error_with_hint(
              r.at(e), p + ": " + show(role) + " is not a role; expected 'broker' or 'controller'",
              role, kKafkaRoles);
          return false;
        }
        if (*flag) {
          r.error(r.at(e), p + ": " + show(role) + " is listed twice");
          return false;
        }
        *flag = true;
        if (m.zk_mode && role == "controller") {
          r.error(r.at(e), p + ": 'controller' needs kafka.mode = \"kraft\"; in zookeeper mode "
                               "every node is a broker (roles = [\"broker\"])");
          return false;
        }
        return true;
      });
  if (!ok) return false;
  node.broker = broker;
  node.controller = controller;
  if (m.zk_mode && !broker) {
    r.error(r.at(*n),
            path + ".roles: in zookeeper mode every node is a broker (roles = [\"broker\"])");
    return false;
  }
  return true;
}

KafkaNode load_kafka_node(Reader& r, const toml::table& t, const std::string& path,
                          const Cluster& c, const ModeInfo& m, const KafkaDefaults& d,
                          NodeSource& src) {
  KafkaNode node = d.node;
  load_node(r, t, path, kKafkaKind, kKafkaNodeKeys, d.install_dir_pos, node, src);
  src.kind_ok = m.ok && read_roles(r, t, path, m, node);
  read_rack(r, t, path, node, src);

  Origin& listener = src.origins["listener_port"] = Origin{d.listener_port_pos, false};
  r.override_port(t, "listener_port", path, node.listener_port, listener);
  Origin& internal = src.origins["internal_port"] = Origin{d.internal_port_pos, false};
  read_internal_port(r, t, path, c, node.internal_port, internal);
  Origin& controller = src.origins["controller_port"] = Origin{d.controller_port_pos, false};
  r.override_port(t, "controller_port", path, node.controller_port, controller);
  if (controller.overridden && m.zk_mode)
    r.warn(controller.pos, path +
                               ".controller_port: ignored when kafka.mode = \"zookeeper\" (only "
                               "KRaft controllers listen on it)");
  if (src.kind_ok) check_own_ports(r, node.used_ports(), src, path, kKafkaKind);

  Origin& log_dirs = src.origins["log_dirs"] = Origin{d.log_dirs_pos, false};
  if (auto v = read_log_dirs(r, t, path + ".log_dirs")) {
    node.log_dirs = *v;
    log_dirs = Origin{r.at(*t.get("log_dirs")), true};
  }
  check_own_dirs(r, node.used_dirs(), src, path, kKafkaKind);
  return node;
}

void load_kafka_nodes(Reader& r, const toml::table& kt, Cluster& c, const ModeInfo& m,
                      const KafkaDefaults& d, std::vector<NodeSource>& sources) {
  for_each_node_table(r, kt, kKafkaKind, [&](const toml::table& t, const std::string& path) {
    sources.emplace_back();
    c.kafka_nodes.push_back(load_kafka_node(r, t, path, c, m, d, sources.back()));
  });
}

bool roles_known(const std::vector<NodeSource>& src) {
  return std::all_of(src.begin(), src.end(), [](const NodeSource& s) { return s.kind_ok; });
}

// KRaft: at least one controller and one broker; warnings for quorums that tolerate
// no failure or waste one.
void check_kraft_quorum(Reader& r, const Cluster& c, const KafkaSettings& k,
                        const std::vector<NodeSource>& src) {
  const auto& nodes = c.kafka_nodes;
  if (k.mode != KafkaMode::kraft || nodes.empty() || !roles_known(src)) return;
  const size_t brokers = c.brokers().size();
  const size_t controllers = c.controllers().size();
  const SourcePos first = nodes.front().pos;
  if (controllers == 0)
    r.error(first,
            "no controllers: kafka.mode = \"kraft\" needs at least one node with "
            "\"controller\" in its roles");
  if (brokers == 0)
    r.error(first, "no brokers: at least one Kafka node needs \"broker\" in its roles");
  if (controllers == 0) return;
  const std::string count = std::to_string(controllers);
  if (controllers < 3)
    r.warn(first, count + (controllers == 1 ? " controller" : " controllers") +
                      ": no controller failure will be tolerated; use at least 3 controllers");
  if (controllers % 2 == 0)
    r.warn(first, count + " controllers tolerate no more failures than " +
                      std::to_string(controllers - 1) + "; use an odd number of controllers");
}

// [kafka.config] settings sized by the brokers must not exceed their number.
void check_sized_config(Reader& r, const Cluster& c, const std::vector<ConfigValue>& config,
                        const std::vector<NodeSource>& src) {
  if (c.kafka_nodes.empty() || !roles_known(src)) return;
  const size_t brokers = c.brokers().size();
  if (brokers == 0) return;
  for (const ConfigValue& e : config) {
    if (std::find(kKafkaSizedKeys.begin(), kKafkaSizedKeys.end(), e.key) == kKafkaSizedKeys.end())
      continue;
    long long v = 0;
    const auto [ptr, ec] = std::from_chars(e.text.data(), e.text.data() + e.text.size(), v);
    if (ec != std::errc() || ptr != e.text.data() + e.text.size()) continue;
    if (v <= static_cast<long long>(brokers)) continue;
    r.warn(e.key_pos, "kafka.config: " + e.key + " = " + e.text + " is more than the " +
                          std::to_string(brokers) + (brokers == 1 ? " broker" : " brokers") +
                          " of this inventory; what needs it fails until that many brokers run");
  }
}

// [kafka.config] into k.extra_config; the accepted entries are returned for later checks.
std::vector<ConfigValue> read_kafka_config(Reader& r, const toml::table& t, KafkaSettings& k) {
  std::vector<ConfigValue> config;
  const toml::table* cfg = r.read_table(t, "config", "kafka.config");
  if (cfg == nullptr) return config;
  for (ConfigValue& e : r.read_config(*cfg, "kafka.config", "server.properties", AsciiOnly::yes)) {
    if (auto hint = kafka_managed_key_hint(e.key)) {
      r.error(e.key_pos, "kafka.config: " + show(e.key) + " is managed by zkctl; " + *hint);
      continue;
    }
    k.extra_config.emplace_back(e.key, e.text);
    config.push_back(std::move(e));
  }
  return config;
}

}  // namespace

void load_kafka(Reader& r, const toml::table& root, Cluster& c, std::vector<NodeSource>& sources) {
  const toml::table* t = r.read_table(root, "kafka", "kafka");
  if (t == nullptr) return;
  r.check_keys(*t, "in [kafka]", kKafkaKeys);
  KafkaSettings k;
  const ModeInfo m = read_mode(r, *t, c, k);
  // Its version (ZooKeeper mode up to 3.9, KRaft from 3.3) is read from its jars by
  // deploy's pre-flight, not guessed from its name here.
  r.read_distribution(*t, "kafka", k.distribution, k.distribution_pos);
  const KafkaDefaults d = read_defaults(r, *t, c, m);
  if (auto v = r.read_int(*t, "heap_mb", "kafka.heap_mb", 64, 1 << 20)) k.heap_mb = *v;
  // Bytes/s a drain or rebalance copies replicas at (#15).
  if (auto v = r.read_int(*t, "reassign_throttle", "kafka.reassign_throttle", 1024, 2147483647))
    k.reassign_throttle = *v;
  read_mode_settings(r, *t, m, k);
  const std::vector<ConfigValue> config = read_kafka_config(r, *t, k);

  load_kafka_nodes(r, *t, c, m, d, sources);
  std::vector<const Node*> nodes;
  for (const KafkaNode& n : c.kafka_nodes) nodes.push_back(&n);
  check_unique_ids(r, nodes, sources, kKafkaKind);
  check_racks_all_or_none(r, nodes, sources, kKafkaKind);
  check_kraft_quorum(r, c, k, sources);
  check_sized_config(r, c, config, sources);
  c.kafka = std::move(k);
}

}  // namespace zkctl::inventory::detail
