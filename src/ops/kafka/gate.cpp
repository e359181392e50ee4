#include "ops/kafka/gate.hpp"

#include <algorithm>
#include <map>

namespace zkctl::ops {

namespace {

constexpr std::size_t kNamed = 8;  // partitions named in a refusal

bool has(const std::vector<int>& ids, int id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool registered(const probe::KafkaMetadata& md, int broker) {
  return std::any_of(md.brokers.begin(), md.brokers.end(),
                     [&](const auto& b) { return b.id == broker; });
}

std::string isr_text(const probe::KafkaPartition& p, int in_sync, int min) {
  return partition_name(p) + " ISR " + std::to_string(in_sync) + "/" +
         std::to_string(p.replicas.size()) + " (min " + std::to_string(min) + ")";
}

// "broker 12" or "brokers 11, 14".
std::string who_text(const std::set<int>& batch) {
  std::string ids;
  for (int b : batch) ids += (ids.empty() ? "" : ", ") + std::to_string(b);
  return (batch.size() == 1 ? "broker " : "brokers ") + ids;
}

// `named`, user topics before internal ones, at most kNamed: "t-0 ...; t-1 ...; and 3 more".
std::string refusal_list(std::vector<std::string> named) {
  std::stable_partition(named.begin(), named.end(),
                        [](const std::string& s) { return s.rfind("__", 0) != 0; });
  return some_of(named, kNamed, "; ", "; ");
}

// Named refusals, user topics before internal ones, at most kNamed.
std::string refusal_text(const std::vector<std::string>& named, const std::set<int>& batch) {
  const std::string out = refusal_list(named);
  const bool one = batch.size() == 1;
  return who_text(batch) + (one ? " not restarted" : " not restarted together") +
         ": partitions below min.insync.replicas (now, or without " + (one ? "it" : "them") +
         ") for reasons outside this roll: " + out;
}

}  // namespace

std::string some_of(const std::vector<std::string>& names, std::size_t at_most,
                    const std::string& sep, const std::string& last_sep) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) out += (i ? sep : "") + names[i];
  if (names.size() > at_most)
    out += last_sep + "and " + std::to_string(names.size() - at_most) + " more";
  return out;
}

std::string partition_name(const probe::KafkaPartition& p) {
  return p.topic + "-" + std::to_string(p.partition);
}

GateVerdict gate_before_restart(const probe::KafkaMetadata& md, const probe::KafkaMinInsync& min,
                                int broker, const std::set<int>& rolled) {
  return gate_before_restart_batch(md, min, {broker}, rolled);
}

GateVerdict gate_before_restart_batch(const probe::KafkaMetadata& md,
                                      const probe::KafkaMinInsync& min, const std::set<int>& batch,
                                      const std::set<int>& rolled) {
  std::vector<std::string> refused;
  std::string awaited;
  for (const auto& p : md.partitions) {
    const int need = min.of(p.topic);
    const int rf = static_cast<int>(p.replicas.size());
    if (rf <= need) continue;  // Strimzi: never blocks (no restart keeps it available)
    const int in_sync = static_cast<int>(p.isr.size());
    int after = in_sync;
    for (int b : batch)
      if (has(p.isr, b)) --after;
    if (after >= need) continue;
    int returning = 0;  // this roll's brokers out of its ISR, which will come back
    for (int r : p.replicas)
      if (rolled.count(r) && !has(p.isr, r)) ++returning;
    if (after + returning >= need) {
      if (awaited.empty()) awaited = "waiting for " + isr_text(p, in_sync, need);
    } else {
      refused.push_back(
          isr_text(p, in_sync, need) +
          (in_sync >= need ? ", " + std::to_string(after) + " without " + who_text(batch) : ""));
    }
  }
  if (!refused.empty()) return {GateVerdict::Kind::refuse, refusal_text(refused, batch)};
  if (!awaited.empty()) return {GateVerdict::Kind::wait, awaited};
  for (int broker : batch) {
    if (!registered(md, broker))
      return {GateVerdict::Kind::wait,
              "waiting for broker " + std::to_string(broker) + " to register (log recovery)"};
    for (const auto& p : md.partitions) {
      if (has(p.replicas, broker) && !has(p.isr, broker))
        return {GateVerdict::Kind::wait, "waiting for broker " + std::to_string(broker) +
                                             " to catch up: not in " + partition_name(p) + " ISR"};
    }
  }
  return {};
}

GateVerdict gate_after_restart(const probe::KafkaMetadata& md, int broker) {
  if (!registered(md, broker))
    return {GateVerdict::Kind::wait,
            "waiting for broker " + std::to_string(broker) + " to register"};
  int missing = 0;
  const probe::KafkaPartition* first = nullptr;
  for (const auto& p : md.partitions) {
    if (has(p.replicas, broker) && !has(p.isr, broker)) {
      ++missing;
      if (first == nullptr) first = &p;
    }
  }
  if (missing == 0) return {};
  return {GateVerdict::Kind::wait, "waiting for broker " + std::to_string(broker) +
                                       " back in ISR: " + std::to_string(missing) +
                                       " partitions (" + partition_name(*first) + ", ...)"};
}

