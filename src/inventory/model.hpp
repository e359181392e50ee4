#pragma once
// The cluster as the inventory describes it, with every default and per-server
// override already resolved: later stages never look at TOML again.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zkctl::inventory {

// Where a value came from, for error messages ("file:line:col").
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
};

enum class Role { voter, observer };

// Four-letter words zkctl's probes need; always in the 4lw.commands.whitelist.
inline constexpr std::array<std::string_view, 6> kManagedFourLetterWords = {"srvr", "stat", "mntr",
                                                                            "ruok", "conf", "isro"};

// How zkctl gets root rights on a host.
enum class Become {
  none,  // the SSH user is root (or does everything itself)
  sudo,  // every remote command through `sudo -n` (NOPASSWD); uploads installed by root
};

// Values left empty/0 were not set in the inventory: the ssh config file's, else
// zkctl's defaults (user root, port 22, ssh-agent and ~/.ssh default keys) apply.
struct SshSettings {
  std::string user;              // empty: ssh config's User, else root
  int port = 0;                  // 0: ssh config's Port, else 22
  std::string identity_file;     // empty: ssh config's IdentityFile, else agent and defaults
  std::string config_file;       // empty: ~/.ssh/config if it exists; "none": none
  std::string known_hosts_file;  // empty: ~/.ssh/known_hosts
  Become become = Become::none;
  int connect_timeout_s = 10;   // TCP connect + handshake + auth
  int command_timeout_s = 300;  // one remote command
};

// How services are started and stopped on a host.
enum class Launcher {
  scripts,  // the distribution's own scripts (zkServer.sh start, kafka-server-start.sh -daemon)
  systemd,  // a rendered unit in /etc/systemd/system, driven with systemctl
};

// How a node's services run, resolved from [service] (the same for every node).
struct ServiceSettings {
  Launcher launcher = Launcher::scripts;
  std::string user = "root";  // runs the services and owns their configs, data and logs
  std::string cluster;        // the cluster's name, for systemd unit names
  std::string unit_suffix;    // "" or "-<id>": the second and later node of a product on one
                              // host (inventory order) get their own unit name
};

// A JDK deploy pushes into every install dir ([java]); empty: the hosts' own java.
struct JavaSettings {
  std::string distribution;  // local JDK tarball or directory, absolute path after loading
  SourcePos distribution_pos;
};

struct Ports {
  int client = 2181;
  int peer = 2888;      // quorum (follower -> leader)
  int election = 3888;  // leader election
  int admin = 0;        // AdminServer HTTP port; 0 = AdminServer disabled
};

// A port a node listens on, named after the inventory key that sets it.
struct PortUse {
  std::string key;  // "client_port", "listener_port", ...
  int port = 0;
};

// A directory a node owns on its host; no other node may use it or anything
// inside it, nor hold it inside one of its own.
struct DirUse {
  std::string key;    // the inventory key that sets it ("data_dir", "log_dirs")
  std::string label;  // its name in messages ("data_dir", "log dir")
  std::string dir;    // absolute, normalized
};

// What every node zkctl runs has, whatever it runs (a ZooKeeper server, a Kafka node).
struct Node {
  std::string host;         // name or address zkctl connects to (and configs name)
  int id = 0;               // ZooKeeper myid 1..255; Kafka broker.id / node.id
  std::string install_dir;  // <install>/releases, current, conf or config, logs
  SshSettings ssh;          // cluster [ssh] merged with the node's ssh_* overrides
  ServiceSettings service;  // [service]
  std::string java_home;    // pushed JDK (<install_dir>/java/current); empty: system java
  SourcePos pos;            // the node's [[...]] entry
  // #15 (racks): the node's failure domain, `rack` of its entry; empty: none. Kafka brokers
  // get it as broker.rack; check/plan warn when one rack holds a quorum's majority.
  std::string rack;
};

// One ZooKeeper server, fully resolved.
struct Server : Node {
  Role role = Role::voter;
  Ports ports;
  std::string data_dir;
  std::string data_log_dir;  // empty: transaction log lives in data_dir
  int metrics_port = 0;      // [metrics] zookeeper_port when metrics are on; 0: no provider

