#pragma once
// Progress for a terminal: finished steps print as permanent lines (like LineProgress);
// below them, one live line per host with a step under way ("[node1] upload: 1.2/2.2 MiB",
// "[node3] wait for role: not serving yet, 4s"), redrawn in place as events arrive.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "runner/progress.hpp"
#include "util/color.hpp"

namespace zkctl::runner {

class TerminalProgress : public Progress {
 public:
  // `out` must be a terminal; `width` the columns live lines are cut to (0: ask the
  // terminal, else 80); `color` paints ok / FAILED.
  TerminalProgress(std::FILE* out, util::Color color, int width = 0);
  ~TerminalProgress() override;
  void report(const Event& event) override;

 private:
  struct Live {
    std::string host;
    std::string text;
    std::chrono::steady_clock::time_point since;
  };
  void erase_live();
  void draw_live();

  std::FILE* out_;
  util::Color color_;
  int width_;
  std::mutex mu_;
  std::vector<Live> live_;  // in order of first appearance
  int drawn_ = 0;           // live lines currently on screen
};

// The text of a permanent progress line for `event` (no newline), as LineProgress prints
// it: "[node1] upload: ok 2.2 MiB"; `color` paints the outcome word. Secrets masked.
std::string progress_line(const Event& event, util::Color color);

}  // namespace zkctl::runner
