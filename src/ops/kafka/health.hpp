#pragma once
// What the Kafka cluster says about itself: which brokers are registered, who
// is the active controller, whether any partition is under-replicated. Asked
// with real clients from this machine: ZooKeeper's C client (zookeeper mode:
// /brokers/ids, /controller) and librdkafka (metadata); in KRaft mode the
// controller quorum is read with the distribution's kafka-metadata-quorum.sh
// on one of the nodes.

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "ops/kafka/gate.hpp"
#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// How zkctl's own Kafka client reaches every broker (or only `only`): each broker's INTERNAL
// listener with zkctl's admin certificate on a secure cluster, else its client listener.
probe::KafkaAccess kafka_access(const inventory::Cluster& cluster,
                                const inventory::KafkaNode* only = nullptr);

struct KraftQuorum {
  int leader_id = -1;
  std::vector<int> voters;     // CurrentVoters
  std::vector<int> observers;  // CurrentObservers
  long max_follower_lag = -1;
};

// Parse `kafka-metadata-quorum.sh describe --status` output (exposed for tests).
util::Result<KraftQuorum> parse_quorum_status(const std::string& text);

struct KafkaHealth {
  std::set<int> registered;           // broker ids the cluster knows as alive
  std::optional<int> controller;      // zookeeper mode: /controller; kraft: the quorum leader
  std::optional<KraftQuorum> quorum;  // kraft
  int under_replicated = -1;          // partitions with fewer in-sync replicas than replicas
  int offline = -1;                   // partitions without a leader
  std::string error;                  // why something could not be read ("" if all was read)
};

// Ask the cluster. `with_quorum`: in KRaft mode also run kafka-metadata-quorum.sh
// on a node over SSH (a JVM start: about two seconds).
enum class WithQuorum { no, yes };
KafkaHealth kafka_health(Context& ctx, WithQuorum with_quorum);

// KRaft: run kafka-metadata-quorum.sh on the first reachable node (uses that
// node's SSH session: call it only when no other thread uses the sessions).
util::Result<KraftQuorum> read_kraft_quorum(Context& ctx);

// Poll until broker `node` is registered and no partition is under-replicated
// or offline, or `timeout` passes.
util::Result<void> wait_broker_healthy(Context& ctx, const inventory::KafkaNode& node,
                                       std::chrono::seconds timeout);

// The roll's gate for `node` (a broker): read metadata and min.insync.replicas and ask
// gate_before_restart (`rolled`: brokers this roll restarted) or gate_after_restart, again
// every half second while it says wait (each new wait shown as progress of `step`), until
// it says go or refuse, or wait_timeout passes (an error naming what was awaited).
enum class GatePhase { before, after };
util::Result<GateVerdict> await_gate(Context& ctx, const inventory::KafkaNode& node,
                                     const std::string& step, GatePhase phase,
                                     const std::set<int>& rolled);

// The polling of await_gate, await_batch_gate and await_rejoin: `look` again every half
// second while it says wait (each new wait shown as progress of `step` on `host`), until it
// says go or refuse (returned), or wait_timeout passes: an error "before the restart (or
// after, by `phase`), still <why> after <n>s".
// A stop request (Ctrl-C) does not end it: a roll finishes the node it restarted (back in
// sync) before it stops; a wait between steps that may end on one checks
// runner::stop_requested() in `look` (await_voter_listeners).
util::Result<GateVerdict> poll_gate(Context& ctx, const std::string& host, const std::string& step,
                                    GatePhase phase, const std::function<GateVerdict()>& look);

// The after-restart gate of broker `node` (gate_after_restart, polled as await_gate does),
// watching for leaders among `unrolled` (this roll's brokers not restarted yet) that hold it
// out of their ISRs (leaders_holding_out) for replica.lag.time.max.ms ([kafka.config], else
// 30 s; HoldWatch): back in sync, or the leader to restart first when
// gate_restart_holding_leader lets it go (a refusal is named in the timeout's error).
struct Rejoin {
  std::optional<int> restart_first;  // a leader holding `node` out, to restart now
  std::string why;                   // why, one line
};
util::Result<Rejoin> await_rejoin(Context& ctx, const inventory::KafkaNode& node,
                                  const std::string& step, const std::set<int>& unrolled);

// A ZooKeeper-mode broker that was killed (not stopped) stays registered until its ZooKeeper
// session expires, and a broker started before then fails to register and exits (NodeExists:
// Kafka's own system tests wait the same way). Polls until /brokers/ids/<id> is gone, at most
// the session timeout (zookeeper.session.timeout.ms, default 18 s) and 5 s, the wait shown as
// progress of `step`. Nothing to wait for in KRaft mode (unless the brokers are rendered as
// ZooKeeper-mode ones, a migration's `kafka_brokers_as`) or for a controller.
util::Result<void> wait_stale_registration_gone(Context& ctx, const inventory::KafkaNode& node,
                                                const std::string& step);

// await_gate's before-phase for `batch` restarted at once (gate_before_restart_batch),
// progress shown on `host`'s line.
util::Result<GateVerdict> await_batch_gate(Context& ctx, const std::string& host,
                                           const std::set<int>& batch, const std::string& step,
                                           const std::set<int>& rolled);

// Poll until every broker is registered and its own listener answers a metadata request
// (what `status` asks of it).
util::Result<void> wait_all_registered(Context& ctx, std::chrono::seconds timeout);

}  // namespace zkctl::ops
