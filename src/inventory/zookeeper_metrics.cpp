#include "inventory/zookeeper_metrics.hpp"

namespace zkctl::inventory {

bool zookeeper_serves_metrics(const MetricsSettings& metrics, ZooCfgTls tls) {
  return metrics.enabled && (tls == ZooCfgTls::no || !metrics.kafka_agent.empty());
}

}  // namespace zkctl::inventory
