#pragma once
// Which Kafka listeners clients still use (`zkctl status`, the security on-ramp): established TCP
// connections on each listener port of each broker, counted on the host (kafka/connections.sh),
// so the operator can tell when PLAINTEXT may be dropped (deploy --drop-plaintext).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

// One listener of one broker.
struct ListenerUse {
  std::string host;
  int id = 0;            // the broker's id
  std::string listener;  // PLAINTEXT, CLIENT or INTERNAL
  int port = 0;
  int connections = -1;  // established connections; -1: not counted (see `error`)
  std::string error;     // why it was not counted ("" when it was)
};

// Every broker's listeners as they serve now: the inventory's, and the PLAINTEXT listener the
// on-ramp keeps (from the local record); no host touched.
std::vector<ListenerUse> broker_listeners(const inventory::Cluster& cluster);

// broker_listeners with their connection counts, every broker asked at once.
std::vector<ListenerUse> listener_use(Context& ctx);

// The table: one line per broker, "LISTENER:PORT N" per listener ("?" when not counted).
std::string listener_table(const std::vector<ListenerUse>& uses);

// [{"host", "id", "listener", "port", "connections" (null when not counted), "error"?}, ...]
nlohmann::json listener_json(const std::vector<ListenerUse>& uses);

}  // namespace zkctl::ops
