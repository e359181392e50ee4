#pragma once
// Scale out and in. Adding a server needs nothing special: deploy starts it with
// a config naming every member, and it joins the running leader as a follower
// until the others are restarted, one by one, with the new membership. Taking
// one out is the reverse: the remaining members are rolled onto a config
// without it (while it still runs, so the old majority holds), then it is
// stopped. This file decides what was removed, the rules for it, and the view
// of the ensemble the roll uses while both memberships are live.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/commands/control.hpp"
#include "probe/kafka_client.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// What the last deploy recorded that the inventory no longer lists.
struct Removals {
  std::vector<inventory::Server> servers;         // ZooKeeper servers, as last deployed
  std::vector<inventory::KafkaNode> kafka_nodes;  // Kafka nodes, as last deployed
  int previous_voters = 0;                        // voters the last deploy had (0: none recorded)
  std::vector<std::string> errors;  // changes zkctl refuses to make in one deploy, one line each

  bool empty() const { return servers.empty() && kafka_nodes.empty(); }
};

// Compare the recorded cluster `previous` with the inventory `now` (matched by host).
Removals compare_membership(const inventory::Cluster& previous, const inventory::Cluster& now);

// The inventory the last deploy of cluster `name` recorded (nullopt: none recorded); an error
// when the recorded copy no longer loads.
util::Result<std::optional<inventory::Cluster>> recorded_inventory(const std::string& name);

// The same against the inventory the last deploy of `now.name` recorded in the
// local state; nothing recorded means nothing removed. A recorded inventory that
// no longer loads is an error (removals could not be told).
util::Result<Removals> find_removals(const inventory::Cluster& now);

// Lines refusing the change unless `force` is yes: removing voters so that fewer
// than 3 remain.
std::vector<std::string> removal_refusals(const inventory::Cluster& now, const Removals& removals,
                                          Force force);

// Lines refusing to take Kafka brokers `ids` out, one per topic that, per `metadata`, has a
// replica on them and a replication factor larger than the brokers `remaining` (empty: the
// registered brokers not in `ids`): deploy drains the others before stopping the broker.
std::vector<std::string> kafka_removal_problems(const probe::KafkaMetadata& metadata,
                                                const std::set<int>& ids,
                                                const std::set<int>& remaining = {});

// The ensemble while members change: `now` plus the removed servers in `still_serving`
// (as they were deployed), so quorum checks count every member the running servers
// still count.
inventory::Cluster transition_view(const inventory::Cluster& now,
                                   const std::vector<inventory::Server>& still_serving);

}  // namespace zkctl::ops
