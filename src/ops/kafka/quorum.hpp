#pragma once
// The KRaft controller quorum's kind and its live changes (#15, KIP-853). A static quorum
// (controller.quorum.voters, kraft.version 0) cannot change its voters; a dynamic one
// (controller.quorum.bootstrap.servers, kraft.version 1) can: a new controller is formatted
// with --no-initial-controllers, started as an observer, added once caught up
// (kafka-metadata-quorum.sh add-controller); a dropped one is removed from the voters
// (remove-controller) before it is stopped. New clusters on Kafka 3.9+ are formatted dynamic
// (--initial-controllers, directory ids generated once and recorded); a cluster's kind is
// read from the cluster itself (kraft.version), else from the local record.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/commands/control.hpp"
#include "ops/context.hpp"
#include "ops/host/java.hpp"
#include "render/kafka.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

enum class QuorumKind { unknown, fixed, dynamic };  // fixed: static (controller.quorum.voters)

// One voter or observer as `kafka-metadata-quorum.sh describe --status` lists it.
struct QuorumMember {
  int id = -1;
  std::string directory_id;            // "" when the tool names none
  std::vector<std::string> endpoints;  // "NAME://host:port" as published (KIP-853)
  bool bare = false;                   // listed as an id alone (older tools, a static quorum)
};

struct QuorumMembers {
  int leader_id = -1;
  std::vector<QuorumMember> voters;
  std::vector<QuorumMember> observers;
  bool has_voter(int id) const;
  const QuorumMember* voter(int id) const;
};

// One row of `describe --replication`.
struct ReplicaRow {
  int id = -1;
  std::string directory_id;
  long long log_end_offset = -1;
  long long lag = -1;
  long long last_caught_up_ms = -1;  // LastCaughtUpTimestamp
  std::string status;                // Leader, Follower, Observer

  bool voter() const { return status == "Leader" || status == "Follower"; }
};

// Parsers of the tools' answers (exposed for tests). parse_quorum_members fails without LeaderId.
util::Result<QuorumMembers> parse_quorum_members(const std::string& text);
std::vector<ReplicaRow> parse_replication_rows(const std::string& text);
// kraft.version's FinalizedVersionLevel in `kafka-features.sh describe` (nullopt: not listed).
std::optional<int> parse_kraft_version(const std::string& text);

// What deploy remembers of the quorum: clusters/<name>/kraft-quorum (`kind=`, `initial=`).
struct QuorumRecord {
  QuorumKind kind = QuorumKind::unknown;
  std::string initial;  // --initial-controllers of the first format ("" for a static quorum)
};
QuorumRecord recorded_quorum(const std::string& cluster);

// Whether release `version` formats new KRaft clusters with a dynamic quorum (KIP-853: 3.9+).
bool dynamic_quorum_release(const DistVersion& version);

// How `zkctl render` (no host asked) names a KRaft cluster's controller quorum: as the last
// deploy recorded it, else as a first deploy would (dynamic from 3.9 on); ZooKeeper mode:
// voters (unused).
render::KafkaQuorum offline_quorum(const inventory::Cluster& cluster);
util::Result<void> record_quorum(const std::string& cluster, const QuorumRecord& record);

// What the Kafka tier settled about the quorum for this command.
struct QuorumPlan {
  QuorumKind kind = QuorumKind::unknown;
  std::string initial;        // --initial-controllers for controllers of a new dynamic quorum
  std::set<int> initial_ids;  // the controllers it names
  std::set<int> joining;      // inventory controllers not yet voters: added live after start
  std::vector<std::string> problems;  // pre-flight problems (the kind cannot be told)
  std::vector<std::string> refusals;  // changes refused (a controller added to a static quorum)
  render::KafkaQuorum render() const {
    return kind == QuorumKind::dynamic ? render::KafkaQuorum::bootstrap
                                       : render::KafkaQuorum::voters;
  }
};

