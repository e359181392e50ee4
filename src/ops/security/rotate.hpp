#pragma once
// `zkctl pki rotate`: every node certificate (and zkctl's admin identity) reissued by the
// cluster's CA, pushed, and picked up without a restart where the product reloads it:
// ZooKeeper watches its PEM files (sslQuorumReloadCertFiles for the quorum, client.certReload
// for the client port, 3.7.2 / 3.8.1 / 3.9.0 on), a Kafka broker re-reads its listeners'
// stores when dynamic config sets them again (kafka/reload-tls.sh). Anything else restarts in
// the tier's gated roll, with the reason. The cluster must match its inventory otherwise
// (deploy first), and every node must run.

#include <string>
#include <vector>

#include "ops/component.hpp"
#include "ops/host/java.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

// How a node picks up its new certificate, and why.
struct Pickup {
  enum class How { reload, restart } how = How::reload;
  std::string reason;
};

// ZooKeeper of version `v`: reload from 3.7.2, 3.8.1 and 3.9.0 on (client.certReload; the
// quorum reloads since 3.5.5), else restart (the client port reads its certificate at start).
Pickup zookeeper_pickup(const DistVersion& v);
// A Kafka node: a broker reloads through dynamic config; a KRaft controller restarts (zkctl
// does not reconfigure a CONTROLLER listener at run time).
Pickup kafka_pickup(const inventory::KafkaNode& node);

enum class RotateMode { dry_run, apply };

struct RotatedNode {
  std::string label;  // "node1", "node1 (kafka 11)"
  std::string kind;   // "zookeeper" / "kafka"
  Pickup pickup;
  int pid_before = 0;  // 0: unknown
  int pid_after = 0;
};

struct RotateReport {
  std::vector<std::string> refusals;  // why nothing was changed (exit 4/5)
  std::vector<RotatedNode> nodes;     // every node, with its decision (and PIDs once applied)
  std::vector<runner::HostResult> failures;
  int reloaded = 0;
  int restarted = 0;
  double seconds = 0;
  bool failed() const { return !failures.empty(); }
};

// Decide for every node and, with RotateMode::apply, reissue, push, reload or restart. The
// context must use PkiUse::issue to apply (PkiUse::existing is enough for a dry run).
RotateReport rotate_node_certificates(Context& ctx, RotateMode mode);

}  // namespace zkctl::ops
