// The security on-ramp's transitional files (#13): node1's zoo.cfg and server.properties in
// every phase against tests/golden/onramp*/<phase>/, the keys each phase turns on, and the two
// ends equal to the plainly open and plainly secure files.

#include <gtest/gtest.h>

#include <string>

#include "render/kafka.hpp"
#include "render/zookeeper.hpp"
#include "secure_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

using inventory::SecurityPhase;

constexpr int kPlaintextPort = 9092;  // where the open cluster's clients are
constexpr int kClientPort = 9095;     // the secure CLIENT listener
constexpr int kInternalPort = 9094;

constexpr SecurityPhase kAll[] = {SecurityPhase::open,           SecurityPhase::zk_unified,
                                  SecurityPhase::zk_quorum_tls,  SecurityPhase::kafka_listeners,
                                  SecurityPhase::kafka_internal, SecurityPhase::zk_plaintext_off,
                                  SecurityPhase::secure};

// KRaft's on-ramp adds the controller listener's steps.
constexpr SecurityPhase kKraft[] = {SecurityPhase::open,
                                    SecurityPhase::kafka_listeners,
                                    SecurityPhase::kafka_internal,
                                    SecurityPhase::kraft_controller_tls,
                                    SecurityPhase::kraft_controller_home,
                                    SecurityPhase::kraft_transit_off,
                                    SecurityPhase::secure};

const char* name_of(SecurityPhase p) {
  static const char* names[] = {"open",
                                "zk-unified",
                                "zk-quorum-tls",
                                "kafka-listeners",
                                "kafka-internal",
                                "kraft-controller-tls",
                                "kraft-controller-home",
                                "kraft-transit-off",
                                "zk-plaintext-off",
                                "secure"};
  return names[static_cast<int>(p)];
}

// `open` rendered in `phase` of its on-ramp to scram + authorization, CLIENT on kClientPort.
inventory::Cluster in_phase(inventory::Cluster open, SecurityPhase phase) {
  inventory::SecurityOnramp o;
  o.phase = phase;
  o.security = testing::secure_settings();
  for (const auto& n : open.kafka_nodes) {
    o.plaintext_port[n.id] = kPlaintextPort;
    o.client_port[n.id] = kClientPort;
    o.internal_port[n.id] = kInternalPort;
    if (n.controller) {
      o.controller_port[n.id] = n.controller_port;
      o.controller_transit_port[n.id] = n.controller_port + 10000;
    }
  }
  open.onramp = o;
  return open;
}

// The secure end as the inventory says it, CLIENT on kClientPort.
inventory::Cluster secure_end(inventory::Cluster open) {
  inventory::Cluster c = testing::secured(std::move(open));
  for (auto& n : c.kafka_nodes) n.listener_port = kClientPort;
  return c;
}

std::string zoo_cfg(const inventory::Cluster& c) {
  auto r = render_zoo_cfg(zoo_cfg_values(c, c.servers.front()));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : "";
}

