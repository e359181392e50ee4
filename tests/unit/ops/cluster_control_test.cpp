// Stopping the whole cluster against fake hosts: the order of the stop commands
// (brokers, controllers, then observers, followers and the ZooKeeper leader last),
// told apart by the dirs in their arguments; ZooKeeper's roles come from fake 4lw
// servers on loopback.

#include "ops/commands/cluster_control.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/fake_zk.hpp"

namespace zkctl::ops {
namespace {

class StopClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hosts_.host_handler = [this](const std::string& host, const std::string& command) {
      log_.add(host, command);
      if (command.find(failing_) != std::string::npos)
        return remote::CommandResult{1, "", "cannot stop\n"};
      return remote::CommandResult{0, "stopped\n", ""};
    };
    options_ = hosts_.options();
    // ZooKeeper: 1 leader, 2 follower, 3 observer; data dirs /data/zk<id>.
    const std::vector<std::string> modes = {"leader", "follower", "observer"};
    std::vector<inventory::Server> servers;
    for (std::size_t i = 0; i < modes.size(); ++i) {
      zks_.push_back(std::make_unique<probe_test::FakeZk>(
          probe_test::Answers{{"srvr", "Zookeeper version: 3.8.0\nMode: " + modes[i] + "\n"}}));
      auto s = testing::zk_server("127.0.0.1", static_cast<int>(i) + 1, zks_.back()->port());
      s.data_dir = "/data/zk" + std::to_string(i + 1);
      servers.push_back(s);
    }
    servers[2].role = inventory::Role::observer;
    // Kafka: brokers 21 and 22, controller 23; install dirs /opt/kafka<id>.
    std::vector<inventory::KafkaNode> nodes = {testing::kafka_node("127.0.0.2", 21, true, false),
                                               testing::kafka_node("127.0.0.3", 22, true, false),
                                               testing::kafka_node("127.0.0.4", 23, false, true)};
    for (auto& n : nodes) n.install_dir = "/opt/kafka" + std::to_string(n.id);
    cluster_ = testing::cluster_of(servers, nodes);
  }

  ClusterControlReport stop() {
    runner::NullProgress progress;
    Context ctx(cluster_, options_, progress);
    return stop_cluster(ctx);
  }

  std::vector<std::unique_ptr<probe_test::FakeZk>> zks_;
  inventory::Cluster cluster_;
  testing::FakeHosts hosts_;
  testing::CommandLog log_;
  std::string failing_ = "no command fails";
  Options options_;
};

TEST_F(StopClusterTest, BrokersThenControllersThenObserversFollowersAndTheLeaderLast) {
  auto report = stop();
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  const int b21 = log_.first("/opt/kafka21"), b22 = log_.first("/opt/kafka22");
  const int c23 = log_.first("/opt/kafka23");
  const int observer = log_.first("/data/zk3"), follower = log_.first("/data/zk2");
  const int leader = log_.first("/data/zk1");
  for (int i : {b21, b22, c23, observer, follower, leader}) ASSERT_GE(i, 0);
  EXPECT_LT(std::max(b21, b22), c23);
  EXPECT_LT(c23, observer);
  EXPECT_LT(observer, follower);
  EXPECT_LT(follower, leader);
}

TEST_F(StopClusterTest, AKafkaNodeThatWillNotStopKeepsTheEnsembleRunning) {
  failing_ = "/opt/kafka23";
  auto report = stop();
  EXPECT_FALSE(report.ok);
  ASSERT_FALSE(report.errors.empty());
  EXPECT_NE(report.errors[0].find("127.0.0.4"), std::string::npos) << report.errors[0];
  EXPECT_EQ(log_.first("/data/zk"), -1) << "no ZooKeeper server was asked to stop";
}

TEST_F(StopClusterTest, AnUnreachableZooKeeperHostIsAnErrorOfThatHost) {
  hosts_.unreachable = {"127.0.0.1"};
  auto report = stop();
  EXPECT_FALSE(report.ok);
  ASSERT_FALSE(report.errors.empty());
  EXPECT_NE(report.errors[0].find("127.0.0.1"), std::string::npos) << report.errors[0];
}

}  // namespace
}  // namespace zkctl::ops
