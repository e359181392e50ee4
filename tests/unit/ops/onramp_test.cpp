// The security on-ramp's decisions (#13): the route from the recorded phase and the inventory,
// the view each roll works on (what is rendered, how zkctl's clients reach the nodes), refusals.

#include "ops/security/onramp.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "support/cluster.hpp"

namespace zkctl::ops {
namespace {

using inventory::SecurityPhase;
using P = SecurityPhase;

OnrampFacts facts(bool deployed_tls, bool inventory_tls, std::optional<P> recorded = {}) {
  OnrampFacts f;
  f.deployed = true;
  f.deployed_tls = deployed_tls;
  f.inventory_tls = inventory_tls;
  f.recorded = recorded;
  f.zookeeper = true;
  f.kafka = true;
  return f;
}

std::vector<P> steps(const OnrampFacts& f) {
  auto r = onramp_route(f);
  return r ? r->steps : std::vector<P>{};
}

TEST(OnrampRoute, NoOnrampForAFirstDeployOrAnUnchangedCluster) {
  OnrampFacts first = facts(false, true);
  first.deployed = false;
  EXPECT_FALSE(onramp_route(first));
  EXPECT_FALSE(onramp_route(facts(false, false)));
  EXPECT_FALSE(onramp_route(facts(true, true)));
  EXPECT_FALSE(onramp_route(facts(true, true, P::secure)));
}

TEST(OnrampRoute, OpenToSecureKeepsKafkaPlaintextUnlessTold) {
  EXPECT_EQ(steps(facts(false, true)),
            (std::vector<P>{P::zk_unified, P::zk_quorum_tls, P::kafka_listeners, P::kafka_internal,
                            P::zk_plaintext_off}));
  OnrampFacts drop = facts(false, true);
  drop.drop_plaintext = DropPlaintext::yes;
  EXPECT_EQ(steps(drop).back(), P::secure);
  EXPECT_EQ(steps(drop).size(), 6u);
}

TEST(OnrampRoute, ResumesFromTheRecordedPhase) {
  // Interrupted while rolling into kafka-listeners: zk-quorum-tls was the last phase reached.
  EXPECT_EQ(steps(facts(false, true, P::zk_quorum_tls)),
            (std::vector<P>{P::kafka_listeners, P::kafka_internal, P::zk_plaintext_off}));
  // Plaintext kept: a later deploy stays there (no step, the phase rendered as it is) ...
  const auto kept = onramp_route(facts(true, true, P::zk_plaintext_off));
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->steps.empty());
  EXPECT_EQ(kept->to, P::zk_plaintext_off);
  // ... until --drop-plaintext.
  OnrampFacts drop = facts(true, true, P::zk_plaintext_off);
  drop.drop_plaintext = DropPlaintext::yes;
  EXPECT_EQ(steps(drop), (std::vector<P>{P::secure}));
}

TEST(OnrampRoute, SecureToOpenIsTheSamePhasesInReverse) {
  EXPECT_EQ(steps(facts(true, false)),
            (std::vector<P>{P::zk_plaintext_off, P::kafka_internal, P::kafka_listeners,
                            P::zk_quorum_tls, P::zk_unified, P::open}));
  EXPECT_EQ(steps(facts(true, false, P::zk_quorum_tls)), (std::vector<P>{P::zk_unified, P::open}));
}

TEST(OnrampRoute, PhasesOfAbsentProductsAreLeftOut) {
  OnrampFacts zk_only = facts(false, true);
  zk_only.kafka = false;
  EXPECT_EQ(steps(zk_only), (std::vector<P>{P::zk_unified, P::zk_quorum_tls, P::secure}));
  OnrampFacts brokers = facts(false, true);  // Kafka without ZooKeeper or controllers
  brokers.zookeeper = false;
  EXPECT_EQ(steps(brokers), (std::vector<P>{P::kafka_listeners, P::kafka_internal}));
}

OnrampFacts kraft_facts(bool deployed_tls, bool inventory_tls, std::optional<P> recorded = {}) {
  OnrampFacts f = facts(deployed_tls, inventory_tls, recorded);
  f.zookeeper = false;
  f.kraft = true;
  return f;
}

TEST(OnrampRoute, KraftMovesItsControllerListenerThroughATransitOne) {
  const std::vector<P> kept = {P::kafka_listeners, P::kafka_internal, P::kraft_controller_tls,
                               P::kraft_controller_home, P::kraft_transit_off};
  EXPECT_EQ(steps(kraft_facts(false, true)), kept);
  OnrampFacts drop = kraft_facts(false, true);
  drop.drop_plaintext = DropPlaintext::yes;
  std::vector<P> all = kept;
  all.push_back(P::secure);
  EXPECT_EQ(steps(drop), all);
  // PLAINTEXT kept: a later deploy stays at kraft-transit-off, --drop-plaintext goes on.
  const auto stays = onramp_route(kraft_facts(true, true, P::kraft_transit_off));
  ASSERT_TRUE(stays);
  EXPECT_TRUE(stays->steps.empty());
  drop = kraft_facts(true, true, P::kraft_transit_off);
  drop.drop_plaintext = DropPlaintext::yes;
  EXPECT_EQ(steps(drop), (std::vector<P>{P::secure}));
  // Resumed after kafka-internal; back to open the same steps reversed.
  EXPECT_EQ(
      steps(kraft_facts(false, true, P::kafka_internal)),
      (std::vector<P>{P::kraft_controller_tls, P::kraft_controller_home, P::kraft_transit_off}));
  EXPECT_EQ(steps(kraft_facts(true, false)),
            (std::vector<P>{P::kraft_transit_off, P::kraft_controller_home, P::kraft_controller_tls,
                            P::kafka_internal, P::kafka_listeners, P::open}));
  // ZooKeeper mode never has them.
  for (P p : steps(facts(false, true)))
    EXPECT_TRUE(p < P::kraft_controller_tls || p > P::kraft_transit_off) << to_string(p);
}

TEST(OnrampRoute, PhaseNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(P::secure); ++i) {
    const auto p = static_cast<P>(i);
    EXPECT_EQ(security_phase_named(to_string(p)), p);
    EXPECT_FALSE(phase_change(p).empty());
  }
  EXPECT_FALSE(security_phase_named("tls"));
}

