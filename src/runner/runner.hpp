#pragma once
// A Plan is ordered stages; a stage is one job per host, run concurrently (at
// most `parallel` at once); a job is that host's steps, run in order. The
// runner knows nothing of ZooKeeper: steps are closures built by ops/.

#include <functional>
#include <string>
#include <vector>

#include "runner/progress.hpp"
#include "util/result.hpp"

namespace zkctl::runner {

// One step on one host. `run` reports its own progress events if it wants
// byte counts; the runner reports started/done/failed around it. A step that
// returns `skipped` changed nothing.
enum class StepOutcome { done, skipped };
struct Step {
  std::string name;
  std::function<util::Result<StepOutcome>()> run;
};

struct HostJob {
  std::string host;
  std::vector<Step> steps;
};

struct Stage {
  std::string name;
  std::vector<HostJob> jobs;
  // Most jobs running at once; 0 = the runner's default (--parallel).
  int parallel = 0;
};

struct HostResult {
  std::string host;
  std::string failed_step;  // empty when every step succeeded
  std::string error;
  bool ok() const { return failed_step.empty(); }
};

struct StageResult {
  std::string name;
  std::vector<HostResult> hosts;  // in job order
  bool ok() const;
};

struct PlanResult {
  std::vector<StageResult> stages;  // the stages that ran; the last failed if !ok()
  bool ok() const;
};

// The error of a step not started because a stop was requested (runner/interrupt.hpp).
inline constexpr const char* kStepInterrupted = "not started: interrupted";

class Runner {
 public:
  // `parallel`: default bound on concurrent jobs per stage (>= 1).
  Runner(Progress& progress, int parallel);

  // A step that throws fails with "unexpected error: <what>" like a failed step.
  // Run stages in order; stop after the first stage with a failed job (its
  // other jobs still finish, so no host is left mid-step). Once a stop is requested
  // (runner/interrupt.hpp) no further step starts: each fails with kStepInterrupted.
  PlanResult run(const std::vector<Stage>& stages);

  // Run one stage.
  StageResult run_stage(const Stage& stage);

 private:
  Progress& progress_;
  int parallel_;
};

// Call `fn(i)` for i in [0, n) on up to `parallel` threads; returns when all are done.
// An exception from `fn` stops that worker's remaining indices and is rethrown (the
// first one) after every worker has finished, so it reaches the caller's handler.
void parallel_for(std::size_t n, int parallel, const std::function<void(std::size_t)>& fn);

}  // namespace zkctl::runner
