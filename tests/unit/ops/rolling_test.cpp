#include "ops/zookeeper/rolling.hpp"

#include <gtest/gtest.h>

#include "support/cluster.hpp"

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
