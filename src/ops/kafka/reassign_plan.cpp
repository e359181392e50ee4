#include "ops/kafka/reassign_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ops/kafka/gate.hpp"

namespace zkctl::ops {

namespace {

std::string rack_of(const BrokerRacks& racks, int b) {
  auto it = racks.find(b);
  return it == racks.end() ? "" : it->second;
}

// Distinct non-empty racks of `replicas`.
std::set<std::string> racks_of(const std::vector<int>& replicas, const BrokerRacks& racks) {
  std::set<std::string> out;
  for (int r : replicas)
    if (auto k = rack_of(racks, r); !k.empty()) out.insert(k);
  return out;
}

bool holds(const std::vector<int>& v, int b) {
  return std::find(v.begin(), v.end(), b) != v.end();
}

// Replicas and preferred leaderships per broker of `brokers`, from `md`.
struct Loads {
  std::map<int, int> replicas;
  std::map<int, int> leads;  // first in the replica list
};

Loads loads_of(const probe::KafkaMetadata& md, const std::vector<int>& brokers) {
  Loads l;
  for (int b : brokers) l.replicas[b] = l.leads[b] = 0;
  for (const auto& p : md.partitions) {
    for (int r : p.replicas)
      if (l.replicas.count(r)) ++l.replicas[r];
    if (!p.replicas.empty() && l.leads.count(p.replicas.front())) ++l.leads[p.replicas.front()];
  }
  return l;
}

// The replacement for `broker` in `p` among `remaining`, or -1 when none is left.
int replacement(const probe::KafkaPartition& p, int broker, const std::vector<int>& remaining,
                const BrokerRacks& racks, const Loads& loads) {
  std::vector<int> kept;
  for (int r : p.replicas)
    if (r != broker) kept.push_back(r);
  const auto kept_racks = racks_of(kept, racks);
  int best = -1;
  auto key = [&](int c) {
    const std::string k = rack_of(racks, c);
    const int rack_reused = (!k.empty() && kept_racks.count(k)) || k.empty() ? 1 : 0;
    return std::make_tuple(rack_reused, loads.replicas.at(c), loads.leads.at(c), c);
  };
  for (int c : remaining) {
    if (holds(kept, c)) continue;
    if (best < 0 || key(c) < key(best)) best = c;
  }
  return best;
}

// `p`'s new list: `broker` replaced by `with`; when `broker` was first, the kept replica that
// leads the fewest goes first and `with` last.
std::vector<int> replaced(const std::vector<int>& replicas, int broker, int with, Loads& loads) {
  std::vector<int> to = replicas;
  auto it = std::find(to.begin(), to.end(), broker);
  if (it != to.begin() || to.size() == 1) {
    *it = with;
    if (it == to.begin()) {
      --loads.leads[broker];
      ++loads.leads[with];
    }
    return to;
  }
  to.erase(it);
  auto first = std::min_element(to.begin(), to.end(), [&](int a, int b) {
    return std::make_pair(loads.leads[a], a) < std::make_pair(loads.leads[b], b);
  });
  std::rotate(to.begin(), first, first + 1);
  --loads.leads[broker];
  ++loads.leads[to.front()];
  to.push_back(with);
  return to;
}

}  // namespace

MovePlan plan_drain(const probe::KafkaMetadata& md, int broker, const std::vector<int>& remaining,
                    const BrokerRacks& racks) {
  MovePlan plan;
  Loads loads = loads_of(md, remaining);
  loads.leads[broker] = 0;
  std::map<std::string, std::pair<int, std::string>> short_topics;  // topic -> RF, a partition
  for (const auto& p : md.partitions) {
    if (!holds(p.replicas, broker)) continue;
    const int with = replacement(p, broker, remaining, racks, loads);
    if (with < 0) {
      short_topics.emplace(p.topic,
                           std::make_pair(static_cast<int>(p.replicas.size()), partition_name(p)));
      continue;
    }
    ++loads.replicas[with];
    plan.moves.push_back(
        {p.topic, p.partition, p.replicas, replaced(p.replicas, broker, with, loads), -1});
  }
  for (const auto& [topic, rf] : short_topics)
    plan.refusals.push_back("topic " + topic + " has replication factor " +
                            std::to_string(rf.first) + " (" + rf.second + "), but only " +
                            std::to_string(remaining.size()) + " broker(s) would remain");
  return plan;
}

namespace {

// One replica of the fullest broker moved to the emptiest one that takes it; false when no
// pair of brokers more than one apart has a partition that can move between them.
bool move_one(std::vector<ReplicaMove>& all, std::map<int, int>& load, const BrokerRacks& racks) {
  std::vector<int> order;
  for (const auto& [b, n] : load) order.push_back(b);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return std::make_pair(load[a], a) < std::make_pair(load[b], b); });
  for (auto src = order.rbegin(); src != order.rend(); ++src) {
    for (int dst : order) {
      if (load[*src] - load[dst] <= 1) break;
      for (auto& m : all) {
        if (!holds(m.to, *src) || holds(m.to, dst)) continue;
        std::vector<int> to = m.to;
        *std::find(to.begin(), to.end(), *src) = dst;
        if (racks_of(to, racks).size() < racks_of(m.to, racks).size()) continue;
        m.to = std::move(to);
        --load[*src];
        ++load[dst];
        return true;
      }
    }
  }
  return false;
}

