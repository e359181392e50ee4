#include "runner/terminal_progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "util/redact.hpp"
#include "util/table.hpp"

namespace zkctl::runner {

namespace {

// `text` cut to at most `width` display columns (UTF-8 aware, colour codes kept out).
std::string cut(const std::string& text, int width) {
  if (width <= 0 || util::display_width(text) <= static_cast<std::size_t>(width)) return text;
  std::string out;
  std::size_t cols = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (cols + 1 >= static_cast<std::size_t>(width)) break;
      ++cols;
    }
    out += text[i];
  }
  return out + "~";
}

}  // namespace

std::string progress_line(const Event& event, util::Color color) {
  std::string word;
  switch (event.kind) {
    case EventKind::started:
      word = "...";
      break;
    case EventKind::progress:
    case EventKind::tick:
      break;
    case EventKind::done:
      word = util::paint("ok", util::Paint::green, color);
      break;
    case EventKind::skipped:
      word = util::paint("unchanged", util::Paint::dim, color);
      break;
    case EventKind::failed:
      word = util::paint("FAILED", util::Paint::red, color);
      break;
  }
  std::string line;
  if (!event.host.empty()) line += "[" + event.host + "] ";
  line += event.step;
  if (!word.empty()) line += ": " + word;
  if (!event.detail.empty()) line += (!word.empty() ? " " : ": ") + event.detail;
  return util::redact(line);
}

TerminalProgress::TerminalProgress(std::FILE* out, util::Color color, int width)
    : out_(out), color_(color), width_(width) {
  if (width_ <= 0) {
    winsize ws{};
    width_ = ::ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  }
}

TerminalProgress::~TerminalProgress() {
  std::lock_guard lock(mu_);
  erase_live();
  std::fflush(out_);
}

void TerminalProgress::erase_live() {
  if (drawn_ > 0) std::fprintf(out_, "\033[%dF\033[J", drawn_);
  drawn_ = 0;
}

void TerminalProgress::draw_live() {
  const auto now = std::chrono::steady_clock::now();
  for (const Live& l : live_) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - l.since).count();
    std::string line = l.text + (secs >= 1 ? " (" + std::to_string(secs) + "s)" : "");
    std::fprintf(out_, "%s\n", cut(line, width_ - 1).c_str());
    ++drawn_;
  }
}

void TerminalProgress::report(const Event& event) {
  std::lock_guard lock(mu_);
  erase_live();
  auto it =
      std::find_if(live_.begin(), live_.end(), [&](const Live& l) { return l.host == event.host; });
  const bool live_kind = event.kind == EventKind::started || event.kind == EventKind::progress ||
                         event.kind == EventKind::tick;
  if (live_kind && !event.host.empty()) {
    const std::string text = progress_line(event, util::Color::off);
    if (it == live_.end()) {
      live_.push_back({event.host, text, std::chrono::steady_clock::now()});
    } else {
      // A new step restarts the clock; progress within a step keeps it.
      if (event.kind == EventKind::started ||
          it->text.rfind("[" + event.host + "] " + event.step, 0) != 0)
        it->since = std::chrono::steady_clock::now();
      it->text = text;
    }
  } else {
    if (it != live_.end() && !event.host.empty()) live_.erase(it);
    if (event.kind != EventKind::tick)
      std::fprintf(out_, "%s\n", progress_line(event, color_).c_str());
  }
  draw_live();
  std::fflush(out_);
}

}  // namespace zkctl::runner