// A ZooKeeper-mode cluster: one server, one broker.
inventory::Cluster open_cluster() {
  auto c = testing::cluster_of({testing::zk_server("node1", 1, 2181)},
                               {testing::kafka_node("kf1", 1, true, false)});
  c.kafka->mode = inventory::KafkaMode::zookeeper;
  c.kafka_nodes[0].listener_port = 9092;
  return c;
}

inventory::Cluster secure_cluster() {
  auto c = testing::secure(open_cluster());
  c.kafka_nodes[0].listener_port = 9095;
  return c;
}

TEST(OnrampView, ZkctlUsesPlaintextUntilEveryNodeAcceptsTls) {
  const auto open = open_cluster();
  const auto secure = secure_cluster();
  const auto early = onramp_view(secure, secure, open, P::zk_quorum_tls, P::kafka_listeners);
  ASSERT_TRUE(early.onramp);
  EXPECT_EQ(early.onramp->phase, P::kafka_listeners);
  EXPECT_TRUE(early.onramp->security.tls);
  EXPECT_FALSE(early.security.tls);
  EXPECT_EQ(early.kafka_nodes[0].listener_port, 9092);
  EXPECT_EQ(early.kafka_nodes[0].internal_port, 0);
  EXPECT_EQ(early.onramp->client_port.at(1), 9095);
  EXPECT_EQ(early.onramp->plaintext_port.at(1), 9092);
  const auto late = onramp_view(secure, secure, open, P::kafka_listeners, P::kafka_internal);
  EXPECT_TRUE(late.security.tls);
  EXPECT_EQ(late.kafka_nodes[0].listener_port, 9095);
  EXPECT_EQ(late.kafka_nodes[0].internal_port, testing::kSecureInternalPort);
  // Going back the same way: the roll out of kafka-listeners is plaintext again.
  EXPECT_FALSE(onramp_view(open, secure, open, P::kafka_listeners, P::zk_quorum_tls).security.tls);
}

TEST(OnrampView, RefusesAPlaintextPortTheSecureListenersTake) {
  const auto open = open_cluster();
  EXPECT_TRUE(onramp_refusals(secure_cluster(), open).empty());
  auto same_port = testing::secure(open_cluster());  // CLIENT on 9092, where PLAINTEXT stays
  const auto refusals = onramp_refusals(same_port, open);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("port 9092"), std::string::npos) << refusals[0];
  auto grown = secure_cluster();
  grown.servers.push_back(testing::zk_server("node2", 2, 2181));
  EXPECT_EQ(onramp_refusals(grown, open).size(), 1u);
}