// Preferred leaders spread: a partition whose first replica leads more than the fairest
// share is led first by its replica that leads the fewest, when that evens them out.
void spread_leaders(std::vector<ReplicaMove>& all, const std::vector<int>& brokers) {
  std::map<int, int> leads;
  for (int b : brokers) leads[b] = 0;
  for (const auto& m : all)
    if (!m.to.empty() && leads.count(m.to.front())) ++leads[m.to.front()];
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& m : all) {
      if (m.to.empty() || !leads.count(m.to.front())) continue;
      auto best = m.to.begin();
      for (auto it = m.to.begin(); it != m.to.end(); ++it)
        if (leads.count(*it) && leads[*it] < leads[*best]) best = it;
      if (leads[*best] + 1 >= leads[m.to.front()]) continue;
      --leads[m.to.front()];
      ++leads[*best];
      std::iter_swap(m.to.begin(), best);
      changed = true;
    }
  }
}

}  // namespace

MovePlan plan_rebalance(const probe::KafkaMetadata& md, const std::vector<int>& brokers,
                        const BrokerRacks& racks) {
  std::vector<ReplicaMove> all;
  for (const auto& p : md.partitions) all.push_back({p.topic, p.partition, p.replicas, p.replicas});
  std::map<int, int> load = loads_of(md, brokers).replicas;
  for (std::size_t guard = 0; guard < all.size() * 8 + 8 && move_one(all, load, racks); ++guard) {
  }
  spread_leaders(all, brokers);
  MovePlan plan;
  for (auto& m : all)
    if (m.to != m.from) plan.moves.push_back(std::move(m));
  return plan;
}

std::string reassignment_json(const std::vector<ReplicaMove>& moves) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& m : moves)
    parts.push_back({{"topic", m.topic}, {"partition", m.partition}, {"replicas", m.to}});
  return nlohmann::json{{"version", 1}, {"partitions", parts}}.dump();
}

std::string election_json(const std::vector<ReplicaMove>& moves) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& m : moves) parts.push_back({{"topic", m.topic}, {"partition", m.partition}});
  return nlohmann::json{{"partitions", parts}}.dump();
}

nlohmann::json moves_to_json(const std::vector<ReplicaMove>& moves) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : moves)
    out.push_back({{"topic", m.topic},
                   {"partition", m.partition},
                   {"from", m.from},
                   {"to", m.to},
                   {"bytes", m.bytes}});
  return out;
}

