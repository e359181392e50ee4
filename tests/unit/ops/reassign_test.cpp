// drain/rebalance's local record and the refusals decided before any host or broker is asked
// (a cluster built in code; nothing listens, so whatever would reach Kafka fails).

#include "ops/kafka/reassign.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runner/progress.hpp"
#include "support/cluster.hpp"

namespace zkctl::ops {
namespace {

namespace fs = std::filesystem;

class ReassignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("ZKCTL_HOME", home_.path().c_str(), 1);
    // Brokers 1..3 on closed ports: any metadata request fails fast.
    for (int id : {1, 2, 3}) {
      auto n = testing::kafka_node("127.0.0.1", id, true, false);
      n.listener_port = 1;
      nodes_.push_back(n);
    }
    cluster_ = testing::cluster_of({}, nodes_);
    cluster_.name = "moves";
    options_.probe_timeout = std::chrono::milliseconds(200);
  }
  void TearDown() override { ::unsetenv("ZKCTL_HOME"); }

  fs::path record() const {
    return fs::path(home_.path()) / "clusters" / "moves" / "reassign.json";
  }
  void write_record(const std::string& what, long long throttle) {
    fs::create_directories(record().parent_path());
    std::ofstream(record()) << nlohmann::json{{"what", what},
                                              {"throttle", throttle},
                                              {"moves",
                                               moves_to_json({{"t", 0, {1, 2}, {2, 3}, 100},
                                                              {"t", 1, {1, 3}, {3, 2}, 50}})}}
                                   .dump();
  }

  testing::TempDir home_{"zkctl-reassign"};
  std::vector<inventory::KafkaNode> nodes_;
  inventory::Cluster cluster_;
  Options options_;
  runner::NullProgress progress_;
};

TEST_F(ReassignTest, AnInterruptedRunOfTheSameRequestIsResumedFromItsRecord) {
  write_record("drain broker 1", 1234567);
  Context ctx(cluster_, options_, progress_);
  auto p = plan_moves(ctx, {MoveKind::drain, 1, {}, 0});
  ASSERT_TRUE(p) << p.error().message;  // no broker asked: the record is the plan
  EXPECT_TRUE(p->resumed);
  EXPECT_EQ(p->what, "drain broker 1");
  EXPECT_EQ(p->recorded_moves, 2);
  ASSERT_EQ(p->plan.moves.size(), 2u);
  EXPECT_EQ(p->plan.moves[1].to, (std::vector<int>{3, 2}));
  EXPECT_EQ(p->throttle, 1234567);  // the recorded throttle, unless --throttle says otherwise
  auto q = plan_moves(ctx, {MoveKind::drain, 1, {}, 999999});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->throttle, 999999);
  EXPECT_NE(planned_text(*p).find("(resuming the recorded reassignment)"), std::string::npos);
}

TEST_F(ReassignTest, ARecordOfAnotherRequestIsRefusedByName) {
  write_record("drain broker 2", 1000);
  Context ctx(cluster_, options_, progress_);
  auto p = plan_moves(ctx, {MoveKind::rebalance, -1, {}, 0});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message,
            "a reassignment zkctl started (drain broker 2) is unfinished; finish it first "
            "(zkctl drain 2)");
  write_record("rebalance", 1000);
  p = plan_moves(ctx, {MoveKind::drain, 3, {}, 0});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("(zkctl rebalance)"), std::string::npos);
}

TEST_F(ReassignTest, WithoutARecordTheClusterIsAskedAndItsThrottleIsTheInventorys) {
  cluster_.kafka->reassign_throttle = 777777;
  Context ctx(cluster_, options_, progress_);
  auto p = plan_moves(ctx, {MoveKind::drain, 1, {}, 0});
  ASSERT_FALSE(p);  // nothing listens
  EXPECT_EQ(p.error().message.rfind("metadata: ", 0), 0u) << p.error().message;
}

TEST_F(ReassignTest, RefusalsStopBeforeAnythingIsRecordedOrAsked) {
  Context ctx(cluster_, options_, progress_);
  PlannedMoves planned;
  planned.what = "drain broker 1";
  planned.plan.moves = {{"t", 0, {1, 2}, {2, 3}, 1}};
  planned.plan.refusals = {
      "topic big has replication factor 3 (big-0), but only 2 broker(s) "
      "would remain"};
  MoveOutcome out = run_moves(ctx, planned, "moves", "drain");
  EXPECT_EQ(out.kind, MoveOutcome::Kind::refused);
  EXPECT_EQ(out.message,
            "drain broker 1 refused: topic big has replication factor 3 (big-0), but only 2 "
            "broker(s) would remain");
  EXPECT_FALSE(fs::exists(record()));
}

TEST_F(ReassignTest, AnUnreadableClusterFailsTheRunRatherThanRefusingIt) {
  Context ctx(cluster_, options_, progress_);
  PlannedMoves planned;
  planned.what = "rebalance";
  planned.plan.moves = {{"t", 0, {1, 2}, {2, 3}, 1}};
  MoveOutcome out = run_moves(ctx, planned, "moves", "rebalance");
  EXPECT_EQ(out.kind, MoveOutcome::Kind::failed);
  EXPECT_FALSE(fs::exists(record()));
}

TEST_F(ReassignTest, NothingToMoveIsDoneAndClearsADoneRecord) {
  write_record("drain broker 1", 1000);
  Context ctx(cluster_, options_, progress_);
  PlannedMoves planned;
  planned.what = "drain broker 1";
  MoveOutcome out = run_moves(ctx, planned, "moves", "drain");
  EXPECT_EQ(out.kind, MoveOutcome::Kind::done);
  EXPECT_EQ(out.message, "drain broker 1: nothing to move");
  EXPECT_FALSE(fs::exists(record()));
}

TEST_F(ReassignTest, TheDryRunJsonListsEveryMove) {
  PlannedMoves planned;
  planned.what = "drain broker 1";
  planned.throttle = 5000;
  planned.plan.moves = {{"t", 0, {1, 2}, {2, 3}, 100}, {"t", 1, {1, 3}, {3, 2}, -1}};
  auto j = nlohmann::json::parse(planned_json(planned));
  EXPECT_EQ(j["what"], "drain broker 1");
  EXPECT_EQ(j["partitions"], 2);
  EXPECT_EQ(j["bytes"], 100);  // unknown sizes count as 0
  EXPECT_EQ(j["throttle"], 5000);
  EXPECT_EQ(j["moves"][0]["to"], nlohmann::json({2, 3}));
  EXPECT_TRUE(j["refusals"].empty());
}

}  // namespace
}  // namespace zkctl::ops
