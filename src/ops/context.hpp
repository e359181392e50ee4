#pragma once
// What every operation needs: the cluster, command-wide options, progress,
// and SSH connections (one per server, opened concurrently, reused by every
// step of the command).

#include <chrono>
#include <compare>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/security/cluster_pki.hpp"
#include "remote/remote.hpp"
#include "remote/ssh.hpp"
#include "render/engine.hpp"
#include "render/kafka.hpp"
#include "runner/progress.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// What a roll does when a Kafka partition gate refuses: stop (exit 4), or go on (--force).
enum class GateRefusal { stop, pass };

// How a Kafka roll groups brokers (#15): one at a time, or a rack's brokers at once
// (restart/deploy --by-rack, ops/kafka/rack_roll).
enum class RollBy { node, rack };

// Whether the security on-ramp may drop Kafka's PLAINTEXT listener (deploy --drop-plaintext).
enum class DropPlaintext { no, yes };

// Whether deploy runs a Kafka upgrade's second step (deploy/plan --finalize-upgrade, #11:
// ops/kafka/upgrade).
enum class FinalizeUpgrade { no, yes };

// Whether a deploy compares the inventory with the recorded one (see Options::membership).
enum class Membership { recorded, fixed };

// Where deploy reconciles Kafka's users (SCRAM credentials, ACLs): its own users stage, or
// later by the command itself (a migration's dual-write phase, after its gate: ops/migration).
enum class KafkaUsersStage { in_deploy, later };

struct Options {
  int parallel = 16;  // most hosts worked on at once
  remote::HostKeyPolicy host_keys = remote::HostKeyPolicy::strict;
  std::chrono::milliseconds probe_timeout{3000};     // one srvr/mntr exchange
  std::chrono::seconds wait_timeout{120};            // waiting for a node to serve in its role
  std::chrono::seconds stop_grace{30};               // SIGTERM -> SIGKILL
  std::chrono::seconds kafka_stop_grace{120};        // Kafka's controlled shutdown can take a while
  GateRefusal gate_refusal = GateRefusal::stop;      // restart/deploy --force: pass
  RollBy roll_by = RollBy::node;                     // restart/deploy --by-rack: rack (#15)
  DropPlaintext drop_plaintext = DropPlaintext::no;  // deploy --drop-plaintext (on-ramp, #13)
  PkiUse pki_use = PkiUse::existing;  // deploy: issue (create the CA and certificates)
  int connect_timeout_s = 0;          // >0 overrides the inventory's [ssh]
  int command_timeout_s = 0;          // >0 overrides the inventory's [ssh]
  render::RenderOptions templates;    // user template overrides ($ZKCTL_TEMPLATES)
  // --allow-proxy-command: let an ssh config's ProxyCommand / Match exec run locally.
  remote::LocalCommands local_commands = remote::LocalCommands::refuse;
  // A migration to KRaft under way (ops/migration): how this command renders the Kafka
  // controllers' and brokers' server.properties; none: the inventory mode's own file.
  render::KafkaMigration kafka_controllers_as = render::KafkaMigration::none;
  render::KafkaMigration kafka_brokers_as = render::KafkaMigration::none;
  // Whether deploy takes out the nodes the recorded inventory had and this one drops
  // (recorded), or leaves membership alone (fixed: a migration's phases, whose views drop the
  // controllers the rollback stops itself).
  Membership membership = Membership::recorded;
  FinalizeUpgrade finalize_upgrade = FinalizeUpgrade::no;    // deploy/plan --finalize-upgrade (#11)
  KafkaUsersStage kafka_users = KafkaUsersStage::in_deploy;  // deploy's users stage or later
  // Opens one session; empty: remote::connect_ssh. Tests pass a fake.
  std::function<util::Result<std::unique_ptr<remote::Remote>>(const remote::SshOptions&)> connector;
};

