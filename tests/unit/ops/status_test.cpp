// Status asks over TCP first and falls back to an SSH session only for the servers whose
// client port cannot be reached; ZooKeeper servers are fake 4lw servers on loopback. The metrics
// line of a secure cluster's server is read over HTTPS from its JMX exporter agent, no SSH.

#include "ops/zookeeper/status.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/fake_zk.hpp"
#include "support/test_pki.hpp"

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

// A secure cluster's metrics page comes from the JMX exporter agent over HTTPS on the server's
// address (with zkctl's admin certificate, like Kafka's agent); before, status opened an SSH
// session to read ZooKeeper's provider on the host's loopback.
TEST_F(StatusTest, ASecureServersMetricsAreReadOverTlsWithoutAnySshSession) {
  namespace fs = std::filesystem;
  const probe_test::TestPki pki;
  const testing::TempDir home("zkctl-status-metrics");
  ::setenv("ZKCTL_HOME", home.path().c_str(), 1);
  const fs::path dir = fs::path(home.path()) / "clusters" / "t" / "pki";
  fs::create_directories(dir);
  fs::copy_file(pki.pem("client"), dir / "zkctl-admin.crt");
  fs::copy_file(pki.key("client"), dir / "zkctl-admin.key");
  const std::string page =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n"
      "outstanding_requests 3.0\navg_latency 1.5\n"
      "jvm_memory_used_bytes{area=\"heap\"} 1.048576E8\n"
      "jvm_memory_max_bytes{area=\"heap\"} 2.68435456E8\n";
  probe_test::FakeZk agent(probe_test::ServerTls{pki.pem("server"), pki.key("server"),
                                                 pki.pem("ca"), probe_test::ClientAuth::need},
                           {{"GET ", page}});
  auto server = testing::zk_server("127.0.0.1", 1, 1);
  server.metrics_port = agent.port();
  cluster_ = testing::secure(testing::cluster_of({server}));
  cluster_.security.ca_cert = pki.pem("ca");
  runner::NullProgress progress;
  Context ctx(cluster_, hosts_.options(), progress);
  const NodeMetrics m = zookeeper_node_metrics(ctx, cluster_.servers[0]);
  ::unsetenv("ZKCTL_HOME");
  EXPECT_EQ(m.error, "");
  EXPECT_EQ(m.line(), "outstanding 3, avg latency 1.5 ms, heap 100/256 MiB");
  EXPECT_TRUE(hosts_.opened.empty());
  EXPECT_TRUE(metrics_need_mntr(cluster_));
  EXPECT_FALSE(metrics_need_mntr(testing::cluster_of({server})));
}

// The agent's page has no synced_followers (no MBean has it): the leader's mntr fills it in.
TEST(StatusMetrics, TheLeadersSyncedFollowersComeFromMntrWhenThePageLacksThem) {
  NodeMetrics m{.enabled = true, .error = {}, .values = {{"outstanding_requests", 0}}};
  probe::NodeProbe p;
  p.mntr = probe::Mntr{};
  p.mntr->synced_followers = 2;
  with_synced_followers(m, p);
  EXPECT_EQ(m.line(), "outstanding 0, synced followers 2");
  with_synced_followers(m, p);  // once
  EXPECT_EQ(m.values.size(), 2u);
  // The provider's own value stays; a follower (no count) and a failed fetch get none.
  NodeMetrics provider{.enabled = true, .error = {}, .values = {{"synced_followers", 1}}};
  with_synced_followers(provider, p);
  EXPECT_EQ(provider.line(), "synced followers 1");
  NodeMetrics failed{.enabled = true, .error = "refused", .values = {}};
  with_synced_followers(failed, p);
  EXPECT_TRUE(failed.values.empty());
  p.mntr->synced_followers.reset();
  NodeMetrics follower{.enabled = true, .error = {}, .values = {}};
  with_synced_followers(follower, p);
  EXPECT_TRUE(follower.values.empty());
}

}  // namespace
}  // namespace zkctl::ops
