#pragma once
// The files a Kafka node needs (server.properties, kafka-env.sh): values built
// from the inventory by pure functions, then filled into templates/kafka/.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/rendered_file.hpp"
#include "render/tls_files.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// Listener names zkctl uses. An open cluster: PLAINTEXT (clients and brokers) and CONTROLLER,
// both PLAINTEXT on the wire. With [security] tls: CLIENT (SASL_SSL with scram, else SSL),
// INTERNAL (SSL: brokers, and zkctl's admin identity) and CONTROLLER (SSL).
inline constexpr const char* kKafkaClientListener = "PLAINTEXT";
inline constexpr const char* kKafkaControllerListener = "CONTROLLER";
inline constexpr const char* kKafkaSecureClientListener = "CLIENT";
inline constexpr const char* kKafkaInternalListener = "INTERNAL";
// The security on-ramp's transit controller listener (KRaft, #13): SSL on another port while
// CONTROLLER changes protocol.
inline constexpr const char* kKafkaControllerTransitListener = "CONTROLLER_SSL";

// One `NAME://host:port` entry of listeners / advertised.listeners.
struct KafkaListener {
  std::string name;  // one of the listener names above
  std::string host;  // empty: every interface (listeners only); IPv6 bracketed when rendered
  int port = 0;
};

// One `id@host:port` entry of controller.quorum.voters.
struct KafkaVoter {
  int id = 0;
  std::string host;  // IPv6 bracketed when rendered
  int port = 0;      // the controller's controller_port
};

// How a KRaft node finds the controller quorum (#15, KIP-853): a static quorum lists its voters
// (controller.quorum.voters, kraft.version 0); a dynamic one only where to ask
// (controller.quorum.bootstrap.servers, kraft.version 1: controllers added and removed live).
enum class KafkaQuorum { voters, bootstrap };

// Replication settings zkctl sizes by the number of brokers (see replication_defaults).
struct ReplicationDefaults {
  int offsets_topic_replication_factor = 1;          // min(3, brokers)
  int transaction_state_log_replication_factor = 1;  // min(3, brokers)
  int transaction_state_log_min_isr = 1;             // 2 with 3+ brokers, else 1
  int default_replication_factor = 1;                // min(3, brokers)
};

// TLS, authentication and authorization of a node of a cluster with [security] tls.
struct KafkaSecurityValues {
  std::string key_store;    // node.pem: ssl.keystore.location (and zookeeper.ssl.*: ZooKeeper's
                            // clients, zookeeper-mode brokers and a migration's controllers)
  std::string trust_store;  // ca.pem: ssl.truststore.location (and zookeeper.ssl.*)
  // scram: CLIENT is SASL_SSL with SCRAM-SHA-512; mtls: SSL with client certificates; none:
  // SSL, nobody authenticated. INTERNAL and CONTROLLER require certificates unless none.
  inventory::Authentication authentication = inventory::Authentication::scram;
  std::string principal_mapping_rules;   // ssl.principal.mapping.rules (subjects -> names)
  bool authorization = true;             // the mode's authorizer, no ACL = denied, super users;
                                         // ZooKeeper's clients: zookeeper.set.acl
  std::vector<std::string> super_users;  // super.users entries ("User:kafka")
  // The on-ramp's transitional settings (the defaults: the secure cluster as it runs).
  int plaintext_port = 0;  // PLAINTEXT listener kept beside CLIENT and INTERNAL (its clients are
                           // User:ANONYMOUS, a super user meanwhile); 0: none
  bool internal_inter_broker = true;  // inter.broker.listener.name=INTERNAL; false: PLAINTEXT
  bool zookeeper_tls = true;          // ZooKeeper's clients (above) reach it over TLS
  // KRaft (on-ramp): CONTROLLER is SSL (false: PLAINTEXT); the transit controller listener
  // CONTROLLER_SSL (SSL) on `controller_transit_port` (controllers; 0: none); whether the quorum
  // talks on it (first of controller.listener.names, and brokers' only controller listener).
  bool controller_tls = true;
  int controller_transit_port = 0;
  bool controller_transit_default = false;
};

