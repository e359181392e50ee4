#include "cli/redacting_stdio.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>

#include "util/redact.hpp"

namespace zkctl::cli {

namespace {

// One redacted file descriptor: the stream holding its partial line.
struct Sink {
  explicit Sink(int fd) : fd(fd), stream(util::global_redactor()) {}
  int fd;
  std::mutex mu;
  util::RedactingStream stream;
  bool exiting = false;  // after exit began: every write is flushed at once
};

// Never destroyed: the streams are written while the process exits.
Sink& out_sink() {
  static auto* sink = new Sink(STDOUT_FILENO);
  return *sink;
}
Sink& err_sink() {
  static auto* sink = new Sink(STDERR_FILENO);
  return *sink;
}

void write_all(int fd, const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to write: the text is dropped, never leaked
    off += static_cast<std::size_t>(n);
  }
}

ssize_t write_redacted(void* cookie, const char* buf, size_t size) {
  Sink& sink = *static_cast<Sink*>(cookie);
  std::lock_guard lock(sink.mu);
  std::string text = sink.stream.write(std::string_view(buf, size));
  if (sink.exiting) text += sink.stream.flush();
  write_all(sink.fd, text);
  return static_cast<ssize_t>(size);  // the caller's bytes are consumed, masked or not
}

std::FILE* open_redacting(Sink& sink) {
  cookie_io_functions_t io{};
  io.write = write_redacted;
  std::FILE* f = fopencookie(&sink, "w", io);
  if (f != nullptr) std::setvbuf(f, nullptr, _IOLBF, BUFSIZ);
  return f;
}

enum class Ending { running, exiting };

// Pass what stdio buffers on, then the partial lines; with `exiting`, later writes are
// flushed at once. `take` locks a sink; a sink it cannot take is skipped.
void flush_sinks(Ending ending, bool (*take)(std::mutex&)) {
  std::fflush(stdout);
  std::fflush(stderr);
  for (Sink* sink : {&out_sink(), &err_sink()}) {
    if (!take(sink->mu)) continue;
    std::lock_guard lock(sink->mu, std::adopt_lock);
    write_all(sink->fd, sink->stream.flush());
    if (ending == Ending::exiting) sink->exiting = true;
  }
}

bool lock(std::mutex& mu) {
  mu.lock();
  return true;
}
bool try_lock(std::mutex& mu) {
  return mu.try_lock();
}

std::terminate_handler previous_terminate = nullptr;

}  // namespace

void redact_stdio() {
  static bool done = false;
  if (done) return;
  done = true;
  std::fflush(stdout);
  std::fflush(stderr);
  if (std::FILE* out = open_redacting(out_sink())) stdout = out;
  if (std::FILE* err = open_redacting(err_sink())) stderr = err;
  std::atexit([] { flush_sinks(Ending::exiting, lock); });
  previous_terminate = std::set_terminate([] {
    flush_sinks(Ending::exiting, try_lock);  // the dying thread may hold a sink
    if (previous_terminate != nullptr) previous_terminate();
    std::abort();
  });
}

void flush_redacted_stdio() {
  flush_sinks(Ending::running, lock);
}

}  // namespace zkctl::cli
