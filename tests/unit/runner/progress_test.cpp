#include "runner/progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "runner/terminal_progress.hpp"
#include "util/color.hpp"
#include "util/redact.hpp"

namespace zkctl::runner {
namespace {

// Captures what a printer writes into a string.
class Capture {
 public:
  Capture() : f_(open_memstream(&buf_, &size_)) {}
  ~Capture() {
    std::fclose(f_);
    std::free(buf_);
  }
  std::FILE* file() { return f_; }
  std::string text() {
    std::fflush(f_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* f_;
};

TEST(LineProgress, PlainLinesNoTicksNoColour) {
  Capture c;
  LineProgress p(c.file(), std::chrono::milliseconds(0));
  p.report({"node1", "upload", EventKind::started, ""});
  p.report({"node1", "waiting for role", EventKind::tick, "to serve as voter"});
  p.report({"node1", "upload", EventKind::progress, "1.0/2.0 MiB"});
  p.report({"node1", "upload", EventKind::done, "2.0 MiB"});
  p.report({"node2", "start", EventKind::failed, "exit 1"});
  EXPECT_EQ(c.text(),
            "[node1] upload: ...\n"
            "[node1] upload: 1.0/2.0 MiB\n"
            "[node1] upload: ok 2.0 MiB\n"
            "[node2] start: FAILED exit 1\n");
}

TEST(LineProgress, ColourOnlyWhenAsked) {
  Capture c;
  LineProgress p(c.file(), std::chrono::milliseconds(0), util::Color::on);
  p.report({"node1", "start", EventKind::done, ""});
  const std::string t = c.text();
  EXPECT_NE(t.find("\033["), std::string::npos);
  EXPECT_EQ(util::strip_ansi(t), "[node1] start: ok\n");
}

TEST(LineProgress, MasksSecrets) {
  util::global_redactor().add_secret("progress-secret-123");
  Capture c;
  LineProgress p(c.file(), std::chrono::milliseconds(0));
  p.report({"node1", "write", EventKind::failed, "bad value progress-secret-123"});
  EXPECT_EQ(c.text(), "[node1] write: FAILED bad value <redacted>\n");
}

TEST(TerminalProgress, LiveLinesAreRedrawnAndFinishedOnesStay) {
  Capture c;
  {
    TerminalProgress p(c.file(), util::Color::off, 80);
    p.report({"node1", "upload", EventKind::progress, "1.0/2.0 MiB"});
    p.report({"node2", "waiting for role", EventKind::tick, "to serve as voter"});
    p.report({"node1", "upload", EventKind::done, "2.0 MiB"});
  }
  const std::string t = c.text();
  // Finished steps print once, as a line printer would print them.
  EXPECT_NE(t.find("[node1] upload: ok 2.0 MiB\n"), std::string::npos);
  // Live lines were shown, then erased (cursor up + clear) before the next drawing.
  EXPECT_NE(t.find("[node1] upload: 1.0/2.0 MiB"), std::string::npos);
  EXPECT_NE(t.find("[node2] waiting for role: to serve as voter"), std::string::npos);
  EXPECT_NE(t.find("\033[2F\033[J"), std::string::npos);
  // At the end (destructor) nothing live is left on screen: the text ends with an erase.
  EXPECT_EQ(t.substr(t.size() - 7), "\033[1F\033[J");
}

TEST(TerminalProgress, LongLiveLinesAreCutToTheWidth) {
  Capture c;
  TerminalProgress p(c.file(), util::Color::off, 20);
  p.report({"node1", "upload", EventKind::progress, std::string(100, 'x')});
  const std::string t = c.text();
  EXPECT_EQ(t.find(std::string(30, 'x')), std::string::npos);
  EXPECT_NE(t.find('~'), std::string::npos);
}

}  // namespace
}  // namespace zkctl::runner