// A leader that no longer expands its ISRs. Seen in the migration's rollback (#11), Kafka
// 3.9.2, read from its source: a ZooKeeper-mode broker in migration mode has two
// NodeToControllerChannelManagers, "forwarding" and "alter-partition", on one Metrics
// registry with the same tags (BrokerId). Each Selector's sensors are named by kind and tags
// only ("failed-authentication:BrokerId-13"), so the two channels share them, and
// Metrics.sensor() hands an existing one back. When the controller moves between KRaft and a
// ZooKeeper broker, both request threads see it at once and swap their NetworkClient
// (NodeToControllerRequestThread.maybeResetNetworkClient: close the old Selector, which
// removes its sensors by name, then build a new one). One thread's removal can take the
// sensor the other has just created and not yet filled: the other's metric is then
// registered outside any sensor and nothing ever removes it. At the next controller move
// (the rollback deleting /controller: KRaft -> ZooKeeper broker) that thread's new Selector
// registers the same name, Metrics throws IllegalArgumentException ("A metric named
// 'failed-authentication-total, group=alter-partition-metrics' already exists") and the
// thread dies (ShutdownableThread logs "Error due to" and stops). The broker keeps serving
// and leading, but its AlterPartitionManager waits forever on the request in flight
// (Partition: isInflight), so no ISR it leads grows or shrinks again until it restarts. A
// broker restarted by the roll then never rejoins those ISRs: the after-restart gate would
// wait out its timeout. Any leader that cannot reach the controller looks the same.
std::vector<HeldOut> leaders_holding_out(const probe::KafkaMetadata& md, int broker,
                                         const std::set<int>& unrolled,
                                         const std::map<std::string, int>& missing_under) {
  if (!registered(md, broker)) return {};
  std::map<int, HeldOut> held;
  std::set<int> rejoined;  // leaders that took `broker` back into one of their partitions
  for (const auto& p : md.partitions) {
    if (!has(p.replicas, broker)) continue;
    if (has(p.isr, broker)) {
      auto was = missing_under.find(partition_name(p));
      if (was != missing_under.end() && was->second == p.leader) rejoined.insert(p.leader);
      continue;
    }
    if (p.leader < 0 || p.leader == broker || !unrolled.count(p.leader) ||
        !registered(md, p.leader))
      return {};  // offline, or the roll's own: the ordinary wait
    held[p.leader].leader = p.leader;
    held[p.leader].partitions.push_back(partition_name(p));
  }
  std::vector<HeldOut> out;
  for (auto& [leader, h] : held) {
    if (rejoined.count(leader)) return {};  // it expands ISRs: `broker` is catching up
    out.push_back(std::move(h));
  }
  return out;
}

void note_missing(const probe::KafkaMetadata& md, int broker,
                  std::map<std::string, int>& missing_under) {
  for (const auto& p : md.partitions)
    if (has(p.replicas, broker) && !has(p.isr, broker)) missing_under[partition_name(p)] = p.leader;
}

GateVerdict gate_restart_holding_leader(const probe::KafkaMetadata& md,
                                        const probe::KafkaMinInsync& min, int broker,
                                        const HeldOut& held) {
  const int l = held.leader;
  std::vector<std::string> refused;
  std::vector<std::string> offline;  // held out, and `l` their only in-sync replica
  for (const auto& p : md.partitions) {
    const int need = min.of(p.topic);
    const int rf = static_cast<int>(p.replicas.size());
    const int in_sync = static_cast<int>(p.isr.size());
    if (!has(p.isr, l) || rf <= need) continue;  // unaffected, or never available through it
    if (p.leader == l && has(p.replicas, broker) && !has(p.isr, broker)) {
      // Held out: the leadership goes to another in-sync replica (no acknowledged write is
      // lost: acks=all wrote to each of them); the ISR is 1 short until `broker` rejoins.
      const bool heir = std::any_of(p.isr.begin(), p.isr.end(),
                                    [&](int r) { return r != l && registered(md, r); });
      if (heir && in_sync < need) {
        refused.push_back(isr_text(p, in_sync, need));
      } else if (!heir && min.unclean_of(p.topic)) {
        refused.push_back(isr_text(p, in_sync, need) +
                          ", no other in-sync replica to lead it and "
                          "unclean.leader.election.enable=true");
      } else if (!heir) {
        // Its ISR can never grow while `l` runs, so waiting cannot help: restarted, its log
        // is flushed, the partition is offline until `l` registers again and, its only
        // in-sync replica, is elected again (no unclean election: nothing acknowledged lost).
        offline.push_back(partition_name(p));
      }
    } else if (in_sync - 1 < need) {
      refused.push_back(isr_text(p, in_sync, need) + ", " + std::to_string(in_sync - 1) +
                        " without broker " + std::to_string(l));
    }
  }
  if (!refused.empty())
    return {GateVerdict::Kind::refuse,
            "broker " + std::to_string(l) +
                " not restarted ahead of its turn: " + refusal_list(refused)};
  if (offline.empty()) return {};
  return {GateVerdict::Kind::go, "it is the only in-sync replica of " +
                                     some_of(offline, 3, ", ", " ") +
                                     ": offline until it is back (no other replica may lead "
                                     "them; nothing acknowledged is lost)"};
}

std::optional<HeldOut> HoldWatch::observe(const std::vector<HeldOut>& held, Clock::time_point now) {
  if (held != held_) {
    held_ = held;
    since_ = now;
  }
  if (held_.empty() || now - since_ < bound_) return std::nullopt;
  return held_.front();
}

}  // namespace zkctl::ops
