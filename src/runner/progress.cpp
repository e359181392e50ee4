#include "runner/progress.hpp"

#include "runner/terminal_progress.hpp"

namespace zkctl::runner {

LineProgress::LineProgress(std::FILE* out, std::chrono::milliseconds min_interval,
                           util::Color color)
    : out_(out), color_(color), min_interval_(min_interval) {}

void LineProgress::report(const Event& event) {
  if (event.kind == EventKind::tick) return;
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (event.kind == EventKind::progress) {
    if (now - last_progress_ < min_interval_) return;
    last_progress_ = now;
  }
  std::fprintf(out_, "%s\n", progress_line(event, color_).c_str());
  std::fflush(out_);
}

}  // namespace zkctl::runner
