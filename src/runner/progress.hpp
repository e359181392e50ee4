#pragma once
// Progress reporting: steps emit events, a Progress prints them. Thread-safe:
// workers for different hosts report concurrently.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "util/color.hpp"

namespace zkctl::runner {

// tick: live progress for a terminal only (waiting, with elapsed time); line printers drop it.
enum class EventKind { started, progress, tick, done, skipped, failed };

struct Event {
  std::string host;  // "" for cluster-wide events
  std::string step;  // e.g. "upload", "start"
  EventKind kind = EventKind::progress;
  std::string detail;  // free text: "2.1/2.2 MiB", the error, ...
};

class Progress {
 public:
  virtual ~Progress() = default;
  virtual void report(const Event& event) = 0;
};

// One plain line per event on `out` ("[node1] upload: done (0.4s) 2.2 MiB"), secrets
// masked. Per-byte progress events are printed at most every `min_interval`; ticks never.
class LineProgress : public Progress {
 public:
  explicit LineProgress(std::FILE* out,
                        std::chrono::milliseconds min_interval = std::chrono::milliseconds(1000),
                        util::Color color = util::Color::off);
  void report(const Event& event) override;

 private:
  std::FILE* out_;
  util::Color color_;
  std::chrono::milliseconds min_interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_progress_{};
};

// Discards every event (for --json and tests).
class NullProgress : public Progress {
 public:
  void report(const Event&) override {}
};

}  // namespace zkctl::runner
