#pragma once
// `zkctl status`: every server probed concurrently, then the quorum verdict.

#include <vector>

#include "ops/context.hpp"
#include "ops/zookeeper/quorum.hpp"
#include "probe/node.hpp"

namespace zkctl::ops {

struct NodeStatus {
  const inventory::Server* server = nullptr;
  probe::NodeProbe probe;
};

struct ClusterStatus {
  std::vector<NodeStatus> nodes;  // in inventory order
  QuorumSummary quorum;
};

// Probe every server at once; a dead or black-holed host costs at most the
// probe timeout (plus the SSH connect timeout when falling back to SSH). `ask_mntr` no:
// srvr only over TCP (what the status table shows); safety checks keep the default.
ClusterStatus collect_status(Context& ctx, probe::AskMntr ask_mntr = probe::AskMntr::yes);

std::vector<Observed> observed(const ClusterStatus& status);

}  // namespace zkctl::ops