TEST(OnrampView, ZooKeeperServesNoMetricsWhileItsTlsHasNoAgentJar) {
  auto open = open_cluster();
  open.servers[0].metrics_port = 7000;  // the loader's provider port of an open cluster
  const auto secure = secure_cluster();
  // Going back: the view of the open inventory, zoo.cfg still with TLS.
  EXPECT_EQ(
      onramp_view(open, secure, open, P::zk_quorum_tls, P::zk_unified).servers[0].metrics_port, 0);
  EXPECT_EQ(onramp_view(open, secure, open, P::zk_unified, P::open).servers[0].metrics_port, 7000);
  auto with_jar = open;
  with_jar.metrics.kafka_agent = "/local/jmx_prometheus_javaagent.jar";
  EXPECT_EQ(
      onramp_view(with_jar, secure, open, P::zk_quorum_tls, P::zk_unified).servers[0].metrics_port,
      7000);
}

TEST(OnrampView, GoingBackOpensKafkasZnodesWhenTheBrokersLeaveTlsToZooKeeper) {
  const auto secure = secure_cluster();
  ASSERT_TRUE(secure.security.authorization);
  // Only the roll out of kafka-internal (brokers to ZooKeeper over TLS, zookeeper.set.acl).
  EXPECT_TRUE(onramp_opens_zk_acls(secure, P::kafka_internal, P::kafka_listeners));
  EXPECT_FALSE(onramp_opens_zk_acls(secure, P::kafka_listeners, P::kafka_internal));
  EXPECT_FALSE(onramp_opens_zk_acls(secure, P::zk_plaintext_off, P::kafka_internal));
  EXPECT_FALSE(onramp_opens_zk_acls(secure, P::kafka_listeners, P::zk_quorum_tls));
  auto no_acls = secure;  // without authorization zookeeper.set.acl is not set
  no_acls.security.authorization = false;
  EXPECT_FALSE(onramp_opens_zk_acls(no_acls, P::kafka_internal, P::kafka_listeners));
  auto kraft = secure;  // no ZooKeeper under Kafka
  kraft.kafka->mode = inventory::KafkaMode::kraft;
  EXPECT_FALSE(onramp_opens_zk_acls(kraft, P::kafka_internal, P::kafka_listeners));
}

// KRaft: one combined node kf1 (controller_port 9093), PLAINTEXT 9092 -> CLIENT 9095.
inventory::Cluster open_kraft() {
  auto open = testing::cluster_of({}, {testing::kafka_node("kf1", 1, true, true)});
  open.kafka->mode = inventory::KafkaMode::kraft;
  open.kafka_nodes[0].listener_port = 9092;
  open.kafka_nodes[0].controller_port = 9093;
  return open;
}

inventory::Cluster secure_kraft() {
  auto secure = testing::secure(open_kraft());
  secure.kafka_nodes[0].listener_port = 9095;
  return secure;
}

TEST(OnrampView, KraftControllersMayMoveUnlessTheirPortChangesOrTheTransitIsTaken) {
  EXPECT_TRUE(onramp_refusals(secure_kraft(), open_kraft()).empty());
  auto moved = secure_kraft();
  moved.kafka_nodes[0].controller_port = 9096;
  auto refusals = onramp_refusals(moved, open_kraft());
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("keep controller_port"), std::string::npos) << refusals[0];
  auto taken = secure_kraft();
  taken.kafka_nodes[0].internal_port = 19093;  // where CONTROLLER_SSL goes meanwhile
  refusals = onramp_refusals(taken, open_kraft());
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("port 19093"), std::string::npos) << refusals[0];
  EXPECT_EQ(controller_transit_port(open_kraft().kafka_nodes[0]), 19093);
}

TEST(OnrampView, ZkctlReachesKraftControllersWhereEveryNodeListensWithItsProtocol) {
  const auto open = open_kraft();
  const auto secure = secure_kraft();
  const auto port = [&](P from, P to) {
    const auto v = onramp_view(secure, secure, open, from, to);
    EXPECT_EQ(v.onramp->controller_port.at(1), 9093);
    EXPECT_EQ(v.onramp->controller_transit_port.at(1), 19093);
    return v.kafka_nodes[0].controller_port;
  };
  EXPECT_EQ(port(P::open, P::kafka_listeners), 9093);  // plaintext, every node
  EXPECT_EQ(port(P::kafka_listeners, P::kafka_internal), 19093);
  EXPECT_EQ(port(P::kafka_internal, P::kraft_controller_tls), 19093);  // 9093 changes protocol
  EXPECT_EQ(port(P::kraft_controller_tls, P::kraft_controller_home), 19093);
  EXPECT_EQ(port(P::kraft_controller_home, P::kraft_transit_off), 9093);  // 19093 goes
  EXPECT_EQ(port(P::kraft_transit_off, P::secure), 9093);
  EXPECT_EQ(port(P::kraft_transit_off, P::kraft_controller_home), 9093);  // going back
}

