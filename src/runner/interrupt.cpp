#include "runner/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace zkctl::runner {

namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_stop{false};

struct sigaction g_old_int {};
struct sigaction g_old_term {};

constexpr char kNotice[] =
    "\nzkctl: interrupted: finishing the step in flight, then releasing the lock "
    "(again to abandon it)\n";

void on_signal(int sig) {
  if (g_stop.load()) {
    // A second signal: end the process as the signal would have without us.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  request_stop(sig);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, kNotice, sizeof kNotice - 1);
}

}  // namespace

void request_stop(int signal_number) {
  g_signal.store(signal_number);
  g_stop.store(true);
}

bool stop_requested() {
  return g_stop.load();
}

int stop_signal() {
  return g_signal.load();
}

void clear_stop() {
  g_stop.store(false);
  g_signal.store(0);
}

StopOnSignals::StopOnSignals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

StopOnSignals::~StopOnSignals() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
}

}  // namespace zkctl::runner