// Where a node stands in a move from ZooKeeper mode to KRaft (KIP-866, Kafka 3.9), for the
// transitional server.properties; none: the file of the node's mode. Open or secure: a secure
// cluster's nodes keep their TLS, authentication and authorizer settings throughout.
enum class KafkaMigration {
  none,
  // A dedicated KRaft controller in migration mode: zookeeper.metadata.migration.enable=true,
  // zookeeper.connect (the brokers' ensemble and chroot), inter.broker.listener.name (its RPCs
  // to the ZooKeeper-mode brokers). Secure: CONTROLLER over TLS with client certificates,
  // StandardAuthorizer and super.users as a KRaft controller's, and ZooKeeper reached as the
  // brokers reach it (zookeeper.ssl.* with the node's certificate, zookeeper.set.acl=true).
  controller,
  // A ZooKeeper-mode broker taking part in the migration (then dual-write): broker.id and
  // zookeeper.connect kept, controller.quorum.voters, controller.listener.names, CONTROLLER in
  // the protocol map (SSL on a secure cluster), the migration flag and
  // inter.broker.protocol.version pinned to 3.9; its listeners, AclAuthorizer and ZooKeeper
  // TLS settings as in zookeeper mode.
  broker,
  // A broker of the KRaft inventory as the plain ZooKeeper-mode broker it was (before the
  // migration, and after a rollback): rendered from kafka_zookeeper_mode_view.
  broker_zookeeper,
};

// The inter.broker.protocol.version a ZooKeeper-mode broker in migration is pinned to.
inline constexpr const char* kMigrationProtocolVersion = "3.9";

// A ZooKeeper-mode upgrade's first step (#11, ops/kafka/upgrade): the versions the brokers keep
// while the new binaries roll in, raised only by the second step; empty: not written.
// A key [kafka.config] sets wins (the inventory pins it itself).
struct KafkaVersionPins {
  std::string inter_broker_protocol;  // inter.broker.protocol.version ("3.8")
  std::string log_message_format;     // log.message.format.version (from releases before 2.1)
};

// Everything server.properties (templates/kafka/server.properties.mustache) is filled from.
struct ServerPropertiesValues {
  inventory::KafkaMode mode = inventory::KafkaMode::zookeeper;
  int id = 0;               // broker.id (zookeeper mode) or node.id (kraft), 0..2147483647
  bool broker = true;       // kraft: process.roles has broker (zookeeper mode: always)
  bool controller = false;  // kraft: process.roles has controller (zookeeper mode: never)
  std::vector<KafkaListener> listeners;              // listeners=, at least one
  std::vector<KafkaListener> advertised_listeners;   // advertised.listeners=; empty: line omitted
  std::vector<std::string> log_dirs;                 // log.dirs=, comma-joined, at least one
  std::string zookeeper_connect;                     // zookeeper mode: zookeeper.connect=
  int zookeeper_connection_timeout_ms = 18000;       // zookeeper mode
  std::vector<KafkaVoter> controller_quorum_voters;  // kraft: every controller, sorted by id
  // kraft: voters renders controller.quorum.voters, bootstrap controller.quorum.bootstrap.servers
  // (host:port of the same controllers); a migration's files are always voters.
  KafkaQuorum quorum = KafkaQuorum::voters;
  ReplicationDefaults replication;
  // Extra keys from [kafka.config], in inventory order. A key equal to one of zkctl's
  // defaults above (zookeeper.connection.timeout.ms, the replication keys) replaces it.
  std::vector<std::pair<std::string, std::string>> extra_config;
  // Set: listeners CLIENT, INTERNAL (brokers), CONTROLLER; empty: PLAINTEXT and CONTROLLER.
  std::optional<KafkaSecurityValues> security;
  // A migration's transitional file (controller: kraft mode and zookeeper_connect set; broker:
  // zookeeper mode and controller_quorum_voters set); none: the mode's own.
  KafkaMigration migration = KafkaMigration::none;
  std::string rack;  // broker.rack (brokers with a rack in the inventory, #15); empty: omitted

  KafkaVersionPins pins;  // zookeeper mode, an upgrade's first step (#11); empty: none
};

// Everything kafka-env.sh (templates/kafka/kafka-env.sh.mustache) is filled from.
// Raw values: rendering shell-quotes each one. The start command sources the file
// before bin/kafka-server-start.sh, which reads these variables.
struct KafkaEnvValues {
  int heap_mb = 0;         // KAFKA_HEAP_OPTS="-Xmx<heap>m -Xms<heap>m"
  std::string log_dir;     // LOG_DIR: where kafka-run-class.sh puts server.log, kafkaServer.out
  std::string java_home;   // JAVA_HOME; empty: line omitted
  std::string kafka_opts;  // KAFKA_OPTS (the metrics agent's -javaagent); empty: line omitted
};

