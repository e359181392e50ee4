// stdout and stderr after redact_stdio: a secret cut across writes of any size (by fflush,
// by stdio's buffer, by the 64 KiB the first version redacted at a time) is masked, and a
// partial line reaches the terminal at a prompt, at exit and on std::terminate. Each case
// runs in a child process, since redact_stdio replaces the process's streams for good.

#include "cli/redacting_stdio.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "util/redact.hpp"

namespace zkctl::cli {
namespace {

struct Captured {
  int status = 0;
  std::string out;  // what reached fd 1
  std::string err;  // what reached fd 2
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Run `body` in a child whose fds 1 and 2 go to files, after redact_stdio and with the
// redactor knowing "PLANTED-known-value"; what it printed.
Captured run_child(
    const std::function<void()>& body, const std::function<void()>& before = [] {}) {
  char out_path[] = "/tmp/zkctl-redact-out-XXXXXX";
  char err_path[] = "/tmp/zkctl-redact-err-XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    before();
    util::global_redactor().add_secret("PLANTED-known-value");
    redact_stdio();
    body();
    std::exit(0);
  }
  Captured c;
  ::waitpid(pid, &c.status, 0);
  c.out = slurp(out_path);
  c.err = slurp(err_path);
  ::close(out_fd);
  ::close(err_fd);
  ::unlink(out_path);
  ::unlink(err_path);
  return c;
}

TEST(RedactingStdio, SecretCutByFlushesIsMasked) {
  auto c = run_child([] {
    for (const char* piece : {"ssl.key.pass", "word=PLANTED-1\nzkctl: login with PLANT",
                              "ED-known-val", "ue failed\n"}) {
      std::fputs(piece, stdout);
      std::fflush(stdout);
      std::fputs(piece, stderr);
    }
  });
  const std::string want = "ssl.key.password=<redacted>\nzkctl: login with <redacted> failed\n";
  EXPECT_EQ(c.out, want);
  EXPECT_EQ(c.err, want);
}

TEST(RedactingStdio, SecretAcrossTheOld64KiBBoundaryIsMasked) {
  auto c = run_child([] {
    for (std::size_t pad = 65500; pad < 65560; pad += 3) {
      std::printf("%s PLANTED-known-value password=PLANTED-2\n", std::string(pad, 'x').c_str());
    }
  });
  EXPECT_EQ(c.out.find("PLANTED"), std::string::npos);
  EXPECT_NE(c.out.find("x <redacted> password=<redacted>\n"), std::string::npos);
}

TEST(RedactingStdio, PromptIsShownAndItsLineStaysRedacted) {
  auto c = run_child([] {
    std::fputs("Type the cluster name to confirm: ", stderr);
    flush_redacted_stdio();
    // What the child wrote so far is on the file before it goes on.
    std::fputs(std::to_string(::lseek(STDERR_FILENO, 0, SEEK_CUR)).c_str(), stdout);
    std::fputs("\n", stdout);
  });
  EXPECT_EQ(c.err, "Type the cluster name to confirm: ");
  EXPECT_EQ(c.out, "34\n");
}

TEST(RedactingStdio, PartialLinesReachTheFileAtExit) {
  auto c = run_child([] { std::fputs("last words password=PLANTED-3", stdout); },
                     // Registered before redact_stdio, so it runs after its exit flush.
                     [] { std::atexit([] { std::fputs("late token=PLANTED-4", stderr); }); });
  EXPECT_EQ(c.out, "last words password=<redacted>");
  EXPECT_EQ(c.err, "late token=<redacted>");
}

TEST(RedactingStdio, PartialLineReachesTheFileOnTerminate) {
  auto c = run_child([] {
    std::fputs("dying with secret=PLANTED-5 and PLANTED-known-value", stderr);
    std::terminate();
  });
  EXPECT_TRUE(WIFSIGNALED(c.status));
  EXPECT_EQ(c.err.rfind("dying with secret=<redacted> and <redacted>", 0), 0u) << c.err;
  EXPECT_EQ(c.err.find("PLANTED"), std::string::npos);
}

}  // namespace
}  // namespace zkctl::cli