util::Result<std::vector<ReplicaMove>> moves_from_json(const nlohmann::json& j) {
  std::vector<ReplicaMove> out;
  try {
    for (const auto& m : j)
      out.push_back({m.at("topic").get<std::string>(), m.at("partition").get<int>(),
                     m.at("from").get<std::vector<int>>(), m.at("to").get<std::vector<int>>(),
                     m.value("bytes", -1LL)});
  } catch (const std::exception& e) {
    return util::fail(std::string("moves: ") + e.what());
  }
  return out;
}

util::Result<LogDirSizes> parse_log_dirs(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    LogDirSizes out;
    try {
      const auto j = nlohmann::json::parse(line);
      for (const auto& b : j.at("brokers"))
        for (const auto& d : b.at("logDirs"))
          for (const auto& p : d.value("partitions", nlohmann::json::array()))
            out[{b.at("broker").get<int>(), p.at("partition").get<std::string>()}] +=
                p.at("size").get<long long>();
    } catch (const std::exception& e) {
      return util::fail(std::string("kafka-log-dirs.sh: ") + e.what());
    }
    return out;
  }
  const std::string first = text.substr(0, text.find('\n'));
  return util::fail("kafka-log-dirs.sh printed no JSON" + (first.empty() ? "" : ": " + first));
}

namespace {
const probe::KafkaPartition* find_partition(const probe::KafkaMetadata& md, const ReplicaMove& m) {
  for (const auto& p : md.partitions)
    if (p.topic == m.topic && p.partition == m.partition) return &p;
  return nullptr;
}

long long size_on(const LogDirSizes& sizes, int broker, const std::string& name) {
  auto it = sizes.find({broker, name});
  return it == sizes.end() ? -1 : it->second;
}
}  // namespace

void size_moves(std::vector<ReplicaMove>& moves, const probe::KafkaMetadata& md,
                const LogDirSizes& sizes) {
  for (auto& m : moves) {
    const std::string name = m.topic + "-" + std::to_string(m.partition);
    const auto* p = find_partition(md, m);
    long long bytes = p ? size_on(sizes, p->leader, name) : -1;
    if (bytes < 0)
      for (int r : m.from) bytes = std::max(bytes, size_on(sizes, r, name));
    m.bytes = bytes;
  }
}

bool move_done(const ReplicaMove& m, const probe::KafkaPartition& now) {
  if (now.replicas != m.to) return false;
  return std::all_of(m.to.begin(), m.to.end(), [&](int r) { return holds(now.isr, r); });
}

MoveProgress progress_of(const std::vector<ReplicaMove>& moves, const probe::KafkaMetadata& md,
                         const LogDirSizes& sizes) {
  MoveProgress out;
  for (const auto& m : moves) {
    const std::string name = m.topic + "-" + std::to_string(m.partition);
    const auto* p = find_partition(md, m);
    const long long full = p ? std::max(size_on(sizes, p->leader, name), m.bytes) : m.bytes;
    long long total = 0, left = 0;
    for (int r : m.to) {
      if (holds(m.from, r)) continue;
      total += std::max(full, 0LL);
      left += std::max(full - std::max(size_on(sizes, r, name), 0LL), 0LL);
    }
    out.bytes_total += total;
    if (p && move_done(m, *p)) continue;
    ++out.partitions_left;
    out.bytes_left += left;
  }
  return out;
}

std::vector<std::string> under_min_isr(const probe::KafkaMetadata& md,
                                       const probe::KafkaMinInsync& min) {
  std::vector<std::string> out;
  for (const auto& p : md.partitions) {
    const int want = min.of(p.topic);
    // A partition with no more replicas than its min ISR can never keep it through a move.
    if (static_cast<int>(p.isr.size()) >= want || static_cast<int>(p.replicas.size()) < want)
      continue;
    out.push_back(partition_name(p) + " ISR " + std::to_string(p.isr.size()) + "/" +
                  std::to_string(p.replicas.size()) + " (min " + std::to_string(want) + ")");
  }
  return out;
}

std::string human_bytes(long long bytes) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(std::max(bytes, 0LL));
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace zkctl::ops
