#pragma once
// The seed layout the golden files show, built by hand (no inventory loader):
// voters node1..node3 (ids 1-3), observer nn01 (id 4), open as inventories/seed.toml says.

#include <string>
#include <utility>

#include "inventory/model.hpp"

namespace zkctl::render::testing {

inline inventory::Server seed_server(const char* host, int id, inventory::Role role) {
  inventory::Server s;
  s.host = host;
  s.id = id;
  s.role = role;
  s.ports = inventory::Ports{.client = 2181, .peer = 2888, .election = 3888, .admin = 0};
  s.install_dir = "/opt/zookeeper";
  s.data_dir = "/var/lib/zookeeper";
  s.metrics_port = 7000;  // [metrics] is on by default: ZooKeeper's provider on 7000
  return s;
}

// The seed's [security]: tls = false, authentication = "none", authorization = false.
inline inventory::SecuritySettings open_security() {
  inventory::SecuritySettings s;
  s.tls = false;
  s.authentication = inventory::Authentication::none;
  s.authorization = false;
  return s;
}

// `c` with [security] `security`; a Kafka node's INTERNAL listener on `internal_port` when
// not open (as the loader sets it), 0 when open.
inline inventory::Cluster with_security(inventory::Cluster c, inventory::SecuritySettings security,
                                        int internal_port = 9094) {
  c.security = std::move(security);
  for (auto& n : c.kafka_nodes) n.internal_port = c.security.open() ? 0 : internal_port;
  return c;
}

inline inventory::Cluster seed_cluster() {
  inventory::Cluster c;
  c.name = "seed";
  c.security = open_security();
  c.zookeeper.heap_mb = 256;
  c.zookeeper.extra_config = {{"autopurge.snapRetainCount", "3"},
                              {"autopurge.purgeInterval", "24"}};
  // Out of id order on purpose: zoo.cfg lists servers sorted by id.
  c.servers.push_back(seed_server("nn01", 4, inventory::Role::observer));
  c.servers.push_back(seed_server("node1", 1, inventory::Role::voter));
  c.servers.push_back(seed_server("node2", 2, inventory::Role::voter));
  c.servers.push_back(seed_server("node3", 3, inventory::Role::voter));
  return c;
}

inline inventory::KafkaNode kafka_node(const char* host, int id, bool broker, bool controller) {
  inventory::KafkaNode n;
  n.host = host;
  n.id = id;
  n.broker = broker;
  n.controller = controller;
  n.listener_port = 9092;
  n.controller_port = 9093;
  n.install_dir = "/opt/kafka";
  n.log_dirs = {"/var/lib/kafka/data"};
  return n;
}

// inventories/seed-kafka.toml by hand: the seed ensemble, brokers 11..13 on node1..node3.
inline inventory::Cluster seed_kafka_cluster() {
  inventory::Cluster c = seed_cluster();
  inventory::KafkaSettings k;
  k.mode = inventory::KafkaMode::zookeeper;
  k.heap_mb = 256;
  k.zookeeper_chroot = "/kafka";
  k.extra_config = {{"num.partitions", "3"},
                    {"group.initial.rebalance.delay.ms", "0"},
                    {"broker.session.timeout.ms", "4500"},
                    {"broker.heartbeat.interval.ms", "1500"}};
  c.kafka = k;
  for (int i = 1; i <= 3; ++i) {
    const std::string host = "node" + std::to_string(i);
    c.kafka_nodes.push_back(kafka_node(host.c_str(), 10 + i, true, false));
  }
  return c;
}

// inventories/kraft.toml by hand: combined broker+controller nodes kf1..kf3 (ids 1..3).
inline inventory::Cluster kraft_cluster() {
  inventory::Cluster c;
  c.name = "kraft";
  c.security = open_security();
  inventory::KafkaSettings k;
  k.mode = inventory::KafkaMode::kraft;
  k.heap_mb = 256;
  k.extra_config = {{"num.partitions", "3"},
                    {"group.initial.rebalance.delay.ms", "0"},
                    {"broker.session.timeout.ms", "4500"},
                    {"broker.heartbeat.interval.ms", "1500"}};
  c.kafka = k;
  // Out of id order on purpose: controller.quorum.voters is sorted by id.
  c.kafka_nodes.push_back(kafka_node("kf3", 3, true, true));
  c.kafka_nodes.push_back(kafka_node("kf1", 1, true, true));
  c.kafka_nodes.push_back(kafka_node("kf2", 2, true, true));
  return c;
}

// The seed's Kafka cluster being moved to KRaft: the same brokers 11..13 on node1..node3, now
// kraft mode, and dedicated controllers 1..3 on ctl1..ctl3; [[zookeeper.servers]] kept.
inline inventory::Cluster migration_cluster() {
  inventory::Cluster c = seed_kafka_cluster();
  c.kafka->mode = inventory::KafkaMode::kraft;
  for (int i = 1; i <= 3; ++i) {
    const std::string host = "ctl" + std::to_string(i);
    inventory::KafkaNode n = kafka_node(host.c_str(), i, false, true);
    n.log_dirs = {"/var/lib/kafka/controller"};
    c.kafka_nodes.push_back(n);
  }
  return c;
}

}  // namespace zkctl::render::testing
