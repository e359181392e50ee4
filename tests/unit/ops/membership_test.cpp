#include "ops/cluster/membership.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "inventory/load.hpp"
#include "ops/cluster/state.hpp"

using namespace zkctl;

namespace {

inventory::Server server(const std::string& host, int id,
                         inventory::Role role = inventory::Role::voter) {
  inventory::Server s;
  s.host = host;
  s.id = id;
  s.role = role;
  return s;
}

inventory::Cluster ensemble(std::vector<inventory::Server> servers) {
  inventory::Cluster c;
  c.name = "seed";
  c.servers = std::move(servers);
  return c;
}

inventory::KafkaNode broker(const std::string& host, int id, bool controller = false) {
  inventory::KafkaNode n;
  n.host = host;
  n.id = id;
  n.controller = controller;
  return n;
}

}  // namespace

TEST(Membership, NothingRemovedWhenTheSameServersRemain) {
  auto before = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto r = ops::compare_membership(before, before);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.previous_voters, 3);
}

TEST(Membership, AddedServersAreNotRemovals) {
  auto before = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto after = before;
  after.servers.push_back(server("node4", 5));
  auto r = ops::compare_membership(before, after);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.errors.empty());
}

TEST(Membership, ADroppedServerIsRemovedAsItWasDeployed) {
  auto before = ensemble({server("node1", 1), server("node2", 2), server("node3", 3),
                          server("node4", 5), server("nn01", 4, inventory::Role::observer)});
  before.servers[3].install_dir = "/srv/zk";
  auto after = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto r = ops::compare_membership(before, after);
  ASSERT_EQ(r.servers.size(), 2u);
  EXPECT_EQ(r.servers[0].host, "node4");
  EXPECT_EQ(r.servers[0].install_dir, "/srv/zk");  // stopped where it was installed
  EXPECT_EQ(r.servers[1].host, "nn01");
  EXPECT_EQ(r.servers[1].role, inventory::Role::observer);
  EXPECT_EQ(r.previous_voters, 4);
}

TEST(Membership, AChangedIdIsRefused) {
  auto before = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto after = ensemble({server("node1", 1), server("node2", 7), server("node3", 3)});
  auto r = ops::compare_membership(before, after);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "node2: id changed from 2 to 7; take the server out with one deploy, then add it "
            "back with the new id");
}

TEST(Membership, ARemovedServersIdGivenToANewOneIsRefused) {
  auto before = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto after = ensemble({server("node1", 1), server("node5", 2), server("node3", 3)});
  auto r = ops::compare_membership(before, after);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("node5: id 2 belonged to node2"), std::string::npos) << r.errors[0];
}

TEST(Membership, GoingBelowThreeVotersNeedsForce) {
  auto before = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto after = ensemble({server("node1", 1), server("node2", 2)});
  auto r = ops::compare_membership(before, after);
  auto refused = ops::removal_refusals(after, r, ops::Force::no);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0],
            "removing 1 voter(s) leaves 2 (fewer than 3: one more failure stops the ensemble); "
            "deploy --force to do it anyway");
  EXPECT_TRUE(ops::removal_refusals(after, r, ops::Force::yes).empty());
}

TEST(Membership, RemovingAnObserverOrGoingFromFiveToFourIsNotRefused) {
  auto five = ensemble({server("a", 1), server("b", 2), server("c", 3), server("d", 4),
                        server("e", 5), server("o", 6, inventory::Role::observer)});
  auto four = ensemble({server("a", 1), server("b", 2), server("c", 3), server("d", 4)});
  auto r = ops::compare_membership(five, four);
  EXPECT_EQ(r.servers.size(), 2u);
  EXPECT_TRUE(ops::removal_refusals(four, r, ops::Force::no).empty());
  // A small ensemble that was always small is not a removal.
  auto two = ensemble({server("a", 1), server("b", 2)});
  EXPECT_TRUE(
      ops::removal_refusals(two, ops::compare_membership(two, two), ops::Force::no).empty());
}

// A dropped controller is a removal too (#15): the Kafka tier takes it out of a dynamic
// quorum first and refuses a static quorum's (ops/kafka/quorum, quorum_test).
TEST(Membership, KafkaBrokersAndControllersDroppedAreRemoved) {
  auto before = ensemble({});
  before.kafka_nodes = {broker("kf1", 1, true), broker("kf2", 2, true), broker("kf3", 3, true),
                        broker("kf4", 4)};
  auto after = before;
  after.kafka_nodes.pop_back();
  auto r = ops::compare_membership(before, after);
  ASSERT_EQ(r.kafka_nodes.size(), 1u);
  EXPECT_EQ(r.kafka_nodes[0].id, 4);
  after.kafka_nodes.pop_back();
  r = ops::compare_membership(before, after);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.kafka_nodes.size(), 2u);
  EXPECT_TRUE(r.kafka_nodes[0].controller);
  EXPECT_EQ(r.kafka_nodes[0].id, 3);
}

