#pragma once
// `zkctl status`: every server probed concurrently, then the quorum verdict.

#include <vector>

#include "ops/component.hpp"
#include "ops/context.hpp"
#include "ops/host/node_metrics.hpp"
#include "ops/zookeeper/quorum.hpp"
#include "probe/node.hpp"

namespace zkctl::ops {

struct NodeStatus {
  const inventory::Server* server = nullptr;
  probe::NodeProbe probe;
  NodeMetrics metrics;  // its Prometheus provider's values (zkctl status only: add_metrics)
};

struct ClusterStatus {
  std::vector<NodeStatus> nodes;  // in inventory order
  QuorumSummary quorum;
  // Each configured server not serving in its role: "node1 down", "nn01 not serving".
  std::vector<std::string> problems() const;
  // The verdict: failed without a quorum; degraded when it holds but problems() is not empty.
  Health overall() const;
  // The verdict line: "quorum OK: ...", "quorum DEGRADED: ...; node1 down" or "NO QUORUM: ...".
  std::string verdict() const;
};

// Probe every server at once; a dead or black-holed host costs at most the
// probe timeout (plus the SSH connect timeout when falling back to SSH). `ask_mntr` no:
// srvr only over TCP (what the status table shows); safety checks keep the default.
ClusterStatus collect_status(Context& ctx, probe::AskMntr ask_mntr = probe::AskMntr::yes);

std::vector<Observed> observed(const ClusterStatus& status);

// Whether a server's metrics come from the JMX exporter agent, whose page lacks what mntr has
// (the status line's synced followers): status then asks mntr too.
bool metrics_need_mntr(const inventory::Cluster& cluster);

// `metrics` with the leader's synced_followers from its mntr (`probe`) when its page has none
// (the JMX exporter agent's): one line whichever source serves ZooKeeper's metrics.
void with_synced_followers(NodeMetrics& metrics, const probe::NodeProbe& probe);

// Read every server's metrics endpoint at once into `status` (`zkctl status` only: the safety
// checks that collect status need none of it).
void add_metrics(Context& ctx, ClusterStatus& status);

}  // namespace zkctl::ops
