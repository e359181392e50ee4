#include "ops/kafka/controller_gate.hpp"

#include <gtest/gtest.h>

using namespace zkctl;
using Kind = ops::GateVerdict::Kind;

namespace {
constexpr long long kNow = 1796031705726;

// Three dedicated controllers 1 (leader), 2, 3 and a broker observing, all caught up now.
std::vector<ops::ReplicaRow> quorum() {
  return {{1, "A", 40, 0, kNow, "Leader"},
          {2, "B", 40, 0, kNow - 300, "Follower"},
          {3, "C", 40, 0, kNow - 400, "Follower"},
          {11, "D", 40, 0, kNow - 100, "Observer"}};
}
}  // namespace

TEST(ControllerGate, LeaderClockIsTheLeadersOwnCatchUp) {
  EXPECT_EQ(ops::quorum_leader_clock(quorum()), kNow);
  auto rows = quorum();
  rows[0].status = "Follower";
  EXPECT_EQ(ops::quorum_leader_clock(rows), -1);
}

TEST(ControllerGate, ServingVotersAreVotersCaughtUpWithin5sOfTheLeader) {
  auto rows = quorum();
  EXPECT_EQ(ops::serving_voters(rows, {}), 3);  // the observer is no voter
  EXPECT_EQ(ops::serving_voters(rows, {1, 3}), 1);
  rows[2].last_caught_up_ms = kNow - 5000;  // exactly 5 s behind still serves
  EXPECT_EQ(ops::serving_voters(rows, {}), 3);
  rows[2].last_caught_up_ms = kNow - 5001;
  EXPECT_EQ(ops::serving_voters(rows, {}), 2);
  rows[0].status = "Follower";  // no leader, no clock: none can be said to serve
  EXPECT_EQ(ops::serving_voters(rows, {}), 0);
}

TEST(ControllerGate, RestartGoesWhileTheOthersKeepAMajority) {
  EXPECT_EQ(ops::controller_restart_gate(quorum(), 3).kind, Kind::go);
  EXPECT_EQ(ops::controller_restart_gate(quorum(), 1).kind, Kind::go);  // 2 and 3 serve
}

TEST(ControllerGate, RestartWaitsWhenAnotherVoterIsBehind) {
  auto rows = quorum();
  rows[1].last_caught_up_ms = kNow - 20000;  // 2 has not caught up for 20 s
  const auto v = ops::controller_restart_gate(rows, 3);
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_NE(v.why.find("1 of 3 voters serve without controller 3, a majority needs 2"),
            std::string::npos)
      << v.why;
  EXPECT_EQ(ops::controller_restart_gate(rows, 2).kind, Kind::go);  // the one behind may go
}

TEST(ControllerGate, RestartWaitsWithoutALeader) {
  auto rows = quorum();
  rows[0].status = "Follower";
  EXPECT_EQ(ops::controller_restart_gate(rows, 3).kind, Kind::wait);
}

TEST(ControllerGate, ObserversDoNotCountAsVoters) {
  auto rows = quorum();
  rows[2].last_caught_up_ms = 0;  // 3 down; the broker observer does not make up for it
  EXPECT_EQ(ops::controller_restart_gate(rows, 2).kind, Kind::wait);
}

TEST(ControllerGate, BackOnlyAfterACatchUpSinceTheRestart) {
  auto rows = quorum();
  const long long since = kNow - 100;       // read after the old process stopped
  rows[2].last_caught_up_ms = kNow - 5000;  // the old process's last catch-up
  auto v = ops::controller_back_gate(rows, 3, since);
  EXPECT_EQ(v.kind, Kind::wait);
  EXPECT_NE(v.why.find("controller 3 to catch up"), std::string::npos) << v.why;
  rows[2].last_caught_up_ms = kNow;
  EXPECT_EQ(ops::controller_back_gate(rows, 3, since).kind, Kind::go);
  // Not listed yet (still starting): wait.
  EXPECT_EQ(ops::controller_back_gate(rows, 7, since).kind, Kind::wait);
}