// `kafka-metadata-quorum.sh describe --status` of Kafka 4 (KIP-853 voters with endpoints).
TEST(OnrampGate, ReadsEachVotersPublishedListeners) {
  const std::string status =
      "ClusterId:              q1\n"
      "LeaderId:               2\n"
      "CurrentVoters:          [{\"id\": 1, \"directoryId\": \"a\", \"endpoints\": "
      "[\"CONTROLLER://kf1:9093\", \"CONTROLLER_SSL://kf1:19093\"]}, {\"id\": 2, "
      "\"directoryId\": \"b\", \"endpoints\": [\"CONTROLLER://kf2:9093\"]}]\n"
      "CurrentObservers:       [{\"id\": 4, \"directoryId\": \"c\"}]\n";
  const auto voters = voter_listener_names(status);
  ASSERT_EQ(voters.size(), 2u);
  EXPECT_EQ(voters.at(1), (std::set<std::string>{"CONTROLLER", "CONTROLLER_SSL"}));
  EXPECT_EQ(voters.at(2), (std::set<std::string>{"CONTROLLER"}));
  EXPECT_TRUE(voter_listener_names("CurrentVoters: [1,2,3]\n").empty());  // a static quorum
  EXPECT_EQ(controller_listener_names(P::kafka_listeners), voters.at(1));
  EXPECT_EQ(controller_listener_names(P::kraft_controller_home), voters.at(1));
  EXPECT_EQ(controller_listener_names(P::kraft_transit_off), voters.at(2));
  EXPECT_EQ(controller_listener_names(P::open), voters.at(2));
}

// Kafka 3.9's form (directoryId null, endpoints joined without a space), a voter without
// endpoints (none published: the gate waits for it) and the ids-only form of older releases.
TEST(OnrampGate, ReadsVotersWithoutEndpointsAndTheIdsOnlyForm) {
  const auto voters = voter_listener_names(
      "LeaderId: 1\n"
      "CurrentVoters:          [{\"id\": 1, \"directoryId\": null, \"endpoints\": "
      "[\"CONTROLLER://[::1]:9093\",\"CONTROLLER_SSL://kf1:19093\"]}, {\"id\": 3, "
      "\"directoryId\": \"c\"}]\n"
      "CurrentObservers:       []\n");
  ASSERT_EQ(voters.size(), 2u);
  EXPECT_EQ(voters.at(1), (std::set<std::string>{"CONTROLLER", "CONTROLLER_SSL"}));
  EXPECT_TRUE(voters.at(3).empty());
  EXPECT_TRUE(voter_listener_names("LeaderId: 1\nCurrentVoters: [1, 2, 3]").empty());
  EXPECT_TRUE(voter_listener_names("CurrentVoters:  []\n").empty());
  EXPECT_TRUE(voter_listener_names("LeaderId: 1\n").empty());  // no voters line at all
}

// Anything but the JSON array of voters reads as none, so the gate keeps waiting.
TEST(OnrampGate, MalformedVotersReadAsNone) {
  for (const std::string line : {
           R"(CurrentVoters: [{"id": 1, "endpoints": ["CONTROLLER://kf1:9093"])",  // cut off
           R"(CurrentVoters: {"id": 1, "endpoints": ["CONTROLLER://kf1:9093"]})",  // no array
           R"(CurrentVoters: [{"id": "1", "endpoints": ["CONTROLLER://kf1:9093"]}])",
           R"(CurrentVoters: [{"endpoints": ["CONTROLLER://kf1:9093"]}])",  // no id
           R"(CurrentVoters: [{"id": 1, "endpoints": "CONTROLLER://kf1:9093"}])",
           R"(CurrentVoters: [{"id": 1, "endpoints": [9093]}])",
           R"(CurrentVoters: [{"id": 1, "endpoints": ["kf1:9093"]}])",  // no listener name
           R"(CurrentVoters: [{"id": 1, "endpoints": ["CONTROLLER://kf1:9093"]}, "x"])",
           "CurrentVoters: ",
       }) {
    EXPECT_TRUE(voter_listener_names("LeaderId: 1\n" + line + "\nCurrentObservers: []\n").empty())
        << line;
  }
}

}  // namespace
}  // namespace zkctl::ops
