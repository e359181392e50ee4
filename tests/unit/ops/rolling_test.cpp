#include "ops/zookeeper/rolling.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <memory>
#include <mutex>

#include "runner/interrupt.hpp"
#include "runner/progress.hpp"
#include "runner/runner.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/fake_zk.hpp"

using namespace zkctl;
using probe::Mode;

namespace {
inventory::Cluster seed() {
  return zkctl::testing::three_voters_and_an_observer("");
}

ops::ClusterStatus status_of(const inventory::Cluster& c, std::vector<Mode> modes,
                             long synced_followers = 2, long synced_observers = 1,
                             long pending = 0) {
  ops::ClusterStatus st;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    ops::NodeStatus n;
    n.server = &c.servers[i];
    n.probe.mode = modes[i];
    if (modes[i] == Mode::leader) {
      probe::Mntr m;
      m.synced_followers = synced_followers;
      m.synced_observers = synced_observers;
      m.pending_syncs = pending;
      n.probe.mntr = m;
    }
    st.nodes.push_back(n);
  }
  st.quorum = ops::summarize(c, ops::observed(st));
  return st;
}

std::vector<std::string> hosts(const std::vector<const inventory::Server*>& v) {
  std::vector<std::string> out;
  for (const auto* s : v) out.push_back(s->host);
  return out;
}
}  // namespace

TEST(Rolling, ObserversThenFollowersLeaderLast) {
  auto c = seed();
  auto st = status_of(c, {Mode::leader, Mode::follower, Mode::follower, Mode::observer});
  EXPECT_EQ(hosts(ops::rolling_order(st)),
            (std::vector<std::string>{"nn01", "node2", "node3", "node1"}));
}

TEST(Rolling, FullySyncedNeedsEveryLearnerCounted) {
  auto c = seed();
  std::string why;
  EXPECT_TRUE(ops::fully_synced(
      c, status_of(c, {Mode::leader, Mode::follower, Mode::follower, Mode::observer}), why));
  EXPECT_FALSE(ops::fully_synced(
      c, status_of(c, {Mode::leader, Mode::follower, Mode::follower, Mode::observer}, 1), why));
  EXPECT_EQ(why, "leader node1 reports 1/2 followers and 1/1 observers synced, 0 pending syncs");
  EXPECT_FALSE(ops::fully_synced(
      c, status_of(c, {Mode::leader, Mode::follower, Mode::follower, Mode::observer}, 2, 1, 1),
      why));
  EXPECT_FALSE(ops::fully_synced(
      c, status_of(c, {Mode::leader, Mode::follower, Mode::follower, Mode::not_serving}), why));
  EXPECT_EQ(why, "nn01 is not serving, not serving as observer");
}

TEST(Rolling, TheServerAboutToRestartIsNotChecked) {
  auto c = seed();
  std::string why;
  auto st = status_of(c, {Mode::leader, Mode::follower, Mode::follower, Mode::down});
  EXPECT_FALSE(ops::fully_synced(c, st, why));
  EXPECT_TRUE(ops::fully_synced(c, st, why, &c.servers[3]));
}

TEST(Rolling, NoQuorumIsNeverSynced) {
  auto c = seed();
  std::string why;
  EXPECT_FALSE(ops::fully_synced(
      c, status_of(c, {Mode::down, Mode::down, Mode::not_serving, Mode::observer}), why));
  EXPECT_EQ(why.rfind("NO QUORUM", 0), 0u);
}

// A stop requested (SIGINT) before the roll's next node: that node is not touched.
TEST(Rolling, AStopRequestRestartsNoFurtherNode) {
  std::vector<std::unique_ptr<probe_test::FakeZk>> zks;
  std::vector<inventory::Server> servers;
  const std::vector<std::string> modes = {"follower", "leader", "follower"};
  for (std::size_t i = 0; i < modes.size(); ++i) {
    zks.push_back(std::make_unique<probe_test::FakeZk>(
        probe_test::Answers{{"srvr", "Zookeeper version: 3.8.0\nMode: " + modes[i] + "\n"}}));
    servers.push_back(
        zkctl::testing::zk_server("127.0.0.1", static_cast<int>(i) + 1, zks.back()->port()));
  }
  auto cluster = zkctl::testing::cluster_of(servers, {});
  zkctl::testing::FakeHosts hosts;
  zkctl::testing::CommandLog log;
  hosts.host_handler = [&log](const std::string& host, const std::string& command) {
    log.add(host, command);
    return remote::CommandResult{0, "", ""};
  };
  runner::NullProgress progress;
  ops::Context ctx(cluster, hosts.options(), progress);
  runner::request_stop(SIGINT);
  ops::RollingReport r = ops::rolling_restart(ctx);
  runner::clear_stop();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, runner::kStepInterrupted);
  EXPECT_TRUE(r.restarted.empty());
  EXPECT_TRUE(log.entries().empty());  // nothing stopped or started on any host
}

namespace {
std::map<std::string, std::string> zk_answers(const std::string& mode) {
  std::string mntr = "zk_server_state\t" + mode + "\n";
  if (mode == "leader")
    mntr += "zk_synced_followers\t2\nzk_synced_observers\t0\nzk_pending_syncs\t0\n";
  else
    mntr += "zk_peer_state\tfollowing - broadcast\n";
  return {{"srvr", "Zookeeper version: 3.9.5\nMode: " + mode + "\n"}, {"mntr", mntr}};
}
}  // namespace

// Leadership moves during the roll (server 3 takes over while server 1 restarts): the roll
// re-reads who leads before each step, so the new leader goes last, not the old one.
TEST(Rolling, TheLeaderOfTheMomentGoesLastWhenLeadershipMovesMidRoll) {
  std::vector<std::unique_ptr<probe_test::FakeZk>> zks;
  std::vector<inventory::Server> servers;
  const std::vector<std::string> modes = {"follower", "leader", "follower"};
  for (std::size_t i = 0; i < modes.size(); ++i) {
    zks.push_back(std::make_unique<probe_test::FakeZk>(zk_answers(modes[i])));
    servers.push_back(
        zkctl::testing::zk_server("127.0.0.1", static_cast<int>(i) + 1, zks.back()->port()));
    servers.back().data_dir = "/d" + std::to_string(i + 1);
  }
  auto cluster = zkctl::testing::cluster_of(servers, {});
  zkctl::testing::FakeHosts hosts;
  std::mutex mu;
  std::vector<int> stopped;  // server ids, in the order they were stopped
  hosts.host_handler = [&](const std::string&, const std::string& command) {
    if (command.find("kill -TERM") == std::string::npos)  // not remote-scripts/zookeeper/stop.sh
      return remote::CommandResult{0, "pid=4242\n", ""};
    for (int id = 1; id <= 3; ++id) {
      if (command.find("/d" + std::to_string(id) + "/zookeeper_server.pid") == std::string::npos)
        continue;
      std::lock_guard lock(mu);
      stopped.push_back(id);
      if (id == 1) {  // an election while server 1 is away: server 3 now leads
        zks[1]->set_answers(zk_answers("follower"));
        zks[2]->set_answers(zk_answers("leader"));
      }
    }
    return remote::CommandResult{0, "stopped\n", ""};
  };
  runner::NullProgress progress;
  ops::Context ctx(cluster, hosts.options(), progress);
  ops::RollingReport r = ops::rolling_restart(ctx);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(stopped, (std::vector<int>{1, 2, 3}));  // planned at the start: 1, 3, 2
}
