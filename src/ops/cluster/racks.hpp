#pragma once
// Racks (#15): what losing any one rack would cost. From the inventory, the quorums
// (ZooKeeper voters, KRaft controller voters) one rack's loss would leave without a
// majority; from the running cluster, the topics whose partitions' replicas sit in fewer
// racks than they could. `check` shows them as warnings, `plan` prints them.

#include <map>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/context.hpp"
#include "probe/kafka_client.hpp"

namespace zkctl::ops {

// One warning per rack whose loss leaves a quorum without its majority ("zookeeper: losing
// rack r1 (voters node1, node2) leaves 1 of 3 voters; a quorum needs 2"); only kinds whose
// nodes name racks (pure).
std::vector<std::string> quorum_rack_warnings(const inventory::Cluster& cluster);

// One warning per topic with partitions whose replicas sit in fewer racks than
// min(replication factor, racks of the registered brokers); `rack_of`: broker id -> its
// broker.rack ("" or absent: none). Nothing when no registered broker has a rack (pure).
std::vector<std::string> topic_rack_warnings(const probe::KafkaMetadata& md,
                                             const std::map<int, std::string>& rack_of);

struct RackReport {
  bool racks = false;                 // the inventory names racks
  std::vector<std::string> warnings;  // quorum_rack_warnings, then topic_rack_warnings
  std::string unread;  // why the topics' placement could not be read ("" when it was, or no
                       // Kafka node names a rack)
  int topics = 0;      // topics whose placement was read
};

// Both, the topics' read from the cluster when its Kafka nodes name racks: metadata, and
// each registered broker's broker.rack (DescribeConfigs).
RackReport rack_report(Context& ctx);

}  // namespace zkctl::ops