// A migration to KRaft puts controllers beside the brokers (same hosts, other ids).
TEST(Membership, AControllerBesideABrokerIsMatchedByIdAndGoesWithZooKeeperMode) {
  auto before = ensemble({});
  before.kafka = inventory::KafkaSettings{};
  before.kafka->mode = inventory::KafkaMode::kraft;
  before.kafka_nodes = {broker("node1", 1, true), broker("node1", 11), broker("node2", 12)};
  auto r = ops::compare_membership(before, before);
  EXPECT_TRUE(r.errors.empty() && r.kafka_nodes.empty());
  auto after = before;  // rolled back: zookeeper mode, the brokers only
  after.kafka->mode = inventory::KafkaMode::zookeeper;
  after.kafka_nodes.erase(after.kafka_nodes.begin());
  r = ops::compare_membership(before, after);
  EXPECT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.kafka_nodes.size(), 1u);
  EXPECT_EQ(r.kafka_nodes[0].id, 1);
  after.kafka->mode = inventory::KafkaMode::kraft;  // a controller dropped in kraft: removed
  r = ops::compare_membership(before, after);       // (the Kafka tier judges the quorum)
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.kafka_nodes.size(), 1u);
  EXPECT_EQ(r.kafka_nodes[0].id, 1);
}

// A removed broker that leads or solely holds partitions is drained by deploy (#15): only a
// topic whose replication factor the remaining brokers cannot hold is refused, named.
TEST(Membership, OnlyReplicasWithNowhereToGoRefuseABrokersRemoval) {
  probe::KafkaMetadata md;
  for (int b : {11, 12, 13, 14}) md.brokers.push_back({b, "node", 9092});
  md.partitions.push_back({"orders", 0, 11, {11, 12, 13}, {11, 12, 13}, ""});
  md.partitions.push_back({"orders", 1, 12, {12, 13, 14}, {12, 13, 14}, ""});
  md.partitions.push_back({"solo", 0, 14, {14}, {14}, ""});
  EXPECT_TRUE(ops::kafka_removal_problems(md, {13}).empty());  // follower only: fine
  EXPECT_TRUE(ops::kafka_removal_problems(md, {14}).empty());  // leads solo-0: drained
  EXPECT_TRUE(ops::kafka_removal_problems(md, {11}).empty());
  auto p = ops::kafka_removal_problems(md, {13, 14});  // 2 left for RF 3
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0],
            "topic orders has replication factor 3 (orders-0 has a replica on a removed broker), "
            "but only 2 broker(s) would remain: its replicas cannot be moved off; keep enough "
            "brokers or lower the topic's replication factor first");
  // The inventory's remaining brokers count, not only the registered ones.
  EXPECT_TRUE(ops::kafka_removal_problems(md, {13, 14}, {11, 12, 15}).empty());
}

TEST(Membership, TransitionViewCountsTheRemovedServersStillServing) {
  auto now = ensemble({server("node1", 1), server("node2", 2), server("node3", 3)});
  auto view = ops::transition_view(now, {server("node4", 5)});
  EXPECT_EQ(view.voters().size(), 4u);
  EXPECT_EQ(view.majority(), 3);
  EXPECT_NE(view.find("node4"), nullptr);
}

TEST(Membership, FindRemovalsReadsTheRecordedInventoryEvenIfItsTarballIsGone) {
  namespace fs = std::filesystem;
  fs::path home = fs::temp_directory_path() / ("zkctl-membership-" + std::to_string(::getpid()));
  fs::remove_all(home);
  ::setenv("ZKCTL_HOME", home.c_str(), 1);
  auto text = [](const std::string& extra) {
    return "[cluster]\nname = \"seed\"\n[security]\ntls = false\nauthentication = "
           "\"none\"\nauthorization = false\n[zookeeper]\ndistribution = \"gone.tar.gz\"\n"
           "[[zookeeper.servers]]\nhost = \"node1\"\nid = 1\n"
           "[[zookeeper.servers]]\nhost = \"node2\"\nid = 2\n" +
           extra;
  };
  const std::string before = text("[[zookeeper.servers]]\nhost = \"node3\"\nid = 3\n");
  ASSERT_TRUE(ops::record_cluster("seed", (home / "inv.toml").string(), before));
  auto now =
      inventory::load_string(text(""), "now.toml", home.string(), inventory::LocalFiles::unchecked);
  ASSERT_TRUE(now.cluster.has_value());
  auto r = ops::find_removals(*now.cluster);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->servers.size(), 1u);
  EXPECT_EQ(r->servers[0].host, "node3");
  fs::remove_all(home);
}