  // The ports it listens on (admin and metrics only when enabled), in inventory key order.
  std::vector<PortUse> used_ports() const {
    std::vector<PortUse> out = {{"client_port", ports.client},
                                {"peer_port", ports.peer},
                                {"election_port", ports.election}};
    if (ports.admin != 0) out.push_back({"admin_port", ports.admin});
    if (metrics_port != 0) out.push_back({"metrics.zookeeper_port", metrics_port});
    return out;
  }
  // install_dir, data_dir and (when set) data_log_dir.
  std::vector<DirUse> used_dirs() const {
    std::vector<DirUse> out = {{"install_dir", "install_dir", install_dir},
                               {"data_dir", "data_dir", data_dir}};
    if (!data_log_dir.empty()) out.push_back({"data_log_dir", "data_log_dir", data_log_dir});
    return out;
  }
};

struct ZooKeeperSettings {
  std::string distribution;  // local tarball, absolute path after loading
  SourcePos distribution_pos;
  int heap_mb = 512;
  int tick_time_ms = 2000;
  int init_limit = 10;
  int sync_limit = 5;
  // The whole 4lw.commands.whitelist, in order: kManagedFourLetterWords, then the
  // inventory's `four_letter_words` without duplicates; exactly {"*"} enables all.
  std::vector<std::string> four_letter_words{kManagedFourLetterWords.begin(),
                                             kManagedFourLetterWords.end()};
  // Extra zoo.cfg keys passed through verbatim, in inventory order; keys and values
  // are free of control characters and backslashes, and no key is one zkctl manages.
  std::vector<std::pair<std::string, std::string>> extra_config;
};

enum class KafkaMode {
  zookeeper,  // Kafka up to 3.9: brokers coordinate through this inventory's ensemble
  kraft,      // Kafka 3.3+ and 4.x: controllers elected by their own Raft quorum
};

// One Kafka node (a broker, a KRaft controller, or both), fully resolved.
// Node::id is broker.id (zookeeper mode) or node.id (kraft).
struct KafkaNode : Node {
  bool broker = true;          // process.roles contains broker (always, in zookeeper mode)
  bool controller = false;     // process.roles contains controller (kraft only)
  int listener_port = 9092;    // CLIENT listener (PLAINTEXT when the cluster is open)
  int controller_port = 9093;  // CONTROLLER listener (kraft controllers)
  int internal_port = 0;       // INTERNAL listener (brokers, and zkctl's admin identity) when the
                               // cluster is not open (SecuritySettings::open()); 0: none

  std::vector<std::string> log_dirs;  // log.dirs (kraft: the first also holds meta.properties)
  int metrics_port = 0;  // [metrics] kafka_port when the JMX exporter agent runs; 0: none

  // listener_port when a broker, controller_port when a controller, the metrics agent's port.
  std::vector<PortUse> used_ports() const {
    std::vector<PortUse> out;
    if (broker) out.push_back({"listener_port", listener_port});
    if (broker && internal_port != 0) out.push_back({"internal_port", internal_port});
    if (controller) out.push_back({"controller_port", controller_port});
    if (metrics_port != 0) out.push_back({"metrics.kafka_port", metrics_port});
    return out;
  }
  // install_dir and every log dir.
  std::vector<DirUse> used_dirs() const {
    std::vector<DirUse> out = {{"install_dir", "install_dir", install_dir}};
    for (const auto& dir : log_dirs) out.push_back({"log_dirs", "log dir", dir});
    return out;
  }
};

struct KafkaSettings {
  KafkaMode mode = KafkaMode::zookeeper;
  std::string distribution;  // local tarball, absolute path after loading
  SourcePos distribution_pos;
  int heap_mb = 512;
  std::string zookeeper_chroot = "/kafka";  // zookeeper mode: appended to zookeeper.connect
  std::string cluster_id;  // kraft: fixed id from the inventory; empty: generated once
                           // by deploy and recorded in the local state
  // Extra server.properties keys, in inventory order; same rules as zoo.cfg's.
  std::vector<std::pair<std::string, std::string>> extra_config;
  // [kafka] reassign_throttle (#15, drain/rebalance): bytes/s replica moves copy at.
  long long reassign_throttle = 50'000'000;
};

