// One SSH session per node per command: sessions are keyed by the node (kind, host,
// id), not by the object naming it, so a second view of the cluster (scale-in's
// transition view) reuses them.

#include "ops/context.hpp"

#include <gtest/gtest.h>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"

namespace zkctl::ops {
namespace {

inventory::Cluster three_servers_and_a_broker() {
  inventory::Cluster c = testing::bare_voters(3, "t");
  inventory::KafkaNode n;
  n.host = "node1";
  n.id = 11;
  c.kafka_nodes.push_back(n);
  return c;
}

// Fake hosts behind the sessions, the cluster above, and no progress output.
class ContextTest : public ::testing::Test {
 protected:
  Options options() {
    Options o;
    o.connector = hosts.connector();
    return o;
  }

  testing::FakeHosts hosts;
  runner::NullProgress progress;
  inventory::Cluster cluster = three_servers_and_a_broker();
};

TEST_F(ContextTest, OneSessionPerNodeEvenThroughACopyOfTheCluster) {
  const Options o = options();
  Context ctx(cluster, o, progress);
  ctx.connect({&cluster.servers[0], &cluster.servers[1], &cluster.servers[2]});
  inventory::Server copy = cluster.servers[1];  // another object naming node2
  EXPECT_EQ(ctx.connection(copy).remote.get(), ctx.connection(cluster.servers[1]).remote.get());
  EXPECT_EQ(hosts.opened["node2"], 1);
}

TEST_F(ContextTest, ATransitionViewSharesTheParentsSessions) {
  const Options o = options();
  Context ctx(cluster, o, progress);
  ctx.connect({&cluster.servers[0], &cluster.servers[1], &cluster.servers[2]});
  inventory::Cluster view = cluster;  // scale-in: the members plus a server taken out
  inventory::Server removed;
  removed.host = "node4";
  removed.id = 4;
  view.servers.push_back(removed);
  Context transition(view, ctx);
  transition.connect({&view.servers[0], &view.servers[1], &view.servers[2], &view.servers[3]});
  EXPECT_EQ(hosts.opened["node1"], 1);
  EXPECT_EQ(hosts.opened["node2"], 1);
  EXPECT_EQ(hosts.opened["node3"], 1);
  EXPECT_EQ(hosts.opened["node4"], 1);
  EXPECT_EQ(&transition.connection(view.servers[3]), &ctx.connection(removed));
}

TEST_F(ContextTest, AZooKeeperServerAndABrokerOnOneHostHaveTheirOwnSessions) {
  const Options o = options();
  Context ctx(cluster, o, progress);
  auto& zk = ctx.connection(cluster.servers[0]);
  auto& kafka = ctx.connection(cluster.kafka_nodes[0]);
  EXPECT_NE(zk.remote.get(), kafka.remote.get());
  EXPECT_EQ(hosts.opened["node1"], 2);
}

TEST_F(ContextTest, AFailedConnectIsRememberedNotRetriedWithinTheCommand) {
  hosts.unreachable = {"node3"};
  const Options o = options();
  Context ctx(cluster, o, progress);
  auto conns =
      ctx.connect(std::vector<const inventory::Server*>{&cluster.servers[0], &cluster.servers[2]});
  ASSERT_TRUE(conns[0]->remote);
  EXPECT_FALSE(conns[1]->remote);
  EXPECT_NE(conns[1]->error.find("unreachable"), std::string::npos);
  EXPECT_EQ(&ctx.connection(cluster.servers[2]), conns[1]);
}

// Slower exchanges than one srvr/mntr get at least their floor, a longer --probe-timeout
// its own value.
TEST_F(ContextTest, AdminTimeoutIsTheProbeTimeoutAtLeastFiveSeconds) {
  using std::chrono::milliseconds;
  Options o = options();
  Context short_probe(cluster, o, progress);
  EXPECT_EQ(short_probe.admin_timeout(), milliseconds(5000));
  EXPECT_EQ(short_probe.probe_timeout_at_least(milliseconds(10000)), milliseconds(10000));
  EXPECT_EQ(short_probe.probe_timeout_at_least(milliseconds(1000)), milliseconds(3000));
  o.probe_timeout = milliseconds(8000);
  Context long_probe(cluster, o, progress);
  EXPECT_EQ(long_probe.admin_timeout(), milliseconds(8000));
  EXPECT_EQ(long_probe.probe_timeout_at_least(milliseconds(10000)), milliseconds(10000));
}

}  // namespace
}  // namespace zkctl::ops
