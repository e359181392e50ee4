#pragma once
// The security on-ramp (#13): an open cluster made secure while it serves, and back. Each phase
// is one deploy of a view of the cluster (inventory::Cluster::onramp says what to render, its
// `security` and ports how zkctl's own clients reach the nodes meanwhile), so every phase is a
// rolling step with deploy's usual gates. The phase reached is recorded locally after each
// phase ("<phase>", or "<from> -> <to>" while one rolls), so a rerun of deploy resumes.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/context.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// The phase's name in plan, progress and the local record ("zk-unified", ...).
const char* to_string(inventory::SecurityPhase phase);
// The phase called `name`; nullopt for another word.
std::optional<inventory::SecurityPhase> security_phase_named(const std::string& name);

// What rolling into `phase` changes, for plan ("ZooKeeper: client.portUnification, ...").
std::string phase_change(inventory::SecurityPhase phase);

// Where the on-ramp stands and where this deploy takes it.
struct OnrampRoute {
  inventory::SecurityPhase from = inventory::SecurityPhase::open;  // reached (recorded) phase
  inventory::SecurityPhase to = inventory::SecurityPhase::open;    // where this deploy stops
  std::vector<inventory::SecurityPhase> steps;  // each phase rolled into, in order
};

// What the on-ramp knows before it decides (no I/O).
struct OnrampFacts {
  std::optional<inventory::SecurityPhase> recorded;  // the local record; nullopt: none
  bool deployed = false;                             // a previous deploy of the cluster is recorded
  bool deployed_tls = false;   // the inventory that deploy used had [security] tls
  bool inventory_tls = false;  // the inventory now has [security] tls
  bool zookeeper = false;      // the cluster has ZooKeeper servers
  bool kafka = false;          // the cluster has Kafka nodes
  bool kraft = false;          // Kafka in KRaft mode with controllers (their listener moves too)
  DropPlaintext drop_plaintext = DropPlaintext::no;  // deploy --drop-plaintext
};

// The route, or nullopt when this deploy is no on-ramp at all (first deploy, or the cluster is
// and stays plainly open or plainly secure). Phases that change nothing on this cluster (Kafka's
// without Kafka, ZooKeeper's without servers) are left out; Kafka's PLAINTEXT is dropped only
// with `drop_plaintext` (or when the cluster had already dropped it).
std::optional<OnrampRoute> onramp_route(const OnrampFacts& facts);

// The cluster a deploy rolling from `from` into `to` works on: `now`'s nodes and settings, with
// onramp set (the secure side's [security] and ports, the open side's PLAINTEXT ports); its
// `security` and Kafka ports are those zkctl's clients can use on every node during that roll
// (plaintext until every node accepts TLS, TLS after).
inventory::Cluster onramp_view(const inventory::Cluster& now, const inventory::Cluster& secure_side,
                               const inventory::Cluster& open_side, inventory::SecurityPhase from,
                               inventory::SecurityPhase to);

// The port a KRaft controller's transit listener CONTROLLER_SSL takes during the on-ramp:
// controller_port + 10000 (nothing else may use it on the host meanwhile).
int controller_transit_port(const inventory::KafkaNode& node);

// The listener names KRaft controllers publish to the quorum in `phase` (CONTROLLER, and
// CONTROLLER_SSL from kafka-listeners to kraft-controller-home).
std::set<std::string> controller_listener_names(inventory::SecurityPhase phase);

// Each voter's listener names in `kafka-metadata-quorum.sh describe --status` output, its
// CurrentVoters JSON (voter id -> names of its "endpoints", none for a voter without); empty
// when the output lists no voter, only ids (a static quorum's older form) or is malformed.
std::map<int, std::set<std::string>> voter_listener_names(const std::string& status);

// Why the two sides cannot be rolled between (nodes differ, a Kafka PLAINTEXT port equal to
// the secure CLIENT or INTERNAL port of the same node, a KRaft controller_port changed or its
// transit port taken); empty when they can.
std::vector<std::string> onramp_refusals(const inventory::Cluster& secure_side,
                                         const inventory::Cluster& open_side);

// Whether rolling from `from` into `to` takes the brokers off TLS to ZooKeeper on a cluster
// whose secure side has Kafka in ZooKeeper mode with authorization: zookeeper.set.acl gave
// Kafka's znodes x509 ACLs of the brokers' identity, which brokers back on plaintext could not
// write (seen on the lab: they cannot register), so the roll opens them first
// (zookeeper-security-migration.sh --zookeeper.acl=unsecure) and again after it.
bool onramp_opens_zk_acls(const inventory::Cluster& secure_side, inventory::SecurityPhase from,
                          inventory::SecurityPhase to);

// Kafka's PLAINTEXT ports the on-ramp keeps on cluster `name` now (node id -> port, from the
// local record): empty unless a phase with Kafka's secure listeners and PLAINTEXT is reached.
std::map<int, int> kept_plaintext_ports(const std::string& name);

// The on-ramp phase cluster `name` stands at when it is neither plainly open nor plainly secure
// (the local record: a phase between them, Kafka's PLAINTEXT kept, or "<from> -> <to>" while a
// roll is under way); "": none (every deploy then renders the cluster's own files).
std::string onramp_unfinished(const std::string& name);

// deploy's hook: when `ctx`'s cluster is on an on-ramp route, plan or run its phases (each a
// deploy of its view, recorded as it completes) and return the report; nullopt: not an on-ramp,
// deploy goes on as usual.
std::optional<DeployReport> deploy_onramp(Context& ctx, DeployMode mode, Force force);

}  // namespace zkctl::ops
