#pragma once
// Whether a ZooKeeper server serves Prometheus metrics: its own provider has no TLS, so a
// server whose zoo.cfg has TLS serves them only through the JMX exporter agent. The one rule
// the loader (a TLS cluster) and the security on-ramp's views (zoo.cfg with TLS) both apply.

#include "inventory/model.hpp"

namespace zkctl::inventory {

// Whether zoo.cfg has TLS (the cluster's [security] tls, or an on-ramp phase's).
enum class ZooCfgTls { no, yes };

// True when metrics are on and either zoo.cfg has no TLS (the provider serves) or the agent's
// jar is set (the agent serves); else the server gets no metrics port.
bool zookeeper_serves_metrics(const MetricsSettings& metrics, ZooCfgTls tls);

}  // namespace zkctl::inventory
