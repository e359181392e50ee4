#pragma once
// `zkctl start|stop|restart NODE`: one server, with the quorum rule enforced.

#include <string>

#include "ops/context.hpp"

namespace zkctl::ops {

enum class Action { start, stop, restart };
enum class Force { no, yes };

enum class ControlOutcome {
  ok,
  refused,  // would leave fewer than a majority of voters serving; nothing done
  failed,   // a step failed or the node did not come back in time
};

struct ControlReport {
  ControlOutcome outcome = ControlOutcome::ok;
  std::string message;  // one line: what happened or why not
};

// Stopping or restarting a voter whose absence leaves fewer than a majority of
// voters serving is refused unless `force` is yes. start/restart wait until the
// node serves in its configured role (Options::wait_timeout).
ControlReport control_node(Context& ctx, const inventory::Server& server, Action action,
                           Force force);

// The same for a Kafka node: stop is a controlled shutdown (SIGTERM, wait for
// the process to exit); start/restart wait until the broker is registered again
// and no partition is under-replicated. Stopping or restarting a broker while
// partitions are already under-replicated or offline is refused unless `force`.
ControlReport control_kafka_node(Context& ctx, const inventory::KafkaNode& node, Action action,
                                 Force force);

}  // namespace zkctl::ops
