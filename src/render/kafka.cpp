#include "render/kafka.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <set>
#include <string_view>

#include "inventory/validate.hpp"
#include "render/guards.hpp"
#include "render/kafka_onramp.hpp"
#include "render/kafka_paths.hpp"
#include "render/metrics.hpp"
#include "render/security.hpp"
#include "render/systemd.hpp"
#include "util/quote.hpp"

namespace zkctl::render {

namespace {

using inventory::KafkaMode;
using kainjow::mustache::data;

constexpr long long kMaxKafkaId = 2147483647;
constexpr int kMaxPort = 65535;

bool is_managed_key(std::string_view key) {
  return inventory::kafka_managed_key_hint(key).has_value();
}

util::Result<void> check_properties_value(const std::string& what, std::string_view value) {
  return render::check_properties_value(what, value, "server.properties");
}

util::Result<void> check_port(const std::string& what, int port) {
  if (port < 1 || port > kMaxPort)
    return util::fail(what + " " + num(port) + " is outside 1..65535");
  return {};
}

// A host inside listeners, zookeeper.connect or controller.quorum.voters: separators
// of those lists would split or corrupt the entry.
util::Result<void> check_host(const std::string& what, const std::string& host) {
  if (auto r = check_properties_value(what, host); !r) return r;
  if (host.find_first_of(", /@=[]") != std::string::npos) {
    return util::fail(what + " '" + host + "' contains one of , space / @ = [ ]");
  }
  return {};
}

std::string listener_text(const KafkaListener& l) {
  return l.name + "://" + bracketed(l.host) + ":" + num(l.port);
}

enum class HostRequired { no, yes };
enum class ListenerSet { open, secure, onramp };

// The listener names a node may have: PLAINTEXT and CONTROLLER on an open cluster, CLIENT,
// INTERNAL and CONTROLLER on a secure one.
bool known_listener(const std::string& name, ListenerSet set) {
  if (name == kKafkaControllerListener) return true;
  if (name == kKafkaControllerTransitListener) return set == ListenerSet::onramp;
  const bool secure = name == kKafkaSecureClientListener || name == kKafkaInternalListener;
  if (set == ListenerSet::onramp) return secure || name == kKafkaClientListener;
  if (set == ListenerSet::secure) return secure;
  return name == kKafkaClientListener;
}

util::Result<void> check_listeners(const std::string& what, const std::vector<KafkaListener>& ls,
                                   HostRequired host_required, ListenerSet set) {
  std::set<std::string> names;
  for (const auto& l : ls) {
    const std::string w = what + " " + l.name;
    if (!known_listener(l.name, set)) {
      return util::fail(what + " name '" + l.name + "' is not one of " +
                        (set == ListenerSet::secure   ? "CLIENT, INTERNAL, CONTROLLER"
                         : set == ListenerSet::onramp ? "PLAINTEXT, CLIENT, INTERNAL, CONTROLLER, "
                                                        "CONTROLLER_SSL"
                                                      : "PLAINTEXT, CONTROLLER"));
    }
    if (!names.insert(l.name).second) return util::fail(w + " appears twice");
    if (host_required == HostRequired::yes && l.host.empty())
      return util::fail(w + " has an empty host");
    if (auto r = check_host(w + " host", l.host); !r) return r;
    if (auto r = check_port(w + " port", l.port); !r) return r;
  }
  return {};
}

bool has_listener(const std::vector<KafkaListener>& ls, std::string_view name) {
  return std::any_of(ls.begin(), ls.end(), [&](const KafkaListener& l) { return l.name == name; });
}

// Listeners and advertised listeners fit the node's roles and the cluster's security.
util::Result<void> check_listener_set(const ServerPropertiesValues& v) {
  const bool secure = v.security.has_value();
  const ListenerSet set = !secure                           ? ListenerSet::open
                          : v.security->plaintext_port != 0 ? ListenerSet::onramp
                                                            : ListenerSet::secure;
  if (v.listeners.empty()) return util::fail("no listeners");
  if (auto r = check_listeners("listener", v.listeners, HostRequired::no, set); !r) return r;
  if (auto r =
          check_listeners("advertised listener", v.advertised_listeners, HostRequired::yes, set);
      !r)
    return r;
  const char* client = secure ? kKafkaSecureClientListener : kKafkaClientListener;
  if (v.broker && !has_listener(v.listeners, client)) {
    return util::fail(std::string("a broker needs a ") + client + " listener");
  }
  if (v.broker && secure && !has_listener(v.listeners, kKafkaInternalListener)) {
    return util::fail("a broker of a secure cluster needs an INTERNAL listener (internal_port)");
  }
  if (v.controller && !has_listener(v.listeners, kKafkaControllerListener)) {
    return util::fail("a controller needs a CONTROLLER listener");
  }
  if (!v.controller && (has_listener(v.listeners, kKafkaControllerListener) ||
                        has_listener(v.listeners, kKafkaControllerTransitListener))) {
    return util::fail("only a controller has a CONTROLLER listener");
  }
  if (has_listener(v.advertised_listeners, kKafkaControllerListener) ||
      has_listener(v.advertised_listeners, kKafkaControllerTransitListener)) {
    return util::fail(
        "the CONTROLLER listener is not advertised (controllers are found through "
        "controller.quorum.voters)");
  }
  return {};
}

// server.properties keys zkctl writes on a secure cluster, and the families they belong to.
constexpr std::array<std::string_view, 6> kSecureManagedKeys = {
    "authorizer.class.name", "allow.everyone.if.no.acl.found", "super.users",
    "zookeeper.set.acl",     "zookeeper.clientCnxnSocket",     "security.inter.broker.protocol"};
constexpr std::array<std::string_view, 4> kSecureManagedPrefixes = {
    "ssl.", "sasl.", "listener.name.", "zookeeper.ssl."};

bool is_secure_managed_key(std::string_view key) {
  return is_managed_key(key) ||
         std::find(kSecureManagedKeys.begin(), kSecureManagedKeys.end(), key) !=
             kSecureManagedKeys.end() ||
         std::any_of(kSecureManagedPrefixes.begin(), kSecureManagedPrefixes.end(),
                     [&](std::string_view prefix) { return key.starts_with(prefix); });
}

util::Result<void> check_security_values(const KafkaSecurityValues& s) {
  for (const auto& [what, path] : {std::pair{"ssl.keystore.location", &s.key_store},
                                   std::pair{"ssl.truststore.location", &s.trust_store}}) {
    if (auto r = check_properties_value(what, *path); !r) return r;
    if (auto r = check_absolute(what, *path); !r) return r;
  }
  if (s.principal_mapping_rules.empty()) return util::fail("ssl.principal.mapping.rules is empty");
  if (auto r = check_properties_value("ssl.principal.mapping.rules", s.principal_mapping_rules); !r)
    return r;
  if (s.authorization && s.authentication == inventory::Authentication::none) {
    return util::fail("an authorizer needs authentication: every client would be ANONYMOUS");
  }
  if (s.authorization && s.super_users.empty()) return util::fail("super.users is empty");
  for (const auto& user : s.super_users) {
    if (auto r = check_properties_value("super user '" + user + "'", user); !r) return r;
    if (!user.starts_with("User:") || user.size() == 5 ||
        user.find_first_of("; ") != std::string::npos) {
      return util::fail("super user '" + user + "' is not User:<name> without ';' or space");
    }
  }
  return {};
}

util::Result<void> check_voters(const ServerPropertiesValues& v) {
  if (v.controller_quorum_voters.empty()) return util::fail("controller.quorum.voters is empty");
  std::set<int> ids;
  bool self = false;
  for (const auto& voter : v.controller_quorum_voters) {
    const std::string w = "voter " + num(voter.id);
    if (voter.id < 0 || voter.id > kMaxKafkaId) return util::fail(w + " is outside 0..2147483647");
    if (!ids.insert(voter.id).second) return util::fail(w + " appears twice");
    if (voter.host.empty()) return util::fail(w + " has an empty host");
    if (auto r = check_host(w + " host", voter.host); !r) return r;
    if (auto r = check_port(w + " port", voter.port); !r) return r;
    self = self || voter.id == v.id;
  }
  if (v.controller && !self) return util::fail("controller " + num(v.id) + " is not a voter");
  if (!v.controller && self) return util::fail("broker " + num(v.id) + " is a voter");
  return {};
}

util::Result<void> check_zookeeper_connect(const ServerPropertiesValues& v) {
  if (v.zookeeper_connect.empty()) return util::fail("zookeeper.connect is empty");
  if (auto r = check_properties_value("zookeeper.connect", v.zookeeper_connect); !r) return r;
  if (v.zookeeper_connect.find_first_of(" =") != std::string::npos) {
    return util::fail("zookeeper.connect '" + v.zookeeper_connect + "' contains a space or '='");
  }
  if (v.zookeeper_connection_timeout_ms <= 0) {
    return util::fail("zookeeper.connection.timeout.ms is not positive");
  }
  return {};
}

// A migration's file: a dedicated controller in kraft mode or a broker in zookeeper mode, no
// migration flag of the operator's own; secure, both reach ZooKeeper over TLS as the brokers
// did (zookeeper.set.acl needs the certificate's identity) and the controllers speak TLS.
util::Result<void> check_migration(const ServerPropertiesValues& v) {
  if (v.migration == KafkaMigration::none) return {};
  if (v.security && (!v.security->zookeeper_tls || !v.security->controller_tls ||
                     v.security->controller_transit_port != 0 || v.security->plaintext_port != 0))
    return util::fail(
        "a migration to KRaft of a secure cluster is done once its security is "
        "complete (not during the security on-ramp)");
  const bool kraft = v.mode == KafkaMode::kraft;
  if (v.migration == KafkaMigration::controller && (!kraft || !v.controller || v.broker)) {
    return util::fail("a migration controller is a dedicated KRaft controller");
  }
  if (v.migration == KafkaMigration::broker && kraft) {
    return util::fail("a broker in migration runs in zookeeper mode");
  }
  if (v.quorum != KafkaQuorum::voters)  // Kafka 3.9's migration supports no dynamic quorum
    return util::fail("a migration's controller quorum is static (controller.quorum.voters)");
  for (const auto& kv : v.extra_config) {
    if (kv.first == "zookeeper.metadata.migration.enable")
      return util::fail("extra key 'zookeeper.metadata.migration.enable' is set by the migration");
  }
  return {};
}

util::Result<void> check_server_properties(const ServerPropertiesValues& v) {
  const bool kraft = v.mode == KafkaMode::kraft;
  if (v.id < 0 || v.id > kMaxKafkaId)
    return util::fail("node id " + num(v.id) + " is outside 0..2147483647");
  if (!v.broker && !v.controller)
    return util::fail("node has neither the broker nor the controller role");
  if (!kraft && (v.controller || !v.broker)) {
    return util::fail("in zookeeper mode a node is a broker and nothing else");
  }
  if (auto r = check_migration(v); !r) return r;
  if (auto r = check_listener_set(v); !r) return r;
  if (v.security) {
    if (auto r = check_security_values(*v.security); !r) return r;
  }
  if (auto r = check_properties_value("broker.rack", v.rack); !r) return r;
  if (!v.rack.empty() && !v.broker) return util::fail("broker.rack on a node that is no broker");
  if (v.log_dirs.empty()) return util::fail("no log dirs");
  for (const auto& dir : v.log_dirs) {
    if (auto r = check_properties_value("log dir", dir); !r) return r;
    if (auto r = check_absolute("log dir", dir); !r) return r;
    if (dir.find(',') != std::string::npos) return util::fail("log dir '" + dir + "' contains ','");
  }
  if (kraft || v.migration == KafkaMigration::broker) {
    if (auto r = check_voters(v); !r) return r;
  } else if (!v.controller_quorum_voters.empty()) {
    return util::fail("controller.quorum.voters in zookeeper mode");
  }
  if (!kraft || v.migration == KafkaMigration::controller) {
    if (auto r = check_zookeeper_connect(v); !r) return r;
  }
  const ReplicationDefaults& rd = v.replication;
  for (const int n :
       {rd.offsets_topic_replication_factor, rd.transaction_state_log_replication_factor,
        rd.transaction_state_log_min_isr, rd.default_replication_factor}) {
    if (n < 1) return util::fail("a replication setting is below 1");
  }
  std::set<std::string> keys;
  for (const auto& [key, value] : v.extra_config) {
    if (auto r = check_extra_key("server.properties", key,
                                 v.security ? is_secure_managed_key : is_managed_key);
        !r)
      return r;
    if (!keys.insert(key).second)
      return util::fail("server.properties extra key '" + key + "' appears twice");
    if (auto r = check_properties_value("server.properties extra key '" + key + "' value", value);
        !r) {
      return r;
    }
  }
  return {};
}

}  // namespace

ReplicationDefaults replication_defaults(int brokers) {
  const int rf = std::clamp(brokers, 1, 3);
  ReplicationDefaults d;
  d.offsets_topic_replication_factor = rf;
  d.transaction_state_log_replication_factor = rf;
  d.transaction_state_log_min_isr = rf >= 3 ? 2 : 1;
  d.default_replication_factor = rf;
  return d;
}

std::string kafka_zookeeper_connect(const inventory::Cluster& cluster) {
  std::string out;
  for (const auto role : {inventory::Role::voter, inventory::Role::observer}) {
    for (const auto& s : cluster.servers) {
      if (s.role != role) continue;
      out += (out.empty() ? "" : ",") + bracketed(s.host) + ":" + num(s.ports.client);
    }
  }
  if (cluster.kafka) out += cluster.kafka->zookeeper_chroot;
  return out;
}

namespace {

// The listeners of a node (every interface) and those a broker advertises (its host).
void add_listeners(const inventory::Cluster& cluster, const inventory::KafkaNode& node,
                   ServerPropertiesValues& v) {
  const auto add = [&](const char* name, int port, bool advertised) {
    v.listeners.push_back(KafkaListener{name, "", port});
    if (advertised) v.advertised_listeners.push_back(KafkaListener{name, node.host, port});
  };
  const NodePorts ports = ports_of(cluster, node);
  if (v.broker && kafka_tls_rendered(cluster)) {
    add(kKafkaSecureClientListener, ports.client, true);
    add(kKafkaInternalListener, ports.internal, true);
    if (ports.plaintext != 0) add(kKafkaClientListener, ports.plaintext, true);
  } else if (v.broker) {
    add(kKafkaClientListener, ports.plaintext != 0 ? ports.plaintext : ports.client, true);
  }
  if (v.controller) add(kKafkaControllerListener, ports.controller, false);
  if (v.controller && v.security && v.security->controller_transit_port != 0)
    add(kKafkaControllerTransitListener, v.security->controller_transit_port, false);
}

// The security settings of a node of `cluster`, which has TLS.
KafkaSecurityValues security_values(const inventory::Cluster& cluster,
                                    const inventory::KafkaNode& node) {
  const KafkaPaths paths = kafka_paths(node);
  KafkaSecurityValues s;
  s.key_store = paths.node_pem;
  s.trust_store = paths.ca_pem;
  const inventory::SecuritySettings& security = rendered_security(cluster);
  s.authentication = security.authentication;
  // A name the rules cannot hold leaves them empty; rendering then fails (render_kafka_node
  // reports the reason first).
  if (auto rules = kafka_principal_mapping_rules(cluster.name); rules.ok()) {
    s.principal_mapping_rules = *rules;
  }
  s.authorization = security.authorization;
  if (s.authorization) {
    s.super_users = {kafka_principal(kKafkaCommonName), kafka_principal(kAdminCommonName)};
  }
  if (cluster.onramp) set_onramp_phase(cluster.onramp->phase, ports_of(cluster, node), s);
  return s;
}

// zkctl's defaults, each left out when [kafka.config] sets the same key.
std::vector<std::pair<std::string, std::string>> defaults_of(const ServerPropertiesValues& values) {
  std::vector<std::pair<std::string, std::string>> defaults;
  if (values.mode == KafkaMode::zookeeper) {
    defaults.emplace_back("zookeeper.connection.timeout.ms",
                          num(values.zookeeper_connection_timeout_ms));
  }
  if (values.migration == KafkaMigration::broker) {
    defaults.emplace_back("inter.broker.protocol.version", kMigrationProtocolVersion);
  } else if (values.mode == KafkaMode::zookeeper) {  // an upgrade's first step (#11)
    if (!values.pins.inter_broker_protocol.empty())
      defaults.emplace_back("inter.broker.protocol.version", values.pins.inter_broker_protocol);
    if (!values.pins.log_message_format.empty())
      defaults.emplace_back("log.message.format.version", values.pins.log_message_format);
  }
  const ReplicationDefaults& rd = values.replication;
  defaults.emplace_back("offsets.topic.replication.factor",
                        num(rd.offsets_topic_replication_factor));
  defaults.emplace_back("transaction.state.log.replication.factor",
                        num(rd.transaction_state_log_replication_factor));
  defaults.emplace_back("transaction.state.log.min.isr", num(rd.transaction_state_log_min_isr));
  defaults.emplace_back("default.replication.factor", num(rd.default_replication_factor));
  std::erase_if(defaults, [&](const auto& kv) {
    return std::any_of(values.extra_config.begin(), values.extra_config.end(),
                       [&](const auto& extra) { return extra.first == kv.first; });
  });
  return defaults;
}

// listener.security.protocol.map and inter.broker.listener.name (each empty: line left out).
// Open: KRaft maps its two listeners to PLAINTEXT, ZooKeeper mode keeps Kafka's defaults.
std::pair<std::string, std::string> protocols_of(const ServerPropertiesValues& values) {
  const bool kraft = values.mode == KafkaMode::kraft;
  // A migration's controllers send their RPCs to the ZooKeeper-mode brokers' inter-broker
  // listener; its brokers reach the controllers' listener.
  const bool to_brokers = values.broker || values.migration == KafkaMigration::controller;
  const bool to_controllers = kraft || values.migration == KafkaMigration::broker;
  if (!values.security) {
    if (!kraft && values.migration != KafkaMigration::broker) return {};
    const bool inter_broker = kraft && (values.broker || values.migration != KafkaMigration::none);
    return {"CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT", inter_broker ? "PLAINTEXT" : ""};
  }
  const KafkaSecurityValues& s = *values.security;
  const bool scram = s.authentication == inventory::Authentication::scram;
  std::string map = std::string(kKafkaSecureClientListener) + (scram ? ":SASL_SSL," : ":SSL,") +
                    kKafkaInternalListener + ":SSL";
  if (to_controllers && (values.controller || !s.controller_transit_default))
    map += std::string(",") + kKafkaControllerListener + (s.controller_tls ? ":SSL" : ":PLAINTEXT");
  if (kraft && (s.controller_transit_port != 0 || s.controller_transit_default))
    map += std::string(",") + kKafkaControllerTransitListener + ":SSL";
  if (s.plaintext_port != 0) map += std::string(",") + kKafkaClientListener + ":PLAINTEXT";
  const char* inter = s.internal_inter_broker ? kKafkaInternalListener : kKafkaClientListener;
  return {map, to_brokers ? inter : ""};
}

// controller.listener.names: CONTROLLER, or during the on-ramp's KRaft steps the transit
// listener beside it on controllers (first while the quorum talks on it), alone on brokers then.
std::string controller_listener_names(const ServerPropertiesValues& v) {
  const std::string home = kKafkaControllerListener;
  const std::string transit = kKafkaControllerTransitListener;
  const bool first = v.security && v.security->controller_transit_default;
  if (!v.controller) return first ? transit : home;
  if (!v.security || v.security->controller_transit_port == 0) return home;
  return first ? transit + "," + home : home + "," + transit;
}

// The template's security values: protocols always, TLS, SASL and the authorizer when secure.
void set_security(data& d, const ServerPropertiesValues& values) {
  d.set("controller_listener_names", controller_listener_names(values));
  const auto [map, inter_broker] = protocols_of(values);
  d.set("has_protocol_map", data(!map.empty()));
  d.set("protocol_map", map);
  d.set("has_inter_broker_listener", data(!inter_broker.empty()));
  d.set("inter_broker_listener", inter_broker);
  d.set("secure", data(values.security.has_value()));
  if (!values.security) return;
  const KafkaSecurityValues& s = *values.security;
  using inventory::Authentication;
  d.set("key_store", s.key_store);
  d.set("trust_store", s.trust_store);
  d.set("principal_mapping_rules", s.principal_mapping_rules);
  d.set("servers_authenticated", data(s.authentication != Authentication::none));
  // A broker while the quorum is on the transit listener has no CONTROLLER to configure.
  d.set("controller_tls",
        data(s.controller_tls && (values.controller || !s.controller_transit_default)));
  d.set("controller_transit", data(values.controller && s.controller_transit_port != 0));
  // ZooKeeper-mode brokers and a migration's controllers are ZooKeeper clients.
  const bool zookeeper_client =
      values.mode == KafkaMode::zookeeper || values.migration == KafkaMigration::controller;
  d.set("zookeeper_tls", data(s.zookeeper_tls && zookeeper_client));
  d.set("mtls", data(s.authentication == Authentication::mtls));
  d.set("scram", data(s.authentication == Authentication::scram));
  d.set("authorization", data(s.authorization));
  d.set("authorizer", std::string(values.mode == KafkaMode::kraft
                                      ? "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
                                      : "kafka.security.authorizer.AclAuthorizer"));
  std::string users;
  for (const auto& u : s.super_users) users += (users.empty() ? "" : ";") + u;
  d.set("super_users", users);
}

}  // namespace

ServerPropertiesValues server_properties_values(const inventory::Cluster& cluster,
                                                const inventory::KafkaNode& node) {
  const KafkaMode mode = cluster.kafka ? cluster.kafka->mode : KafkaMode::zookeeper;
  ServerPropertiesValues v;
  v.mode = mode;
  v.id = node.id;
  v.broker = mode == KafkaMode::zookeeper || node.broker;
  v.controller = mode == KafkaMode::kraft && node.controller;
  if (kafka_tls_rendered(cluster)) v.security = security_values(cluster, node);
  add_listeners(cluster, node, v);
  v.log_dirs = kafka_paths(node).log_dirs;
  if (v.broker) v.rack = node.rack;  // controllers place no replicas
  if (mode == KafkaMode::zookeeper) {
    v.zookeeper_connect = kafka_zookeeper_connect(cluster);
  } else {
    for (const auto& n : cluster.kafka_nodes) {
      if (n.controller)
        v.controller_quorum_voters.push_back(KafkaVoter{n.id, n.host, quorum_port(cluster, n)});
    }
    std::stable_sort(v.controller_quorum_voters.begin(), v.controller_quorum_voters.end(),
                     [](const KafkaVoter& a, const KafkaVoter& b) { return a.id < b.id; });
  }
  const auto brokers = static_cast<int>(mode == KafkaMode::zookeeper ? cluster.kafka_nodes.size()
                                                                     : cluster.brokers().size());
  v.replication = replication_defaults(brokers);
  if (cluster.kafka) v.extra_config = cluster.kafka->extra_config;
  return v;
}

KafkaEnvValues kafka_env_values(const inventory::Cluster& cluster,
                                const inventory::KafkaNode& node) {
  KafkaEnvValues v;
  v.heap_mb = cluster.kafka ? cluster.kafka->heap_mb : inventory::KafkaSettings{}.heap_mb;
  v.log_dir = kafka_paths(node).log_dir;
  v.java_home = node.java_home;  // [java]: the pushed JDK; else empty, the line stays out
  v.kafka_opts = kafka_agent_opts(cluster, node);
  return v;
}

util::Result<std::string> render_server_properties(const ServerPropertiesValues& values,
                                                   const RenderOptions& options) {
  if (auto r = check_server_properties(values); !r) return r.error();
  const bool kraft = values.mode == KafkaMode::kraft;
  data d;
  d.set("zookeeper_mode", data(!kraft));
  d.set("kraft", data(kraft));
  d.set("broker", data(values.broker));
  d.set("migration", data(values.migration != KafkaMigration::none));
  d.set("broker_migration", data(values.migration == KafkaMigration::broker));
  d.set("controller_migration", data(values.migration == KafkaMigration::controller));
  d.set("id", num(values.id));
  d.set("process_roles", std::string(values.broker && values.controller ? "broker,controller"
                                     : values.broker                    ? "broker"
                                                                        : "controller"));
  std::string voters;
  for (const auto& voter : values.controller_quorum_voters) {
    voters += (voters.empty() ? "" : ",") + num(voter.id) + "@" + bracketed(voter.host) + ":" +
              num(voter.port);
  }
  d.set("controller_quorum_voters", voters);
  std::string bootstrap;
  for (const auto& voter : values.controller_quorum_voters)
    bootstrap += (bootstrap.empty() ? "" : ",") + bracketed(voter.host) + ":" + num(voter.port);
  d.set("static_quorum", data(values.quorum == KafkaQuorum::voters));
  d.set("controller_quorum_bootstrap_servers", bootstrap);
  std::string listeners;
  for (const auto& l : values.listeners)
    listeners += (listeners.empty() ? "" : ",") + listener_text(l);
  d.set("listeners", listeners);
  std::string advertised;
  for (const auto& l : values.advertised_listeners) {
    advertised += (advertised.empty() ? "" : ",") + listener_text(l);
  }
  d.set("has_advertised_listeners", data(!advertised.empty()));
  d.set("advertised_listeners", advertised);
  std::string dirs;
  for (const auto& dir : values.log_dirs) dirs += (dirs.empty() ? "" : ",") + dir;
  d.set("log_dirs", dirs);
  d.set("zookeeper_connect", values.zookeeper_connect);
  d.set("has_rack", data(!values.rack.empty()));
  d.set("rack", values.rack);

  d.set("defaults", key_value_list(defaults_of(values)));
  set_security(d, values);
  d.set("extra_config", key_value_list(values.extra_config));
  return render_template("kafka/server.properties.mustache", d, options);
}

util::Result<std::string> render_kafka_env(const KafkaEnvValues& values,
                                           const RenderOptions& options) {
  if (auto r = check_single_line("LOG_DIR", values.log_dir); !r) return r.error();
  if (auto r = check_single_line("JAVA_HOME", values.java_home); !r) return r.error();
  if (auto r = check_single_line("KAFKA_OPTS", values.kafka_opts); !r) return r.error();
  if (auto r = check_absolute("LOG_DIR", values.log_dir); !r) return r.error();
  if (values.heap_mb <= 0) return util::fail("heap " + num(values.heap_mb) + " MB is not positive");
  // The file is sourced by a shell: every value enters the template quoted.
  const std::string heap = num(values.heap_mb);
  data d;
  d.set("heap_opts", util::shell_quote("-Xmx" + heap + "m -Xms" + heap + "m"));
  d.set("log_dir", util::shell_quote(values.log_dir));
  d.set("has_java_home", data(!values.java_home.empty()));
  d.set("java_home", util::shell_quote(values.java_home));
  d.set("has_kafka_opts", data(!values.kafka_opts.empty()));
  d.set("kafka_opts", util::shell_quote(values.kafka_opts));
  return render_template("kafka/kafka-env.sh.mustache", d, options);
}

namespace {

// render_kafka_node's files with `properties` for server.properties (null: the node's own).
util::Result<std::vector<RenderedFile>> render_node_files(
    const inventory::Cluster& cluster, const inventory::KafkaNode& node,
    const ServerPropertiesValues* properties_in, const RenderOptions& options,
    const TlsMaterial* tls) {
  const auto prefix = [&](const util::Error& e) { return on_node(node, e); };
  if (!cluster.kafka) {
    return prefix(util::fail("cluster '" + cluster.name + "' has no [kafka] table"));
  }
  if (auto r = check_security(cluster.security); !r) return prefix(r.error());
  if (holds_tls_files(cluster)) {
    if (auto r = kafka_principal_mapping_rules(cluster.name); !r) return prefix(r.error());
  } else if (tls != nullptr) {
    return prefix(util::fail("TLS material given for a cluster without [security] tls"));
  }
  if (auto r = check_member(cluster.kafka_nodes, node, "Kafka node", cluster.name); !r)
    return prefix(r.error());
  std::set<int> ids;
  for (const auto& n : cluster.kafka_nodes) {
    if (!ids.insert(n.id).second)
      return prefix(util::fail("Kafka node id " + num(n.id) + " appears twice"));
  }
  if (auto r = check_absolute("install_dir", node.install_dir); !r) return prefix(r.error());

  const KafkaPaths paths = kafka_paths(node);
  auto properties = render_server_properties(
      properties_in != nullptr ? *properties_in : server_properties_values(cluster, node), options);
  if (!properties) return prefix(properties.error());
  auto env = render_kafka_env(kafka_env_values(cluster, node), options);
  if (!env) return prefix(env.error());

  std::vector<RenderedFile> files;
  files.push_back(config_file(paths.server_properties, std::move(*properties),
                              cluster.kafka ? cluster.kafka->extra_config
                                            : std::vector<std::pair<std::string, std::string>>{}));
  files.push_back(RenderedFile{.path = paths.env_file, .content = std::move(*env), .mode = 0644});
  if (node.service.launcher == inventory::Launcher::systemd) {
    auto unit = kafka_unit_file(cluster, node, options);
    if (!unit) return unit.error();
    files.push_back(std::move(*unit));
  }
  auto metrics = kafka_metrics_files(cluster, node, options);
  if (!metrics) return prefix(metrics.error());
  std::move(metrics->begin(), metrics->end(), std::back_inserter(files));
  if (tls != nullptr && kafka_tls_rendered(cluster)) {
    auto tls_files = kafka_tls_files(node, *tls, options);
    if (!tls_files) return tls_files.error();
    std::move(tls_files->begin(), tls_files->end(), std::back_inserter(files));
  }
  return files;
}

}  // namespace

util::Result<std::vector<RenderedFile>> render_kafka_node(const inventory::Cluster& cluster,
                                                          const inventory::KafkaNode& node,
                                                          const RenderOptions& options,
                                                          const TlsMaterial* tls,
                                                          KafkaQuorum quorum,
                                                          const KafkaVersionPins& pins) {
  const bool no_pins = pins.inter_broker_protocol.empty() && pins.log_message_format.empty();
  if (quorum == KafkaQuorum::voters && no_pins)
    return render_node_files(cluster, node, nullptr, options, tls);
  ServerPropertiesValues values = server_properties_values(cluster, node);
  values.quorum = quorum;
  values.pins = pins;
  return render_node_files(cluster, node, &values, options, tls);
}

inventory::Cluster kafka_zookeeper_mode_view(const inventory::Cluster& cluster) {
  inventory::Cluster view = cluster;
  if (view.kafka) view.kafka->mode = KafkaMode::zookeeper;
  std::erase_if(view.kafka_nodes, [](const inventory::KafkaNode& n) { return !n.broker; });
  for (auto& n : view.kafka_nodes) n.controller = false;
  return view;
}

ServerPropertiesValues migration_properties_values(const inventory::Cluster& cluster,
                                                   const inventory::KafkaNode& node,
                                                   KafkaMigration step) {
  if (step == KafkaMigration::none) return server_properties_values(cluster, node);
  if (step == KafkaMigration::controller) {
    ServerPropertiesValues v = server_properties_values(cluster, node);
    v.migration = step;
    v.zookeeper_connect = kafka_zookeeper_connect(cluster);
    return v;
  }
  const inventory::Cluster view = kafka_zookeeper_mode_view(cluster);
  const inventory::KafkaNode* own = &node;
  for (const auto& n : view.kafka_nodes) {
    if (n.host == node.host && n.id == node.id) own = &n;
  }
  ServerPropertiesValues v = server_properties_values(view, *own);
  if (step == KafkaMigration::broker_zookeeper) {
    if (own == &node) v.controller = node.controller;
    return v;
  }
  v.migration = step;
  // Only for a node of the view: a controller asked for as a broker keeps its error.
  if (own == &node) v.controller = node.controller;
  v.controller_quorum_voters = server_properties_values(cluster, node).controller_quorum_voters;
  return v;
}

util::Result<std::vector<RenderedFile>> render_kafka_node_in_migration(
    const inventory::Cluster& cluster, const inventory::KafkaNode& node, KafkaMigration step,
    const RenderOptions& options, const TlsMaterial* tls) {
  if (step != KafkaMigration::none && cluster.servers.empty()) {
    return on_node(node, util::fail("a migration needs the cluster's [[zookeeper.servers]]"));
  }
  const ServerPropertiesValues values = migration_properties_values(cluster, node, step);
  return render_node_files(cluster, node, &values, options, tls);
}

}  // namespace zkctl::render
