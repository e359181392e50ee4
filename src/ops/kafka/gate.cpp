#include "ops/kafka/gate.hpp"

#include <algorithm>

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

// Named refusals, user topics before internal ones, at most kNamed.
std::string refusal_text(std::vector<std::string> named, const std::set<int>& batch) {
  std::stable_partition(named.begin(), named.end(),
                        [](const std::string& s) { return s.rfind("__", 0) != 0; });
  std::string out;
  for (std::size_t i = 0; i < named.size() && i < kNamed; ++i)
    out += (out.empty() ? "" : "; ") + named[i];
  if (named.size() > kNamed) out += "; and " + std::to_string(named.size() - kNamed) + " more";
  const bool one = batch.size() == 1;
  return who_text(batch) + (one ? " not restarted" : " not restarted together") +
         ": partitions below min.insync.replicas (now, or without " + (one ? "it" : "them") +
         ") for reasons outside this roll: " + out;
}

}  // namespace

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

}  // namespace zkctl::ops
