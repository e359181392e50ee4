#pragma once
// A background Kafka producer for fault tests (librdkafka): it produces sequentially
// numbered messages until stopped and records which ones the cluster acknowledged. Test
// code only; zkctl itself never produces load.

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace zkctl::testing {

struct ProducerOptions {
  std::chrono::milliseconds interval{5};             // pause between two messages
  int max_in_flight = 1000;                          // stop producing while this many are unacked
  std::chrono::milliseconds message_timeout{30000};  // a message fails if unacked this long
  std::string prefix = "zkctl-load-";                // payload: prefix + sequence number
};

// What a background Producer achieved.
struct ProducerReport {
  std::set<std::int64_t> acked;     // sequence numbers acknowledged (acks=all)
  std::int64_t sent = 0;            // messages handed to librdkafka (sequence 0..sent-1)
  std::int64_t failed = 0;          // delivery failed (e.g. message timeout)
  std::int64_t unresolved = 0;      // still unacknowledged at stop(): written or not, unknown
  std::vector<std::string> errors;  // the first few distinct errors
};

// Produces sequentially numbered messages (key and payload carry the number) on a thread of
// its own until stopped, recording which ones were acknowledged; for load during fault tests.
class Producer {
 public:
  Producer();
  ~Producer();  // stops like stop() with a short drain if still running
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Start producing to `topic` through `bootstrap`. An error if already started or librdkafka
  // rejects the configuration.
  util::Result<void> start(const std::string& bootstrap, const std::string& topic,
                           const ProducerOptions& options = {});

  // Counts so far (acked, sent, failed), e.g. to wait until load is flowing.
  ProducerReport progress() const;

  // Stop producing, wait up to `drain` for outstanding acknowledgements, then give up on the
  // rest (counted as unresolved) and return the report.
  ProducerReport stop(std::chrono::milliseconds drain = std::chrono::milliseconds(10000));

  struct Impl;  // internal

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace zkctl::testing
