// start/stop/restart of one node (through its tier) against fake hosts: ZooKeeper servers are fake
// 4lw servers on loopback (their `srvr` answers say leader or follower; a server without one is
// down), SSH sessions are fake Remotes that record what they were asked to run.

#include "ops/commands/control.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>

#include "ops/component.hpp"
#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/fake_zk.hpp"
#include "support/recording_progress.hpp"

namespace zkctl::ops {
namespace {

std::string srvr(const std::string& mode) {
  return "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: " + mode +
         "\nNode count: 5\n";
}

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hosts_.handler = [this](const std::string& command) {
      std::lock_guard lock(mu_);
      commands_.push_back(command);
      return remote::CommandResult{0, "stopped\n", ""};
    };
    options_ = hosts_.options();
  }

  // Voters 1..3 on 127.0.0.1; `serving[i]` is the mode server i+1 answers ("" = down).
  void ensemble(const std::vector<std::string>& serving) {
    std::vector<inventory::Server> servers;
    for (std::size_t i = 0; i < serving.size(); ++i) {
      int port = 1;  // nothing listens on port 1: down
      if (!serving[i].empty()) {
        zks_.push_back(
            std::make_unique<probe_test::FakeZk>(probe_test::Answers{{"srvr", srvr(serving[i])}}));
        port = zks_.back()->port();
      }
      servers.push_back(testing::zk_server("127.0.0.1", static_cast<int>(i) + 1, port));
    }
    cluster_ = testing::cluster_of(servers);
  }

  // start|stop|restart the ZooKeeper server `id` (or, with kind kafka, the
  // `index`-th Kafka node) as `zkctl stop NODE` does: through its tier.
  ControlReport control(int id, Action action, Force force, NodeKind kind = NodeKind::zookeeper) {
    Context ctx(cluster_, options_, progress_);
    auto tier = tier_of(cluster_, kind);
    EXPECT_TRUE(tier);
    if (!tier) return {ControlOutcome::failed, "no tier"};
    return control_node(ctx, *tier, *tier->nodes().at(id - 1), action, force);
  }

  std::vector<std::unique_ptr<probe_test::FakeZk>> zks_;
  inventory::Cluster cluster_;
  testing::FakeHosts hosts_;
  Options options_;
  testing::RecordingProgress progress_;
  std::mutex mu_;
  std::vector<std::string> commands_;
};

TEST_F(ControlTest, StoppingAFollowerOfAHealthyEnsembleIsDone) {
  ensemble({"leader", "follower", "follower"});
  auto r = control(3, Action::stop, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::ok) << r.message;
  EXPECT_NE(r.message.find("stopped"), std::string::npos) << r.message;
  EXPECT_FALSE(commands_.empty());
}

TEST_F(ControlTest, StoppingAVoterThatBreaksTheMajorityIsRefusedAndNothingRuns) {
  ensemble({"leader", "follower", ""});
  auto r = control(2, Action::stop, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::refused);
  EXPECT_EQ(r.message.rfind("stop refused: ", 0), 0u) << r.message;
  EXPECT_NE(r.message.find("id 2"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("leave 1 of 3 voters serving; a quorum needs 2"), std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("--force"), std::string::npos) << r.message;
  EXPECT_TRUE(commands_.empty()) << commands_.front();
}

TEST_F(ControlTest, RestartIsRefusedLikeStop) {
  ensemble({"leader", "follower", ""});
  auto r = control(1, Action::restart, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::refused);
  EXPECT_EQ(r.message.rfind("restart refused: ", 0), 0u) << r.message;
  EXPECT_TRUE(commands_.empty());
}

TEST_F(ControlTest, RestartAsksTheHostOnlyToStopAndToStart) {
  ensemble({"follower", "leader", "follower"});
  hosts_.handler = [this](const std::string& command) {
    std::lock_guard lock(mu_);
    commands_.push_back(command);
    return remote::CommandResult{0, "stopped\npid=4242\n", ""};
  };
  options_ = hosts_.options();
  auto r = control(1, Action::restart, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::ok) << r.message;
  // Just stopped, so down: no round trip asks for its PID before the start.
  EXPECT_EQ(commands_.size(), 2u);
}

TEST_F(ControlTest, StartAsksWhetherTheNodeRunsFirst) {
  ensemble({"follower", "leader", "follower"});
  auto r = control(1, Action::start, Force::no);
  EXPECT_EQ(commands_.size(), 2u) << r.message;  // its PID, then the start
}

TEST_F(ControlTest, ForceStopsAnywayAndSaysWhy) {
  ensemble({"leader", "follower", ""});
  auto r = control(2, Action::stop, Force::yes);
  EXPECT_EQ(r.outcome, ControlOutcome::ok) << r.message;
  EXPECT_FALSE(commands_.empty());
  bool said = false;
  for (const auto& e : progress_.events) said |= e.detail.rfind("--force: ", 0) == 0;
  EXPECT_TRUE(said);
}

TEST_F(ControlTest, StoppingAVoterThatIsAlreadyDownIsAllowed) {
  ensemble({"leader", "follower", ""});
  auto r = control(3, Action::stop, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::ok) << r.message;
}

TEST_F(ControlTest, StoppingAnObserverNeverTouchesTheQuorum) {
  ensemble({"leader", "", "observer"});
  cluster_.servers[2].role = inventory::Role::observer;
  auto r = control(3, Action::stop, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::ok) << r.message;
}

TEST_F(ControlTest, AnUnreachableHostFailsTheStop) {
  ensemble({"leader", "follower", "follower"});
  hosts_.unreachable = {"127.0.0.1"};
  auto r = control(3, Action::stop, Force::no);
  EXPECT_EQ(r.outcome, ControlOutcome::failed);
  EXPECT_NE(r.message.find("unreachable"), std::string::npos) << r.message;
}

// A broker while the cluster's partition state cannot be read (no broker answers):
// refused without --force; a controller-only node is not guarded by partitions.
TEST_F(ControlTest, StoppingABrokerWhosePartitionsCannotBeReadIsRefused) {
  cluster_ = testing::cluster_of({}, {testing::kafka_node("127.0.0.1", 11, true, true),
                                      testing::kafka_node("127.0.0.1", 12, false, true)});
  cluster_.kafka_nodes[0].listener_port = 1;
  auto r = control(1, Action::stop, Force::no, NodeKind::kafka);
  EXPECT_EQ(r.outcome, ControlOutcome::refused) << r.message;
  EXPECT_EQ(r.message.rfind("stop of broker 11 on 127.0.0.1 refused: ", 0), 0u) << r.message;
  EXPECT_NE(r.message.find("(use --force)"), std::string::npos) << r.message;
  EXPECT_TRUE(commands_.empty());

  auto ctl = control(2, Action::stop, Force::no, NodeKind::kafka);
  EXPECT_EQ(ctl.outcome, ControlOutcome::ok) << ctl.message;
  EXPECT_NE(ctl.message.find("stopped"), std::string::npos) << ctl.message;
}

}  // namespace
}  // namespace zkctl::ops
