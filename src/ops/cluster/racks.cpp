#include "ops/cluster/racks.hpp"

#include <algorithm>
#include <set>

#include "ops/kafka/gate.hpp"
#include "ops/kafka/health.hpp"

namespace zkctl::ops {

namespace {

// A quorum of `members` (host and rack each): a warning per rack whose loss leaves fewer
// than a majority. `what`: "zookeeper" / "kafka controllers"; `noun`: "voters" / "controllers".
template <class Member>
void quorum_warnings(const std::vector<const Member*>& members, const std::string& what,
                     const std::string& noun, std::vector<std::string>& out) {
  if (members.empty() || members.front()->rack.empty()) return;  // racks: all or none
  const int total = static_cast<int>(members.size());
  const int majority = total / 2 + 1;
  std::vector<std::string> racks;
  for (const auto* m : members)
    if (std::find(racks.begin(), racks.end(), m->rack) == racks.end()) racks.push_back(m->rack);
  for (const auto& rack : racks) {
    std::string names;
    int in_rack = 0;
    for (const auto* m : members) {
      if (m->rack != rack) continue;
      ++in_rack;
      names += (names.empty() ? "" : ", ") + m->host;
    }
    if (total - in_rack >= majority) continue;
    out.push_back(what + ": losing rack " + rack + " (" + noun + " " + names + ") leaves " +
                  std::to_string(total - in_rack) + " of " + std::to_string(total) + " " + noun +
                  "; a quorum needs " + std::to_string(majority) +
                  (racks.size() == 1 ? " (every one of them is in that rack)" : ""));
  }
}

std::string rack_name(const std::map<int, std::string>& rack_of, int broker) {
  auto it = rack_of.find(broker);
  return it == rack_of.end() ? "" : it->second;
}

}  // namespace

std::vector<std::string> quorum_rack_warnings(const inventory::Cluster& cluster) {
  std::vector<std::string> out;
  quorum_warnings(cluster.voters(), "zookeeper", "voters", out);
  if (cluster.kafka && cluster.kafka->mode == inventory::KafkaMode::kraft)
    quorum_warnings(cluster.controllers(), "kafka", "controllers", out);
  return out;
}

std::vector<std::string> topic_rack_warnings(const probe::KafkaMetadata& md,
                                             const std::map<int, std::string>& rack_of) {
  std::set<std::string> racks;
  for (const auto& b : md.brokers)
    if (auto r = rack_name(rack_of, b.id); !r.empty()) racks.insert(r);
  std::vector<std::string> out;
  if (racks.empty()) return out;
  std::map<std::string, std::pair<int, int>> count;  // topic -> (short, partitions)
  std::map<std::string, std::string> example;        // topic -> its first short partition
  for (const auto& p : md.partitions) {
    auto& [short_of, all] = count[p.topic];
    ++all;
    std::set<std::string> used;
    std::string where;
    for (int r : p.replicas) {
      const std::string rack = rack_name(rack_of, r);
      if (!rack.empty()) used.insert(rack);
      where += (where.empty() ? "" : ", ") + std::to_string(r) + "@" +
               (rack.empty() ? std::string("no rack") : rack);
    }
    const std::size_t could = std::min(p.replicas.size(), racks.size());
    if (used.size() >= could) continue;
    ++short_of;
    if (!example.count(p.topic))
      example[p.topic] = partition_name(p) + ": replicas " + where + ", " +
                         std::to_string(used.size()) + " of " + std::to_string(could) +
                         " racks it could use";
  }
  for (const auto& [topic, c] : count) {
    if (c.first == 0) continue;
    out.push_back(
        "topic " + topic + ": " + std::to_string(c.first) + " of " + std::to_string(c.second) +
        " partitions have their replicas in fewer racks than they could (" + example[topic] + ")");
  }
  return out;
}

RackReport rack_report(Context& ctx) {
  const auto& cluster = ctx.cluster();
  RackReport r;
  r.warnings = quorum_rack_warnings(cluster);
  const auto brokers = cluster.brokers();
  const bool kafka_racks =
      std::any_of(brokers.begin(), brokers.end(), [](const auto* b) { return !b->rack.empty(); });
  r.racks = std::any_of(cluster.servers.begin(), cluster.servers.end(),
                        [](const auto& s) { return !s.rack.empty(); }) ||
            std::any_of(cluster.kafka_nodes.begin(), cluster.kafka_nodes.end(),
                        [](const auto& n) { return !n.rack.empty(); });
  if (!kafka_racks) return r;
  const auto access = kafka_access(cluster);
  const auto timeout = ctx.probe_timeout_at_least(std::chrono::milliseconds(3000));
  auto md = probe::kafka_metadata(access, timeout);
  if (!md) {
    r.unread = md.error().message;
    return r;
  }
  std::vector<int> ids;
  for (const auto& b : md->brokers) ids.push_back(b.id);
  auto racks = probe::kafka_broker_racks(access, ids, timeout);
  if (!racks) {
    r.unread = racks.error().message;
    return r;
  }
  std::set<std::string> topics;
  for (const auto& p : md->partitions) topics.insert(p.topic);
  r.topics = static_cast<int>(topics.size());
  for (auto& w : topic_rack_warnings(*md, *racks)) r.warnings.push_back(std::move(w));
  return r;
}

}  // namespace zkctl::ops
