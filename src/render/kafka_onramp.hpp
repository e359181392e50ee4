#pragma once
// A Kafka node's listener ports as server.properties uses them, and the security on-ramp's
// transitional settings (#13): which listeners a phase adds or keeps, the KRaft controller
// quorum's transit listener. Pure, no I/O; used by render/kafka.

#include "inventory/model.hpp"
#include "render/kafka.hpp"

namespace zkctl::render {

// A broker's listener ports: the inventory's, or, during the on-ramp, the phases' own.
struct NodePorts {
  int client = 0;              // CLIENT (secure) or, on an open cluster, PLAINTEXT
  int internal = 0;            // INTERNAL
  int plaintext = 0;           // on-ramp: PLAINTEXT beside the secure listeners; 0: none
  int controller = 0;          // CONTROLLER (controllers)
  int controller_transit = 0;  // on-ramp, KRaft: CONTROLLER_SSL's port (controllers); 0: none
};

// `node`'s ports: the inventory's, or during the on-ramp (Cluster::onramp) the phase's own.
NodePorts ports_of(const inventory::Cluster& cluster, const inventory::KafkaNode& node);

// The port the quorum reaches controller `n` on: CONTROLLER's, or the transit listener's while
// the on-ramp has the quorum on it.
int quorum_port(const inventory::Cluster& cluster, const inventory::KafkaNode& n);

// Whether server.properties has the secure listeners: the cluster's TLS, or from the
// on-ramp's Kafka listeners phase on.
bool kafka_tls_rendered(const inventory::Cluster& cluster);

// The on-ramp's Kafka settings of `phase` on a node with `ports`: PLAINTEXT kept (its anonymous
// clients super users while authorization is on) until the last phase, inter-broker traffic
// and ZooKeeper TLS from kafka_internal on, the KRaft controller listener's steps.
void set_onramp_phase(inventory::SecurityPhase phase, const NodePorts& ports,
                      KafkaSecurityValues& s);

}  // namespace zkctl::render
