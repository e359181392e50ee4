#include "cli/redacting_stdio.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "util/redact.hpp"

namespace zkctl::cli {

namespace {

constexpr std::size_t kLineBuffer = 1 << 16;

ssize_t write_redacted(void* cookie, const char* buf, size_t size) {
  const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(cookie));
  const std::string text = util::redact(std::string_view(buf, size));
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    off += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(size);  // the caller's bytes are consumed, masked or not
}

std::FILE* open_redacting(int fd) {
  cookie_io_functions_t io{};
  io.write = write_redacted;
  std::FILE* f = fopencookie(reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)), "w", io);
  if (f != nullptr) std::setvbuf(f, nullptr, _IOLBF, kLineBuffer);
  return f;
}

}  // namespace

void redact_stdio() {
  static bool done = false;
  if (done) return;
  done = true;
  std::fflush(stdout);
  std::fflush(stderr);
  if (std::FILE* out = open_redacting(STDOUT_FILENO)) stdout = out;
  if (std::FILE* err = open_redacting(STDERR_FILENO)) stderr = err;
}

}  // namespace zkctl::cli
