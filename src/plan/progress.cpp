#include "plan/progress.hpp"

namespace zkctl::plan {

LineProgress::LineProgress(std::FILE* out, std::chrono::milliseconds min_interval)
    : out_(out), min_interval_(min_interval) {}

void LineProgress::report(const Event& event) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (event.kind == EventKind::progress) {
    if (now - last_progress_ < min_interval_) return;
    last_progress_ = now;
  }
  const char* word = "";
  switch (event.kind) {
    case EventKind::started:
      word = "...";
      break;
    case EventKind::progress:
      word = "";
      break;
    case EventKind::done:
      word = "ok";
      break;
    case EventKind::skipped:
      word = "unchanged";
      break;
    case EventKind::failed:
      word = "FAILED";
      break;
  }
  std::string line;
  if (!event.host.empty()) line += "[" + event.host + "] ";
  line += event.step;
  if (*word) line += std::string(": ") + word;
  if (!event.detail.empty()) line += (*word ? " " : ": ") + event.detail;
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace zkctl::plan
