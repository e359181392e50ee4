#include "ops/zookeeper/quorum.hpp"

#include <gtest/gtest.h>

#include "support/cluster.hpp"

using namespace zkctl;
using inventory::Role;
using probe::Mode;

namespace {
inventory::Cluster seed() {
  return zkctl::testing::three_voters_and_an_observer("seed");
}

std::vector<ops::Observed> seen(const inventory::Cluster& c, std::vector<Mode> modes) {
  std::vector<ops::Observed> out;
  for (std::size_t i = 0; i < modes.size(); ++i) out.push_back({&c.servers[i], modes[i]});
  return out;
}
}  // namespace

TEST(Quorum, HealthyEnsemble) {
  auto c = seed();
  auto q =
      ops::summarize(c, seen(c, {Mode::follower, Mode::leader, Mode::follower, Mode::observer}));
  EXPECT_TRUE(q.ok());
  EXPECT_EQ(q.voters, 3);
  EXPECT_EQ(q.voters_serving, 3);
  EXPECT_EQ(q.majority, 2);
  ASSERT_EQ(q.leaders.size(), 1u);
  EXPECT_EQ(q.leaders[0]->host, "node2");
  EXPECT_EQ(q.describe(), "quorum OK: 3/3 voters serving, majority 2, leader node2 (id 2)");
}

TEST(Quorum, ObserversDoNotCount) {
  auto c = seed();
  auto q = ops::summarize(c, seen(c, {Mode::not_serving, Mode::down, Mode::down, Mode::observer}));
  EXPECT_FALSE(q.ok());
  EXPECT_EQ(q.voters_serving, 0);
  EXPECT_EQ(q.describe(), "NO QUORUM: 0/3 voters serving, majority 2, no leader");
}

TEST(Quorum, MajorityWithoutLeaderIsNotOk) {
  auto c = seed();
  auto q =
      ops::summarize(c, seen(c, {Mode::not_serving, Mode::not_serving, Mode::down, Mode::down}));
  EXPECT_FALSE(q.ok());
}

TEST(Quorum, TwoLeadersIsSplitBrain) {
  auto c = seed();
  auto q = ops::summarize(c, seen(c, {Mode::leader, Mode::leader, Mode::follower, Mode::observer}));
  EXPECT_FALSE(q.ok());
  EXPECT_NE(q.describe().find("split brain"), std::string::npos);
}

TEST(Quorum, RemovalOfAFollowerIsSafeWithAllUp) {
  auto c = seed();
  auto s = seen(c, {Mode::follower, Mode::leader, Mode::follower, Mode::observer});
  EXPECT_TRUE(ops::check_removal_safe(c, s, c.servers[2]).ok());
  EXPECT_TRUE(ops::check_removal_safe(c, s, c.servers[1]).ok());  // the leader: 2 of 3 remain
}

TEST(Quorum, RemovalThatBreaksTheMajorityIsRefused) {
  auto c = seed();
  auto s = seen(c, {Mode::down, Mode::leader, Mode::follower, Mode::observer});
  auto r = ops::check_removal_safe(c, s, c.servers[2]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "taking node3 (voter, id 3) out of service would leave 1 of 3 voters serving; a "
            "quorum needs 2 (use --force to do it anyway)");
}

TEST(Quorum, ObserversAndDownVotersAreAlwaysRemovable) {
  auto c = seed();
  auto s = seen(c, {Mode::down, Mode::leader, Mode::follower, Mode::observer});
  EXPECT_TRUE(ops::check_removal_safe(c, s, c.servers[3]).ok());
  EXPECT_TRUE(ops::check_removal_safe(c, s, c.servers[0]).ok());
}

TEST(Quorum, ModeMatchesRole) {
  EXPECT_TRUE(ops::mode_matches_role(Mode::follower, Role::voter, 3));
  EXPECT_TRUE(ops::mode_matches_role(Mode::leader, Role::voter, 3));
  EXPECT_FALSE(ops::mode_matches_role(Mode::observer, Role::voter, 3));
  EXPECT_FALSE(ops::mode_matches_role(Mode::standalone, Role::voter, 3));
  EXPECT_TRUE(ops::mode_matches_role(Mode::standalone, Role::voter, 1));
  EXPECT_TRUE(ops::mode_matches_role(Mode::observer, Role::observer, 3));
  EXPECT_FALSE(ops::mode_matches_role(Mode::follower, Role::observer, 3));
  EXPECT_FALSE(ops::mode_matches_role(Mode::not_serving, Role::voter, 3));
}
