#include "runner/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "runner/interrupt.hpp"

namespace zkctl::runner {

bool StageResult::ok() const {
  return std::all_of(hosts.begin(), hosts.end(), [](const HostResult& h) { return h.ok(); });
}

bool PlanResult::ok() const {
  return std::all_of(stages.begin(), stages.end(), [](const StageResult& s) { return s.ok(); });
}

void parallel_for(std::size_t n, int parallel, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, parallel)));
  if (workers == 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::exception_ptr first;  // the first exception any worker threw; rethrown after the join
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      try {
        for (std::size_t i = next++; i < n; i = next++) fn(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!first) first = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

Runner::Runner(Progress& progress, int parallel)
    : progress_(progress), parallel_(std::max(1, parallel)) {}

namespace {
std::string seconds_since(std::chrono::steady_clock::time_point t0) {
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "(%.1fs)", static_cast<double>(ms) / 1000.0);
  return buf;
}
// A step that throws (e.g. std::stoi on odd remote output) fails like any other step,
// naming the exception, instead of ending the process from a worker thread.
util::Result<StepOutcome> run_guarded(const Step& step) {
  try {
    return step.run();
  } catch (const std::exception& e) {
    return util::fail(std::string("unexpected error: ") + e.what());
  }
}
}  // namespace

StageResult Runner::run_stage(const Stage& stage) {
  StageResult result{stage.name, std::vector<HostResult>(stage.jobs.size())};
  int bound = stage.parallel > 0 ? std::min(stage.parallel, parallel_) : parallel_;
  parallel_for(stage.jobs.size(), bound, [&](std::size_t i) {
    const HostJob& job = stage.jobs[i];
    HostResult& hr = result.hosts[i];
    hr.host = job.host;
    for (const Step& step : job.steps) {
      if (stop_requested()) {  // between steps only: the one in flight has finished
        hr.failed_step = step.name;
        hr.error = kStepInterrupted;
        progress_.report({job.host, step.name, EventKind::failed, kStepInterrupted});
        return;
      }
      auto t0 = std::chrono::steady_clock::now();
      progress_.report({job.host, step.name, EventKind::started, ""});
      util::Result<StepOutcome> r = run_guarded(step);
      if (!r) {
        hr.failed_step = step.name;
        hr.error = r.error().message;
        progress_.report({job.host, step.name, EventKind::failed, r.error().message});
        return;
      }
      progress_.report({job.host, step.name,
                        *r == StepOutcome::skipped ? EventKind::skipped : EventKind::done,
                        seconds_since(t0)});
    }
  });
  return result;
}

PlanResult Runner::run(const std::vector<Stage>& stages) {
  PlanResult result;
  for (const Stage& stage : stages) {
    if (stop_requested()) {
      StageResult stopped{stage.name, {}};
      stopped.hosts.push_back({"", stage.name, kStepInterrupted});
      result.stages.push_back(std::move(stopped));
      break;
    }
    result.stages.push_back(run_stage(stage));
    if (!result.stages.back().ok()) break;
  }
  return result;
}

}  // namespace zkctl::runner