// What the tier found before deciding (each from the cluster, the nodes' storage, the record).
struct QuorumFacts {
  bool kraft = false;                    // kafka.mode = "kraft"
  bool migration = false;                // a migration phase renders the nodes: always static
  DistVersion version;                   // the distribution's
  std::map<int, std::string> formatted;  // node id -> directory.id of every formatted node
  std::optional<int> kraft_version;      // the cluster's, when it answered
  std::optional<QuorumMembers> members;  // the cluster's quorum, when it answered
  QuorumRecord record;
};

// The quorum's kind and the controllers' format and joins (pure; `new_id` makes a directory id).
QuorumPlan decide_quorum(const inventory::Cluster& cluster, const QuorumFacts& facts,
                         const std::function<std::string()>& new_id);

// kafka-storage.sh format's quorum arguments for `node`: none (static, broker-only),
// --initial-controllers (a controller of a new dynamic quorum) or --no-initial-controllers.
std::vector<std::string> format_quorum_args(const QuorumPlan& plan,
                                            const inventory::KafkaNode& node);

// Lines refusing to take `removed` controllers out: a static quorum always; a dynamic one when
// the voters left would be fewer than 3 (unless `force`) or fewer than a majority of them
// serve (caught up within 5 s, per `rows`).
std::vector<std::string> controller_removal_refusals(const QuorumKind kind,
                                                     const QuorumMembers& members,
                                                     const std::vector<ReplicaRow>& rows,
                                                     const std::set<int>& removed, Force force);

// The leader's clock in `rows` (its own LastCaughtUpTimestamp), -1 without a leader row.
long long quorum_leader_clock(const std::vector<ReplicaRow>& rows);

// The voters in `rows` (Leader, Follower) not in `excluded` that serve: caught up within 5 s of
// the leader's clock (none without a leader row). The one rule of the controller roll's gate and
// of controller removal.
int serving_voters(const std::vector<ReplicaRow>& rows, const std::set<int>& excluded);

// Whether observer `id` has caught up (in `rows` with a lag of at most 10 records).
bool observer_caught_up(const std::vector<ReplicaRow>& rows, int id);

// Settle the quorum for the Kafka nodes (`meta`: node id -> its meta.properties, empty when
// unformatted): kraft.version and the quorum asked on a node of `running` (its process runs)
// when any is formatted (at most two tried: a quorum that does not answer makes each wait).
QuorumPlan settle_quorum(Context& ctx, const std::vector<const inventory::KafkaNode*>& nodes,
                         const std::map<int, std::map<std::string, std::string>>& meta,
                         const std::set<int>& running, bool migration);

// A joining controller: wait (bounded by wait_timeout, lag shown) until it has caught up as
// an observer, run add-controller with its own config, wait until the quorum lists it as a
// voter. Uses `node`'s session and the sessions of the other controllers.
util::Result<void> join_quorum(Context& ctx, const inventory::KafkaNode& node,
                               const std::string& step);

// A controller being taken out: remove-controller (its directory id read from the quorum),
// then wait until the quorum no longer lists it and has a leader. Nothing when not a voter.
util::Result<void> leave_quorum(Context& ctx, const inventory::KafkaNode& node,
                                const std::string& step);

// controller_removal_refusals with the quorum read from the cluster (a dynamic one).
std::vector<std::string> check_controller_removal(Context& ctx, QuorumKind kind,
                                                  const std::set<int>& removed, Force force);

// `describe --replication` of the quorum through the controllers (first running node that
// answers); an answer without rows is an error.
util::Result<std::vector<ReplicaRow>> read_replication_rows(Context& ctx);

// Read the quorum's voters and observers with directory ids (first running node that answers).
util::Result<QuorumMembers> read_quorum_members(Context& ctx);

// host:port,... of the CONTROLLER listeners of `cluster`'s controllers other than `except`
// (-1: none left out): what the admin tools' --bootstrap-controller asks.
std::string controller_endpoints(const inventory::Cluster& cluster, int except = -1);

}  // namespace zkctl::ops
