#include "ops/zookeeper/quorum.hpp"

namespace zkctl::ops {

using probe::Mode;

bool serves_as_voter(Mode mode) {
  return mode == Mode::leader || mode == Mode::follower || mode == Mode::standalone;
}

bool mode_matches_role(Mode mode, inventory::Role role, int voter_count) {
  if (role == inventory::Role::observer) return mode == Mode::observer;
  if (voter_count == 1) return mode == Mode::standalone || mode == Mode::leader;
  return mode == Mode::leader || mode == Mode::follower;
}

std::string QuorumSummary::facts() const {
  std::string s = std::to_string(voters_serving) + "/" + std::to_string(voters) +
                  " voters serving, majority " + std::to_string(majority);
  if (leaders.size() == 1) {
    s += ", leader " + leaders[0]->host + " (id " + std::to_string(leaders[0]->id) + ")";
  } else if (leaders.empty()) {
    s += ", no leader";
  } else {
    s += ", " + std::to_string(leaders.size()) + " LEADERS (split brain):";
    for (const auto* l : leaders) s += " " + l->host;
  }
  return s;
}

std::string QuorumSummary::describe() const {
  return (ok() ? "quorum OK: " : "NO QUORUM: ") + facts();
}

QuorumSummary summarize(const inventory::Cluster& cluster, const std::vector<Observed>& nodes) {
  QuorumSummary q;
  q.voters = static_cast<int>(cluster.voters().size());
  q.majority = q.voters / 2 + 1;
  for (const auto& n : nodes) {
    if (n.server == nullptr) continue;
    if (n.server->role == inventory::Role::voter && serves_as_voter(n.mode)) ++q.voters_serving;
    if (n.mode == Mode::leader || (n.mode == Mode::standalone && q.voters == 1)) {
      q.leaders.push_back(n.server);
    }
  }
  return q;
}

util::Result<void> check_removal_safe(const inventory::Cluster& cluster,
                                      const std::vector<Observed>& nodes,
                                      const inventory::Server& target) {
  if (target.role != inventory::Role::voter) return {};
  QuorumSummary q = summarize(cluster, nodes);
  bool target_serving = false;
  for (const auto& n : nodes) {
    if (n.server == &target ||
        (n.server && n.server->host == target.host && n.server->id == target.id)) {
      target_serving = serves_as_voter(n.mode);
    }
  }
  if (!target_serving) return {};
  int left = q.voters_serving - 1;
  if (left < q.majority) {
    return util::fail("taking " + target.host + " (voter, id " + std::to_string(target.id) +
                      ") out of service would leave " + std::to_string(left) + " of " +
                      std::to_string(q.voters) + " voters serving; a quorum needs " +
                      std::to_string(q.majority) + " (use --force to do it anyway)");
  }
  return {};
}

}  // namespace zkctl::ops
