// Status asks over TCP first and falls back to an SSH session only for the servers whose
// client port cannot be reached; ZooKeeper servers are fake 4lw servers on loopback.

#include "ops/zookeeper/status.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/fake_zk.hpp"

namespace zkctl::ops {
namespace {

class StatusTest : public ::testing::Test {
 protected:
  // Voters 1..n on 127.0.0.1; mode "" is a port nobody listens on (refused: the host is
  // there, ZooKeeper is not), "silent" a server that never answers (as behind a firewall).
  ClusterStatus status(const std::vector<std::string>& modes) {
    std::vector<inventory::Server> servers;
    for (std::size_t i = 0; i < modes.size(); ++i) {
      int port = 1;
      if (!modes[i].empty()) {
        zks_.push_back(std::make_unique<probe_test::FakeZk>(
            probe_test::Answers{{"srvr", "Zookeeper version: 3.8.0\nMode: " + modes[i] + "\n"}},
            modes[i] == "silent" ? probe_test::Behaviour::silent : probe_test::Behaviour::answer));
        port = zks_.back()->port();
      }
      servers.push_back(testing::zk_server("127.0.0.1", static_cast<int>(i) + 1, port));
    }
    cluster_ = testing::cluster_of(servers);
    runner::NullProgress progress;
    Context ctx(cluster_, hosts_.options(), progress);
    return collect_status(ctx);
  }

  std::vector<std::unique_ptr<probe_test::FakeZk>> zks_;
  inventory::Cluster cluster_;
  testing::FakeHosts hosts_;
};

TEST_F(StatusTest, AHealthyEnsembleIsAskedOverTcpWithoutAnySshSession) {
  auto st = status({"follower", "leader", "follower"});
  ASSERT_EQ(st.nodes.size(), 3u);
  EXPECT_EQ(st.nodes[1].probe.mode, probe::Mode::leader);
  EXPECT_EQ(st.nodes[0].server, &cluster_.servers[0]);
  EXPECT_TRUE(st.quorum.ok()) << st.quorum.describe();
  EXPECT_TRUE(hosts_.opened.empty());
}

TEST_F(StatusTest, ARefusedPortIsDownWithoutAskingOverSsh) {
  auto st = status({"follower", "leader", ""});
  EXPECT_EQ(st.nodes[2].probe.mode, probe::Mode::down);
  EXPECT_TRUE(hosts_.opened.empty());
  EXPECT_TRUE(st.quorum.ok()) << "2 of 3 voters serve";
}

TEST_F(StatusTest, OnlyTheServerTcpCannotReachIsAskedOverSsh) {
  auto st = status({"follower", "leader", "silent"});
  EXPECT_EQ(hosts_.opened["127.0.0.1"], 1);
  EXPECT_NE(st.nodes[2].probe.mode, probe::Mode::leader);
  EXPECT_NE(st.nodes[2].probe.mode, probe::Mode::follower);
}

TEST_F(StatusTest, LosingTheMajorityIsNotOk) {
  auto st = status({"", "leader", "silent"});
  EXPECT_FALSE(st.quorum.ok()) << st.quorum.describe();
}

TEST_F(StatusTest, AnSshFallbackThatCannotConnectSaysSo) {
  hosts_.unreachable = {"127.0.0.1"};
  auto st = status({"leader", "silent"});
  EXPECT_EQ(st.nodes[1].probe.mode, probe::Mode::down);
  EXPECT_NE(st.nodes[1].probe.detail.find("ssh: "), std::string::npos) << st.nodes[1].probe.detail;
}

}  // namespace
}  // namespace zkctl::ops
