#pragma once
// `zkctl start|stop|restart NODE`: one node of any kind, with its tier's rule for
// letting a node go (ZooKeeper: the majority of voters; Kafka: no partition already
// under-replicated or offline) enforced unless forced.

#include <string>

#include "ops/context.hpp"

namespace zkctl::ops {

class Tier;
class Component;

enum class Action { start, stop, restart };
enum class Force { no, yes };

enum class ControlOutcome {
  ok,
  refused,  // the cluster cannot spare the node now; nothing done
  failed,   // a step failed or the node did not come back in time
};

struct ControlReport {
  ControlOutcome outcome = ControlOutcome::ok;
  std::string message;  // one line: what happened or why not
};

// Stopping or restarting `node` (of `tier`) is refused when its tier says the cluster
// cannot spare it, unless `force` is yes. start/restart wait until the node is ready
// again (Options::wait_timeout): serving in its role, or registered with no
// under-replicated partition.
ControlReport control_node(Context& ctx, Tier& tier, const Component& node, Action action,
                           Force force);

}  // namespace zkctl::ops