// How clients prove who they are ([security] authentication).
enum class Authentication {
  scram,  // Kafka clients SASL/SCRAM-SHA-512; servers, brokers to ZooKeeper and zkctl: mutual TLS
  mtls,   // client certificates everywhere
  none,   // nobody is authenticated (Kafka: User:ANONYMOUS)
};

// Key algorithm of the certificates zkctl issues.
enum class KeyType { ec_p256, rsa_3072 };

// A Kafka client user ([[security.users]]): its SCRAM credential and ACLs, reconciled by deploy.
// Topic and group entries are prefixes (Kafka PREFIXED patterns); "*" is every name.
struct SecurityUser {
  std::string name;                 // SCRAM user name / certificate CN; [A-Za-z0-9._-]{1,64}
  std::string password_file;        // absolute; empty: zkctl generates one in the cluster's pki dir
  std::vector<std::string> read;    // topics it may consume (Read, Describe)
  std::vector<std::string> write;   // topics it may produce to (Write, Describe)
  std::vector<std::string> groups;  // consumer groups it may use (Read)
  SourcePos pos;                    // its [[security.users]] entry
};

// [security]; its absence means every default: TLS, SCRAM, authorization on.
struct SecuritySettings {
  bool tls = true;  // every listener and peer link encrypted
  Authentication authentication = Authentication::scram;
  bool authorization = true;  // Kafka authorizer + ZooKeeper ACLs on Kafka's chroot
  std::string ca_cert;        // operator's CA (absolute path); empty: zkctl's own CA
  std::string ca_key;         // set exactly when ca_cert is
  SourcePos ca_pos;
  KeyType key_type = KeyType::ec_p256;
  int cert_days = 730;  // node certificates' validity (1..825)
  std::vector<SecurityUser> users;
  SourcePos pos;  // the [security] table (line 0: absent)

  // Nothing on: the seed's open layout (plaintext everywhere, no authentication, no ACLs).
  bool open() const { return !tls && authentication == Authentication::none && !authorization; }
};

// [metrics]: a Prometheus endpoint in every ZooKeeper and Kafka JVM and a host agent (disk, CPU)
// on every host; on unless `enabled = false`. Served on the node's address, over TLS when the
// cluster is not open.
struct MetricsSettings {
  bool enabled = true;
  int zookeeper_port = 7000;  // ZooKeeper's own Prometheus provider (metricsProvider.httpPort)
  int kafka_port = 7071;      // the Prometheus JMX exporter Java agent in each Kafka JVM
  int host_port = 9100;       // the host agent (Debian's prometheus-node-exporter), one per host
  std::string kafka_agent;    // local jmx_prometheus_javaagent jar, absolute after loading;
                              // pushed to Kafka hosts like the JDK
  SourcePos pos;              // the [metrics] table (line 0: absent)
};

// [monitoring]: an optional host running Prometheus (Debian's package) with scrape targets and
// alert rules rendered from the inventory, kept in step by every deploy.
struct MonitoringSettings {
  std::string host;                                   // empty: no monitoring host
  int port = 9090;                                    // Prometheus' web/API port
  std::string install_dir = "/opt/zkctl-monitoring";  // config, rules and data
  int scrape_interval_s = 15;
  int disk_alert_percent = 85;  // alert when a data filesystem is fuller than this
  SourcePos pos;                // the [monitoring] table (line 0: absent)

  bool enabled() const { return !host.empty(); }
};

