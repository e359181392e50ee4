#pragma once
// A Progress that keeps every event it is given, for tests that check what a step reported.

#include <mutex>
#include <vector>

#include "runner/progress.hpp"

namespace zkctl::testing {

class RecordingProgress : public runner::Progress {
 public:
  void report(const runner::Event& e) override {
    std::lock_guard lock(mu);
    events.push_back(e);
  }
  std::mutex mu;  // guards `events` while steps report from their threads
  std::vector<runner::Event> events;
};

}  // namespace zkctl::testing
