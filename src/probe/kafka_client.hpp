#pragma once
// Kafka from the control machine (librdkafka): cluster metadata, topic create/delete, and
// end-to-end produce/consume checks. Every blocking call is bounded by its timeout;
// librdkafka's own log lines are kept off stderr (the last few go into error messages).

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::probe {

struct KafkaBroker {
  int id = -1;
  std::string host;  // as advertised
  int port = 0;
};

struct KafkaPartition {
  std::string topic;
  int partition = 0;
  int leader = -1;            // broker id; -1 while offline
  std::vector<int> replicas;  // broker ids
  std::vector<int> isr;       // in-sync replicas
  std::string error;          // the partition's metadata error ("" if none)
};

struct KafkaMetadata {
  std::vector<KafkaBroker> brokers;        // sorted by id
  std::vector<KafkaPartition> partitions;  // all topics incl. internal, sorted by topic, partition
  std::vector<std::string> topic_errors;   // "topic: error" for topics whose metadata failed
  int answered_by = -1;                    // id of the broker that answered

  // Partitions whose ISR is smaller than their replica set.
  int under_replicated() const;
  // Partitions without a leader.
  int offline() const;
  // Whether `topic` is listed.
  bool has_topic(const std::string& topic) const;
};

// The librdkafka properties every zkctl client of `access` starts from: bootstrap.servers,
// client.id, and with TLS security.protocol=ssl, the CA, zkctl's certificate and key, and
// host name verification (pure; exposed for tests).
std::vector<std::pair<std::string, std::string>> kafka_client_settings(const KafkaAccess& access);

// Every function below reaches the cluster through `access`: a bootstrap list
// ("h1:9092,h2:9092", a string converts) and, on a secure cluster, TLS.

// Ask `access` for the whole cluster's metadata within `timeout`.
util::Result<KafkaMetadata> kafka_metadata(const KafkaAccess& access,
                                           std::chrono::milliseconds timeout);

// min.insync.replicas as DescribeConfigs reports it: each topic's own value (set on the
// topic: source DYNAMIC_TOPIC_CONFIG) and the broker's, which every other topic follows.
struct KafkaMinInsync {
  std::map<std::string, int> topics;  // only topics with their own value
  int broker = 1;                     // the broker's min.insync.replicas (Kafka's default: 1)
  // Topics that may elect an out-of-sync replica (unclean.leader.election.enable=true, the
  // value each topic runs with, its own or the broker's).
  std::set<std::string> unclean;

  // The value `topic` runs with: its own, else the broker's.
  int of(const std::string& topic) const;
  bool unclean_of(const std::string& topic) const { return unclean.count(topic) > 0; }
};

// Ask `access` for min.insync.replicas of `topics` and of broker `broker_id`, within
// `timeout` (one DescribeConfigs request; librdkafka sends the broker's part to that broker).
util::Result<KafkaMinInsync> kafka_min_insync(const KafkaAccess& access,
                                              const std::vector<std::string>& topics, int broker_id,
                                              std::chrono::milliseconds timeout);

// broker.rack of each of `brokers` as the brokers report it (DescribeConfigs: librdkafka 2.0's
// metadata carries no racks), "" for a broker without one, within `timeout` in all; an error
// when any broker does not answer.
util::Result<std::map<int, std::string>> kafka_broker_racks(const KafkaAccess& access,
                                                            const std::vector<int>& brokers,
                                                            std::chrono::milliseconds timeout);

// Broker config `key` of each of `brokers` as DescribeConfigs reports it (its effective value,
// a default included; "" when not listed), within `timeout` in all; an error when any broker
// does not answer. (#11: inter.broker.protocol.version during an upgrade.)
util::Result<std::map<int, std::string>> kafka_broker_config(const KafkaAccess& access,
                                                             const std::vector<int>& brokers,
                                                             const std::string& key,
                                                             std::chrono::milliseconds timeout);

// Create `topic` through the admin API and wait until metadata shows a leader for each of its
// `partitions`, all within `timeout`. An existing topic is an error ("already exists").
// `config`: topic-level settings ({"min.insync.replicas", "2"}).
util::Result<void> create_topic(
    const KafkaAccess& access, const std::string& topic, int partitions, int replication,
    std::chrono::milliseconds timeout,
    const std::vector<std::pair<std::string, std::string>>& config = {});

// Delete `topic` and wait until metadata no longer lists it, within `timeout`. A missing
// topic is an error.
util::Result<void> delete_topic(const KafkaAccess& access, const std::string& topic,
                                std::chrono::milliseconds timeout);

struct ProduceReport {
  int acked = 0;                    // messages the cluster acknowledged (acks=all)
  int failed = 0;                   // messages that failed or got no report within the timeout
  std::vector<std::string> errors;  // the first few distinct delivery errors
  double avg_ms = 0;                // hand-over to acknowledgement, over the acked messages
  double max_ms = 0;                // (the first ones include connecting and the producer id)
};

// Produce `count` messages "zkctl-verify-<i>" (key "<i>", i = 0..count-1) to `topic` with
// acks=all and idempotence, waiting for every delivery report within `timeout`; messages
// still unreported then count as failed. An error only when producing cannot start.
util::Result<ProduceReport> produce(const KafkaAccess& access, const std::string& topic, int count,
                                    std::chrono::milliseconds timeout);

// Read `topic` from the beginning with a fresh consumer group (auto.offset.reset=earliest,
// no commits) until `expected` distinct payloads arrived or `timeout` passed; returns the
// distinct payloads in arrival order (fewer than `expected` on timeout). An error if the
// topic does not exist, no broker was reachable and nothing arrived, or the consumer cannot
// start. Leaving the group at the end takes at most 3 s more.
util::Result<std::vector<std::string>> consume(const KafkaAccess& access, const std::string& topic,
                                               int expected, std::chrono::milliseconds timeout);

}  // namespace zkctl::probe