// The security on-ramp (#13, src/ops/security/onramp): the phases a deploy rolls an open cluster
// through to its [security] settings, in order. Only the on-ramp uses these.
enum class SecurityPhase {
  open,             // nothing secure (the cluster as it ran)
  zk_unified,       // ZooKeeper: client port and quorum accept TLS beside plaintext
  zk_quorum_tls,    // ZooKeeper: quorum links over TLS (sslQuorum), plaintext still accepted
  kafka_listeners,  // Kafka: CLIENT and INTERNAL beside PLAINTEXT; users and ACLs created
  kafka_internal,   // Kafka: inter-broker (and controller) on the secure listener, ZooKeeper TLS
  // KRaft only: CONTROLLER (controller_port) over TLS while the quorum talks on CONTROLLER_SSL,
  // the quorum back on CONTROLLER, then CONTROLLER_SSL (the transit listener) removed.
  kraft_controller_tls,
  kraft_controller_home,
  kraft_transit_off,
  zk_plaintext_off,  // ZooKeeper: TLS only; Kafka keeps PLAINTEXT for outside clients
  secure,            // Kafka's PLAINTEXT dropped: the [security] settings as the inventory says
};

// A deploy in the middle of the on-ramp renders from this (set only by the on-ramp, on a copy of
// the cluster whose `security` and ports say how zkctl's own clients reach nodes meanwhile).
struct SecurityOnramp {
  SecurityPhase phase = SecurityPhase::open;  // what the nodes are rolled to
  SecuritySettings security;                  // the secure settings the phases lead to
  std::map<int, int> plaintext_port;          // Kafka node id -> PLAINTEXT port kept meanwhile
  std::map<int, int> client_port;             // Kafka node id -> secure CLIENT port
  std::map<int, int> internal_port;           // Kafka node id -> INTERNAL port
  // KRaft controllers (on-ramp only): node id -> CONTROLLER's port (controller_port, the same on
  // both sides), and -> the transit CONTROLLER_SSL listener's port while the quorum moves.
  std::map<int, int> controller_port;
  std::map<int, int> controller_transit_port;
};

struct Cluster {
  std::string name;
  std::string source_file;  // the inventory file it was loaded from
  SshSettings ssh;
  ServiceSettings service;
  JavaSettings java;
  ZooKeeperSettings zookeeper;
  std::vector<Server> servers;         // empty when the inventory has no [zookeeper] (kraft only)
  std::optional<KafkaSettings> kafka;  // set when the inventory has a [kafka] table
  std::vector<KafkaNode> kafka_nodes;
  SecuritySettings security;
  MetricsSettings metrics;               // [metrics]
  MonitoringSettings monitoring;         // [monitoring]
  std::optional<SecurityOnramp> onramp;  // on-ramp (#13) only: the phase being rendered

  std::vector<const KafkaNode*> brokers() const {
    std::vector<const KafkaNode*> v;
    for (const auto& n : kafka_nodes)
      if (n.broker) v.push_back(&n);
    return v;
  }
  std::vector<const KafkaNode*> controllers() const {
    std::vector<const KafkaNode*> v;
    for (const auto& n : kafka_nodes)
      if (n.controller) v.push_back(&n);
    return v;
  }
  const KafkaNode* find_kafka(const std::string& host) const {
    for (const auto& n : kafka_nodes)
      if (n.host == host) return &n;
    return nullptr;
  }

  // Servers with Role::voter.
  std::vector<const Server*> voters() const {
    std::vector<const Server*> v;
    for (const auto& s : servers)
      if (s.role == Role::voter) v.push_back(&s);
    return v;
  }
  // Votes a leader needs: floor(voters/2) + 1.
  int majority() const { return static_cast<int>(voters().size()) / 2 + 1; }
  const Server* find(const std::string& host) const {
    for (const auto& s : servers)
      if (s.host == host) return &s;
    return nullptr;
  }
};

inline const char* to_string(KafkaMode m) {
  return m == KafkaMode::zookeeper ? "zookeeper" : "kraft";
}

inline const char* to_string(Authentication a) {
  return a == Authentication::scram ? "scram" : a == Authentication::mtls ? "mtls" : "none";
}

inline const char* to_string(Launcher l) {
  return l == Launcher::scripts ? "scripts" : "systemd";
}

inline const char* to_string(Role r) {
  return r == Role::voter ? "voter" : "observer";
}

}  // namespace zkctl::inventory