std::string properties(const inventory::Cluster& c) {
  const auto& node = c.kafka_nodes.front();
  auto r = render_server_properties(server_properties_values(c, node));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : "";
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(OnrampRender, GoldenFilesOfEveryPhase) {
  for (SecurityPhase p : kAll) {
    const auto zk = in_phase(testing::seed_kafka_cluster(), p);
    const auto dir = test::golden_dir() / "onramp" / name_of(p);
    test::expect_golden(dir / "zoo.cfg", zoo_cfg(zk));
    test::expect_golden(dir / "server.properties", properties(zk));
  }
  for (SecurityPhase p : kKraft) {
    const auto kraft = in_phase(testing::kraft_cluster(), p);
    test::expect_golden(test::golden_dir() / "onramp-kraft" / name_of(p) / "server.properties",
                        properties(kraft));
  }
}

// Each KRaft step changes what no node talks on at that moment: CONTROLLER_SSL added, the
// quorum moved onto it, CONTROLLER turned TLS, the quorum moved back, CONTROLLER_SSL removed.
TEST(OnrampRender, KraftControllerMovesThroughTheTransitListener) {
  const auto at = [](SecurityPhase p) { return properties(in_phase(testing::kraft_cluster(), p)); };
  const std::string added = at(SecurityPhase::kafka_listeners);
  EXPECT_TRUE(has(added, "controller.listener.names=CONTROLLER,CONTROLLER_SSL"));
  EXPECT_TRUE(has(added, "controller.quorum.voters=1@kf1:9093,2@kf2:9093,3@kf3:9093"));
  EXPECT_TRUE(has(added,
                  "listeners=CLIENT://:9095,INTERNAL://:9094,PLAINTEXT://:9092,"
                  "CONTROLLER://:9093,CONTROLLER_SSL://:19093"));
  EXPECT_TRUE(has(added,
                  "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,"
                  "CONTROLLER:PLAINTEXT,CONTROLLER_SSL:SSL,PLAINTEXT:PLAINTEXT"));
  EXPECT_TRUE(has(added, "listener.name.controller_ssl.ssl.client.auth=required"));
  EXPECT_FALSE(has(added, "listener.name.controller.ssl.client.auth=required"));
  const std::string moved = at(SecurityPhase::kafka_internal);
  EXPECT_TRUE(has(moved, "controller.listener.names=CONTROLLER_SSL,CONTROLLER"));
  EXPECT_TRUE(has(moved, "controller.quorum.voters=1@kf1:19093,2@kf2:19093,3@kf3:19093"));
  EXPECT_TRUE(has(moved,
                  "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,"
                  "CONTROLLER:PLAINTEXT,CONTROLLER_SSL:SSL,PLAINTEXT:PLAINTEXT"));
  const std::string tls = at(SecurityPhase::kraft_controller_tls);
  EXPECT_TRUE(has(tls, "controller.listener.names=CONTROLLER_SSL,CONTROLLER"));
  EXPECT_TRUE(has(tls,
                  "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,"
                  "CONTROLLER:SSL,CONTROLLER_SSL:SSL,PLAINTEXT:PLAINTEXT"));
  EXPECT_TRUE(has(tls, "listener.name.controller.ssl.client.auth=required"));
  const std::string home = at(SecurityPhase::kraft_controller_home);
  EXPECT_TRUE(has(home, "controller.listener.names=CONTROLLER,CONTROLLER_SSL"));
  EXPECT_TRUE(has(home, "controller.quorum.voters=1@kf1:9093,2@kf2:9093,3@kf3:9093"));
  const std::string off = at(SecurityPhase::kraft_transit_off);
  EXPECT_TRUE(has(off, "controller.listener.names=CONTROLLER"));
  EXPECT_EQ(off.find("CONTROLLER_SSL"), std::string::npos) << off;
  EXPECT_TRUE(has(off, "super.users=User:kafka;User:zkctl-admin;User:ANONYMOUS"));
}

// A broker that is no controller: only the controller listener the quorum talks on, so the
// controller-only steps leave its file as it is.
TEST(OnrampRender, KraftBrokersFollowTheQuorumAndSkipTheControllersOwnSteps) {
  auto c = testing::kraft_cluster();
  c.kafka_nodes.front().controller = false;  // node 3 (kf3): broker only
  const auto at = [&](SecurityPhase p) { return properties(in_phase(c, p)); };
  const std::string moved = at(SecurityPhase::kafka_internal);
  EXPECT_TRUE(has(moved, "controller.listener.names=CONTROLLER_SSL"));
  EXPECT_TRUE(has(moved, "controller.quorum.voters=1@kf1:19093,2@kf2:19093"));
  EXPECT_EQ(moved.find("CONTROLLER://"), std::string::npos) << moved;
  EXPECT_EQ(at(SecurityPhase::kraft_controller_tls), moved);
  EXPECT_TRUE(has(at(SecurityPhase::kafka_listeners), "controller.listener.names=CONTROLLER"));
  EXPECT_EQ(at(SecurityPhase::kraft_transit_off), at(SecurityPhase::kraft_controller_home));
}

TEST(OnrampRender, TheEndsAreThePlainFiles) {
  for (const auto& open : {testing::seed_kafka_cluster(), testing::kraft_cluster()}) {
    EXPECT_EQ(properties(in_phase(open, SecurityPhase::open)), properties(open));
    EXPECT_EQ(properties(in_phase(open, SecurityPhase::secure)), properties(secure_end(open)));
  }
  const auto open = testing::seed_kafka_cluster();
  EXPECT_EQ(zoo_cfg(in_phase(open, SecurityPhase::open)), zoo_cfg(open));
  EXPECT_EQ(zoo_cfg(in_phase(open, SecurityPhase::secure)), zoo_cfg(secure_end(open)));
  EXPECT_EQ(zoo_cfg(in_phase(open, SecurityPhase::zk_plaintext_off)), zoo_cfg(secure_end(open)));
}

TEST(OnrampRender, ZooKeeperUnifiesThenSecuresTheQuorumThenDropsPlaintext) {
  const auto open = testing::seed_kafka_cluster();
  const std::string unified = zoo_cfg(in_phase(open, SecurityPhase::zk_unified));
  EXPECT_TRUE(has(unified, "clientPort=2181"));
  EXPECT_TRUE(has(unified, "client.portUnification=true"));
  EXPECT_TRUE(has(unified, "portUnification=true"));
  EXPECT_FALSE(has(unified, "sslQuorum=true"));
  EXPECT_FALSE(has(unified, "secureClientPort=2181"));
  const std::string quorum = zoo_cfg(in_phase(open, SecurityPhase::zk_quorum_tls));
  EXPECT_TRUE(has(quorum, "sslQuorum=true"));
  EXPECT_TRUE(has(quorum, "portUnification=true"));
  EXPECT_TRUE(has(quorum, "clientPort=2181"));
  // Kafka's phases leave ZooKeeper as zk-quorum-tls left it.
  EXPECT_EQ(zoo_cfg(in_phase(open, SecurityPhase::kafka_internal)), quorum);
  const std::string off = zoo_cfg(in_phase(open, SecurityPhase::zk_plaintext_off));
  EXPECT_TRUE(has(off, "secureClientPort=2181"));
  EXPECT_FALSE(has(off, "clientPort=2181"));
  EXPECT_FALSE(has(off, "portUnification=true"));
}

TEST(OnrampRender, KafkaKeepsPlaintextBesideTheSecureListeners) {
  const auto open = testing::seed_kafka_cluster();
  EXPECT_EQ(properties(in_phase(open, SecurityPhase::zk_quorum_tls)), properties(open));
  const std::string added = properties(in_phase(open, SecurityPhase::kafka_listeners));
  EXPECT_TRUE(has(added, "listeners=CLIENT://:9095,INTERNAL://:9094,PLAINTEXT://:9092"));
  EXPECT_TRUE(has(added, "inter.broker.listener.name=PLAINTEXT"));
  EXPECT_TRUE(has(added, "super.users=User:kafka;User:zkctl-admin;User:ANONYMOUS"));
  EXPECT_FALSE(has(added, "zookeeper.ssl.client.enable=true"));  // ZooKeeper plaintext still
  const std::string internal = properties(in_phase(open, SecurityPhase::kafka_internal));
  EXPECT_TRUE(has(internal, "inter.broker.listener.name=INTERNAL"));
  EXPECT_TRUE(has(internal, "zookeeper.ssl.client.enable=true"));
  EXPECT_TRUE(has(internal, "super.users=User:kafka;User:zkctl-admin;User:ANONYMOUS"));
  EXPECT_EQ(properties(in_phase(open, SecurityPhase::zk_plaintext_off)), internal);
  const std::string kraft =
      properties(in_phase(testing::kraft_cluster(), SecurityPhase::kafka_listeners));
  EXPECT_TRUE(has(kraft,
                  "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,"
                  "CONTROLLER:PLAINTEXT,CONTROLLER_SSL:SSL,PLAINTEXT:PLAINTEXT"));
}

TEST(OnrampRender, ZooKeeperNodesHoldTlsFilesFromTheFirstPhase) {
  const auto material = testing::fake_material();
  auto c = in_phase(testing::seed_kafka_cluster(), SecurityPhase::zk_unified);
  c.security = testing::open_security();  // zkctl's clients still plaintext meanwhile
  auto zk = render_zookeeper_node(c, c.servers.front(), {}, &material);
  ASSERT_TRUE(zk.ok()) << zk.error().message;
  EXPECT_TRUE(std::any_of(zk->begin(), zk->end(),
                          [](const RenderedFile& f) { return f.path.ends_with("node.pem"); }));
  // Kafka's come with its listeners: a ZooKeeper phase restarts no broker.
  auto kafka = render_kafka_node(c, c.kafka_nodes.front(), {}, &material);
  ASSERT_TRUE(kafka.ok()) << kafka.error().message;
  EXPECT_FALSE(std::any_of(kafka->begin(), kafka->end(),
                           [](const RenderedFile& f) { return f.path.ends_with(".pem"); }));
}

}  // namespace
}  // namespace zkctl::render