// Kafka's defaults for small clusters: internal topics need as many brokers as their
// replication factor, so every factor is min(3, `brokers`); the transaction log's
// min ISR is 2 only when the factor is 3, so one broker may be down at any time.
ReplicationDefaults replication_defaults(int brokers);

// "h1:2181,h2:2181,...<chroot>": every ZooKeeper server's host:client_port, voters
// first, then observers (inventory order within each), and kafka.zookeeper_chroot
// once at the end; IPv6 addresses bracketed. No chroot without [kafka].
std::string kafka_zookeeper_connect(const inventory::Cluster& cluster);

// server.properties values for `node` in `cluster` (which must have [kafka]); with
// [security] tls, a broker's INTERNAL listener is on node.internal_port.
ServerPropertiesValues server_properties_values(const inventory::Cluster& cluster,
                                                const inventory::KafkaNode& node);

// kafka-env.sh values for `node` in `cluster`.
KafkaEnvValues kafka_env_values(const inventory::Cluster& cluster,
                                const inventory::KafkaNode& node);

// Fill each template from its values. Fail if a value would break the file: a
// control character, backslash or non-ASCII byte, an id outside 0..2147483647, a
// port outside 1..65535, a host with ',' ' ' '/' '@' or '=', a log dir that is not
// absolute or holds ',', a malformed or zkctl-managed extra key, roles or voters
// that do not fit the mode or the security, or a heap that is not positive; with security
// also an extra key TLS, SASL or the authorizer writes (ssl.*, sasl.*, listener.name.*, ...).
util::Result<std::string> render_server_properties(const ServerPropertiesValues& values,
                                                   const RenderOptions& options = {});
util::Result<std::string> render_kafka_env(const KafkaEnvValues& values,
                                           const RenderOptions& options = {});

// The two files of `node` (server.properties, kafka-env.sh; mode 0644) at the paths
// kafka_paths() gives, its systemd unit with that launcher, and with `tls` (PEM texts for a
// cluster with [security] tls) kafka_tls_files() too; without it a secure cluster's configs
// render all the same, with no key files. Fails if `cluster` has no [kafka], `node` is not
// one of its nodes, node ids repeat, a path is not absolute, [security] is a combination
// check_security refuses, `tls` is given to a cluster without TLS, or a render_* above fails.
// `quorum`: how a KRaft node's server.properties names the controller quorum; `pins`: an
// upgrade's first step (zookeeper mode; ignored in KRaft).
util::Result<std::vector<RenderedFile>> render_kafka_node(const inventory::Cluster& cluster,
                                                          const inventory::KafkaNode& node,
                                                          const RenderOptions& options = {},
                                                          const TlsMaterial* tls = nullptr,
                                                          KafkaQuorum quorum = KafkaQuorum::voters,
                                                          const KafkaVersionPins& pins = {});

// `cluster` (a KRaft inventory migrated from ZooKeeper mode) as its ZooKeeper-mode brokers
// saw it: mode zookeeper, the dedicated controllers left out. What a broker is rolled back to.
inventory::Cluster kafka_zookeeper_mode_view(const inventory::Cluster& cluster);

// server.properties values of `node` of `cluster` (the KRaft inventory, with its
// [[zookeeper.servers]]) at migration step `step`: controller for a controller, broker for a
// broker and broker_zookeeper (rendered from kafka_zookeeper_mode_view); none:
// server_properties_values.
ServerPropertiesValues migration_properties_values(const inventory::Cluster& cluster,
                                                   const inventory::KafkaNode& node,
                                                   KafkaMigration step);

// render_kafka_node with the server.properties of migration step `step`
// (migration_properties_values), and with `tls` the node's TLS files as render_kafka_node
// places them. Fails as render_kafka_node does, and for a controller that is also a broker, a
// cluster without ZooKeeper servers, or a secure cluster rendered mid security on-ramp.
util::Result<std::vector<RenderedFile>> render_kafka_node_in_migration(
    const inventory::Cluster& cluster, const inventory::KafkaNode& node, KafkaMigration step,
    const RenderOptions& options = {}, const TlsMaterial* tls = nullptr);

}  // namespace zkctl::render