// The kinds of node zkctl runs.
enum class NodeKind {
  zookeeper,
  kafka,
  host_agent,  // prometheus-node-exporter on every host of the cluster ([metrics])
  prometheus,  // Prometheus on the monitoring host ([monitoring])
};

// Names one node in a command: its kind, host and id (myid, or Kafka's node id).
// One session per key per command.
struct NodeKey {
  NodeKind kind = NodeKind::zookeeper;
  std::string host;
  int id = 0;
  auto operator<=>(const NodeKey&) const = default;
};

// One server's (or Kafka node's) connection, or why there is none.
struct Connection {
  std::string host;
  std::unique_ptr<remote::Remote> remote;  // null when connecting failed
  std::string error;
};

class Context {
 public:
  Context(const inventory::Cluster& cluster, Options options, runner::Progress& progress);
  // A context over another view of the same cluster (e.g. scale-in's transition view)
  // that shares `parent`'s sessions: a node already connected is not connected again.
  Context(const inventory::Cluster& view, Context& parent);

  const inventory::Cluster& cluster() const { return cluster_; }
  const Options& options() const { return options_; }
  runner::Progress& progress() { return progress_; }
  std::chrono::seconds command_timeout(const inventory::Server& s) const;
  std::chrono::seconds command_timeout(const inventory::KafkaNode& n) const;
  // The probe timeout, raised to `floor`: for exchanges slower than one srvr/mntr.
  std::chrono::milliseconds probe_timeout_at_least(std::chrono::milliseconds floor) const;
  // probe_timeout_at_least(5 s): zkctl's Kafka admin client (metadata, configs) and its
  // ZooKeeper sessions.
  std::chrono::milliseconds admin_timeout() const;

  // Connect to every server in `servers` not yet connected, concurrently.
  // Returns the connections in the same order (failed ones carry `error`).
  // Each ZooKeeper server and each Kafka node has its own session (keyed by
  // NodeKey, not by object), so a stage may work on all of them at once (one
  // thread per session).
  std::vector<Connection*> connect(const std::vector<const inventory::Server*>& servers);
  std::vector<Connection*> connect(const std::vector<const inventory::KafkaNode*>& nodes);
  // The connection for `server` (connecting if needed).
  Connection& connection(const inventory::Server& server);
  Connection& connection(const inventory::KafkaNode& node);
  // The connection of a node of another `kind` (the monitoring daemons).
  Connection& connection(NodeKind kind, const inventory::Node& node);
  std::chrono::seconds command_timeout(const inventory::Node& n) const;

  // The cluster's certificates, opened on first use (Options::pki_use) and shared with the
  // views made from this context; an error when the cluster has TLS but no CA here.
  util::Result<ClusterPki*> pki() const;
  // The TLS files node `node` of `identity` holds: nullopt for a cluster without TLS, and for
  // commands that only read when the cluster's certificates are not here yet.
  util::Result<std::optional<render::TlsMaterial>> tls_material(const char* identity,
                                                                const inventory::Node& node) const;

 private:
  // The command's sessions, shared by a context and the views made from it.
  struct Sessions {
    std::mutex mu;  // guards `by_node` (the map, not the sessions) and the pki slot
    std::map<NodeKey, std::unique_ptr<Connection>> by_node;
    std::unique_ptr<ClusterPki> pki;  // opened on first use
    std::string pki_error;            // why it could not be opened
  };
  Connection& slot(const NodeKey& key);
  std::vector<Connection*> connect_nodes(NodeKind kind,
                                         const std::vector<const inventory::Node*>& nodes);
  std::vector<Connection*> connect_all(const std::vector<NodeKey>& keys,
                                       const std::vector<remote::SshOptions>& options);

  const inventory::Cluster& cluster_;
  Options options_;
  runner::Progress& progress_;
  std::shared_ptr<Sessions> sessions_;
};

// How to reach `node`: its [ssh] settings, with the command line's timeouts and host-key policy.
remote::SshOptions ssh_options_for(const inventory::Node& node, const Options& options);

}  // namespace zkctl::ops
