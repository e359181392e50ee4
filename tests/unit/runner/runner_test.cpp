#include "runner/runner.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "runner/interrupt.hpp"
#include "support/recording_progress.hpp"

using namespace zkctl;
using runner::StepOutcome;

namespace {
runner::Step ok_step(std::string name, std::atomic<int>& counter) {
  return {std::move(name), [&counter]() -> util::Result<StepOutcome> {
            ++counter;
            return StepOutcome::done;
          }};
}
}  // namespace

TEST(Runner, RunsEveryHostsStepsInOrder) {
  zkctl::testing::RecordingProgress progress;
  runner::Runner runner(progress, 4);
  std::mutex mu;
  std::vector<std::string> order_a;
  auto step = [&](std::string name) {
    return runner::Step{name, [&, name]() -> util::Result<StepOutcome> {
                          std::lock_guard l(mu);
                          order_a.push_back(name);
                          return StepOutcome::done;
                        }};
  };
  runner::Stage stage{"s", {{"a", {step("one"), step("two"), step("three")}}}};
  auto r = runner.run({stage});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(order_a, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(Runner, StopsAfterTheFirstFailedStageButFinishesItsOtherJobs) {
  zkctl::testing::RecordingProgress progress;
  runner::Runner runner(progress, 4);
  std::atomic<int> ran{0};
  runner::Step fail{"boom", []() -> util::Result<StepOutcome> { return util::fail("disk full"); }};
  runner::Stage first{"first", {{"a", {fail, ok_step("after", ran)}}, {"b", {ok_step("x", ran)}}}};
  runner::Stage second{"second", {{"a", {ok_step("never", ran)}}}};
  auto r = runner.run({first, second});
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.stages.size(), 1u);
  EXPECT_EQ(r.stages[0].hosts[0].failed_step, "boom");
  EXPECT_EQ(r.stages[0].hosts[0].error, "disk full");
  EXPECT_TRUE(r.stages[0].hosts[1].ok());
  EXPECT_EQ(ran.load(), 1);  // only host b's step; a's later step and stage two never ran
}

TEST(Runner, RespectsTheParallelBound) {
  zkctl::testing::RecordingProgress progress;
  runner::Runner runner(progress, 2);
  std::atomic<int> running{0}, peak{0};
  runner::Stage stage{"s", {}};
  for (int i = 0; i < 6; ++i) {
    stage.jobs.push_back(
        {"h" + std::to_string(i), {{"work", [&]() -> util::Result<StepOutcome> {
                                      int now = ++running;
                                      int p = peak.load();
                                      while (now > p && !peak.compare_exchange_weak(p, now)) {
                                      }
                                      std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                      --running;
                                      return StepOutcome::done;
                                    }}}});
  }
  EXPECT_TRUE(runner.run({stage}).ok());
  EXPECT_LE(peak.load(), 2);
  EXPECT_GE(peak.load(), 1);
}

TEST(Runner, ReportsSkippedAndFailedEvents) {
  zkctl::testing::RecordingProgress progress;
  runner::Runner runner(progress, 1);
  runner::Stage stage{
      "s",
      {{"a",
        {{"same", []() -> util::Result<StepOutcome> { return StepOutcome::skipped; }},
         {"bad", []() -> util::Result<StepOutcome> { return util::fail("no"); }}}}}};
  (void)runner.run({stage});
  bool skipped = false, failed = false;
  for (const auto& e : progress.events) {
    skipped |= e.step == "same" && e.kind == runner::EventKind::skipped;
    failed |= e.step == "bad" && e.kind == runner::EventKind::failed && e.detail == "no";
  }
  EXPECT_TRUE(skipped);
  EXPECT_TRUE(failed);
}

TEST(ParallelFor, VisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> seen(100);
  runner::parallel_for(100, 8, [&](std::size_t i) { ++seen[i]; });
  for (auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(ParallelFor, AnExceptionInAWorkerReachesTheCaller) {
  std::atomic<int> ran{0};
  EXPECT_THROW(runner::parallel_for(8, 4,
                                    [&](std::size_t i) {
                                      ++ran;
                                      if (i == 3) throw std::invalid_argument("stoi");
                                    }),
               std::invalid_argument);
  EXPECT_GE(ran.load(), 4);
}

TEST(ParallelFor, AnExceptionWithOneWorkerReachesTheCaller) {
  EXPECT_THROW(runner::parallel_for(3, 1, [](std::size_t) { throw std::runtime_error("x"); }),
               std::runtime_error);
}

TEST(Runner, AStepThatThrowsFailsThatHostOnly) {
  zkctl::testing::RecordingProgress progress;
  runner::Runner runner(progress, 4);
  std::atomic<int> counter{0};
  runner::Stage stage{"s", {}};
  stage.jobs.push_back({"a", {{"parse", []() -> util::Result<StepOutcome> {
                                 (void)std::stoi("not a number");
                                 return StepOutcome::done;
                               }}}});
  stage.jobs.push_back({"b", {ok_step("x", counter)}});
  auto r = runner.run_stage(stage);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.hosts[0].failed_step, "parse");
  EXPECT_NE(r.hosts[0].error.find("unexpected error: stoi"), std::string::npos) << r.hosts[0].error;
  EXPECT_TRUE(r.hosts[1].ok());
  EXPECT_EQ(counter.load(), 1);
}

// SIGINT/SIGTERM ask to stop: the step in flight finishes, no further step or stage starts.
TEST(Runner, AStopRequestedDuringAStepLetsItFinishAndStartsNothingMore) {
  zkctl::testing::RecordingProgress progress;
  runner::Runner runner(progress, 1);
  std::atomic<int> finished{0};
  std::atomic<int> later{0};
  runner::Step slow{"write config", [&]() -> util::Result<StepOutcome> {
                      runner::request_stop(SIGINT);  // arrives mid-step
                      std::this_thread::sleep_for(std::chrono::milliseconds(50));
                      ++finished;
                      return StepOutcome::done;
                    }};
  std::vector<runner::Stage> stages = {
      {"install", {{"h1", {slow, ok_step("start", later)}}, {"h2", {ok_step("upload", later)}}}},
      {"restart", {{"h1", {ok_step("restart", later)}}}}};
  auto result = runner.run(stages);
  runner::clear_stop();
  EXPECT_EQ(finished.load(), 1);  // not cut short
  EXPECT_EQ(later.load(), 0);     // nothing after it started
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.stages.size(), 1u);
  EXPECT_EQ(result.stages[0].hosts[0].failed_step, "start");
  EXPECT_EQ(result.stages[0].hosts[0].error, runner::kStepInterrupted);
  EXPECT_EQ(result.stages[0].hosts[1].error, runner::kStepInterrupted);
}

TEST(Runner, StopOnSignalsTurnsSigtermIntoAStopRequest) {
  runner::clear_stop();
  {
    runner::StopOnSignals guard;
    ::raise(SIGTERM);  // would end the test process without the guard
    EXPECT_TRUE(runner::stop_requested());
    EXPECT_EQ(runner::stop_signal(), SIGTERM);
  }
  runner::clear_stop();
}
