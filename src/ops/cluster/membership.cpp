#include "ops/cluster/membership.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "inventory/load.hpp"
#include "ops/cluster/state.hpp"

namespace zkctl::ops {

Removals compare_membership(const inventory::Cluster& previous, const inventory::Cluster& now) {
  Removals r;
  r.previous_voters = static_cast<int>(previous.voters().size());
  std::map<int, const inventory::Server*> removed_ids;
  for (const auto& old : previous.servers) {
    const inventory::Server* cur = now.find(old.host);
    if (cur == nullptr) {
      r.servers.push_back(old);
      removed_ids[old.id] = &old;
    } else if (cur->id != old.id) {
      r.errors.push_back(cur->host + ": id changed from " + std::to_string(old.id) + " to " +
                         std::to_string(cur->id) +
                         "; take the server out with one deploy, then add it back with the new id");
    }
  }
  for (const auto& s : now.servers) {
    auto it = removed_ids.find(s.id);
    if (it != removed_ids.end()) {
      r.errors.push_back(s.host + ": id " + std::to_string(s.id) + " belonged to " +
                         it->second->host +
                         ", which this deploy removes; take it out with one deploy before "
                         "giving its id to another server");
    }
  }
  std::map<int, const inventory::KafkaNode*> removed_kafka;
  for (const auto& old : previous.kafka_nodes) {
    // Two nodes on one host (a controller beside a broker): the one with the same id.
    const bool kept =
        std::any_of(now.kafka_nodes.begin(), now.kafka_nodes.end(),
                    [&](const auto& n) { return n.host == old.host && n.id == old.id; });
    if (kept) continue;
    const inventory::KafkaNode* cur = now.find_kafka(old.host);
    const bool shared = std::count_if(previous.kafka_nodes.begin(), previous.kafka_nodes.end(),
                                      [&](const auto& n) { return n.host == old.host; }) > 1;
    if (cur == nullptr || shared) {
      // A KRaft controller leaves the quorum first (a dynamic one; the Kafka tier refuses a
      // static quorum's: ops/kafka/quorum, #15); back in zookeeper mode (a migration rolled
      // back), controllers are only stopped.
      r.kafka_nodes.push_back(old);
      removed_kafka[old.id] = &old;
    } else if (cur->id != old.id) {
      r.errors.push_back(cur->host + ": kafka id changed from " + std::to_string(old.id) + " to " +
                         std::to_string(cur->id) +
                         "; a broker's id is its identity: add a new node instead");
    }
  }
  for (const auto& n : now.kafka_nodes) {
    auto it = removed_kafka.find(n.id);
    if (it != removed_kafka.end()) {
      r.errors.push_back(n.host + ": kafka id " + std::to_string(n.id) + " belonged to " +
                         it->second->host + ", which this deploy removes");
    }
  }
  return r;
}

util::Result<std::optional<inventory::Cluster>> recorded_inventory(const std::string& name) {
  bool known = false;
  for (const auto& n : recorded_cluster_names()) known = known || n == name;
  if (!known) return std::optional<inventory::Cluster>();
  auto rec = find_cluster(name);
  if (!rec) return std::optional<inventory::Cluster>();
  std::ifstream in(rec->inventory_copy, std::ios::binary);
  if (!in) return std::optional<inventory::Cluster>();
  std::ostringstream text;
  text << in.rdbuf();
  auto loaded = inventory::load_string(text.str(), rec->inventory_copy, rec->base_dir,
                                       inventory::LocalFiles::unchecked);
  if (!loaded.cluster) {
    std::string first;
    for (const auto& d : loaded.diagnostics) {
      if (d.severity == inventory::Diagnostic::Severity::error) {
        first = d.str();
        break;
      }
    }
    return util::fail("the inventory recorded by the last deploy (" + rec->inventory_copy +
                      ") no longer loads: " + first);
  }
  return std::optional<inventory::Cluster>(std::move(*loaded.cluster));
}

util::Result<Removals> find_removals(const inventory::Cluster& now) {
  auto previous = recorded_inventory(now.name);
  if (!previous)
    return util::fail(previous.error().message + ", so removed servers cannot be told");
  if (!*previous) return Removals{};
  return compare_membership(**previous, now);
}

std::vector<std::string> removal_refusals(const inventory::Cluster& now, const Removals& removals,
                                          Force force) {
  std::vector<std::string> out;
  if (force == Force::yes) return out;
  int removed_voters = 0;
  for (const auto& s : removals.servers)
    if (s.role == inventory::Role::voter) ++removed_voters;
  const int voters = static_cast<int>(now.voters().size());
  if (removed_voters > 0 && voters < 3) {
    out.push_back("removing " + std::to_string(removed_voters) + " voter(s) leaves " +
                  std::to_string(voters) + " (fewer than 3: one more failure stops the " +
                  "ensemble); deploy --force to do it anyway");
  }
  return out;
}

std::vector<std::string> kafka_removal_problems(const probe::KafkaMetadata& metadata,
                                                const std::set<int>& ids,
                                                const std::set<int>& remaining) {
  // Deploy drains a removed broker that still holds replicas before stopping it (#15): only
  // replicas with nowhere to go stop it, named by topic.
  std::set<int> left = remaining;
  if (left.empty())
    for (const auto& b : metadata.brokers)
      if (!ids.count(b.id)) left.insert(b.id);
  std::map<std::string, std::pair<int, std::string>> stuck;  // topic -> RF, a partition
  for (const auto& p : metadata.partitions) {
    const bool held =
        std::any_of(p.replicas.begin(), p.replicas.end(), [&](int r) { return ids.count(r) > 0; });
    if (held && p.replicas.size() > left.size())
      stuck.emplace(p.topic, std::make_pair(static_cast<int>(p.replicas.size()),
                                            p.topic + "-" + std::to_string(p.partition)));
  }
  std::vector<std::string> out;
  for (const auto& [topic, why] : stuck)
    out.push_back("topic " + topic + " has replication factor " + std::to_string(why.first) + " (" +
                  why.second + " has a replica on a removed broker), but only " +
                  std::to_string(left.size()) +
                  " broker(s) would remain: its replicas cannot be moved off; keep enough "
                  "brokers or lower the topic's replication factor first");
  return out;
}

inventory::Cluster transition_view(const inventory::Cluster& now,
                                   const std::vector<inventory::Server>& still_serving) {
  inventory::Cluster view = now;
  view.servers.insert(view.servers.end(), still_serving.begin(), still_serving.end());
  return view;
}

}  // namespace zkctl::ops
