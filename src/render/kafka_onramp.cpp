#include "render/kafka_onramp.hpp"

#include <map>

namespace zkctl::render {

namespace {

int port_in(const std::map<int, int>& m, int id, int fallback) {
  auto it = m.find(id);
  return it == m.end() ? fallback : it->second;
}

// The on-ramp's KRaft controller steps: CONTROLLER_SSL beside CONTROLLER from kafka-listeners to
// kraft-controller-home, the quorum on it in kafka-internal and kraft-controller-tls (while
// CONTROLLER changes protocol), CONTROLLER over TLS from kraft-controller-tls on.
void set_onramp_controller(inventory::SecurityPhase phase, const NodePorts& ports,
                           KafkaSecurityValues& s) {
  using inventory::SecurityPhase;
  s.controller_tls = phase >= SecurityPhase::kraft_controller_tls;
  const bool transit =
      phase >= SecurityPhase::kafka_listeners && phase <= SecurityPhase::kraft_controller_home;
  s.controller_transit_port = transit ? ports.controller_transit : 0;
  s.controller_transit_default =
      phase == SecurityPhase::kafka_internal || phase == SecurityPhase::kraft_controller_tls;
}

}  // namespace

NodePorts ports_of(const inventory::Cluster& cluster, const inventory::KafkaNode& node) {
  if (!cluster.onramp) return {node.listener_port, node.internal_port, 0, node.controller_port, 0};
  const auto at = [&](const std::map<int, int>& m, int fallback) {
    return port_in(m, node.id, fallback);
  };
  const inventory::SecurityOnramp& o = *cluster.onramp;
  return {at(o.client_port, node.listener_port), at(o.internal_port, node.internal_port),
          o.phase == inventory::SecurityPhase::secure ? 0 : at(o.plaintext_port, 0),
          at(o.controller_port, node.controller_port),
          node.controller ? at(o.controller_transit_port, 0) : 0};
}

int quorum_port(const inventory::Cluster& cluster, const inventory::KafkaNode& n) {
  if (!cluster.onramp) return n.controller_port;
  const inventory::SecurityOnramp& o = *cluster.onramp;
  const bool transit =
      o.security.tls && (o.phase == inventory::SecurityPhase::kafka_internal ||
                         o.phase == inventory::SecurityPhase::kraft_controller_tls);
  const int transit_port = port_in(o.controller_transit_port, n.id, 0);
  if (transit && transit_port != 0) return transit_port;
  return port_in(o.controller_port, n.id, n.controller_port);
}

bool kafka_tls_rendered(const inventory::Cluster& cluster) {
  if (!cluster.onramp) return cluster.security.tls;
  return cluster.onramp->security.tls &&
         cluster.onramp->phase >= inventory::SecurityPhase::kafka_listeners;
}

void set_onramp_phase(inventory::SecurityPhase phase, const NodePorts& ports,
                      KafkaSecurityValues& s) {
  s.plaintext_port = ports.plaintext;
  if (s.plaintext_port != 0 && s.authorization) s.super_users.push_back("User:ANONYMOUS");
  s.internal_inter_broker = phase >= inventory::SecurityPhase::kafka_internal;
  s.zookeeper_tls = s.internal_inter_broker;
  set_onramp_controller(phase, ports, s);
}

}  // namespace zkctl::render
