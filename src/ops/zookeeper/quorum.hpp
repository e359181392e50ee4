#pragma once
// Quorum arithmetic over observed node modes: pure functions, no I/O.

#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "probe/four_letter.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// What one server was seen doing.
struct Observed {
  const inventory::Server* server = nullptr;
  probe::Mode mode = probe::Mode::unknown;
};

// A voter counts toward the quorum when it serves as leader, follower or standalone.
bool serves_as_voter(probe::Mode mode);
// True when `mode` is what `role` should show once the node is healthy.
bool mode_matches_role(probe::Mode mode, inventory::Role role, int voter_count);

struct QuorumSummary {
  int voters = 0;                                 // configured voters
  int voters_serving = 0;                         // voters answering as leader/follower/standalone
  int majority = 0;                               // floor(voters/2)+1
  std::vector<const inventory::Server*> leaders;  // more than one means split brain
  bool ok() const { return voters_serving >= majority && leaders.size() == 1; }
  // "3/3 voters serving, majority 2, leader node2 (id 2)".
  std::string facts() const;
  // "quorum OK: " + facts(), or "NO QUORUM: " + facts().
  std::string describe() const;
};

QuorumSummary summarize(const inventory::Cluster& cluster, const std::vector<Observed>& nodes);

// Refuse taking `target` out of service when that leaves fewer than a majority
// of voters serving. Observers and voters that are not serving are always safe.
util::Result<void> check_removal_safe(const inventory::Cluster& cluster,
                                      const std::vector<Observed>& nodes,
                                      const inventory::Server& target);

}  // namespace zkctl::ops
