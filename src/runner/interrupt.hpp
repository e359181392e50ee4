#pragma once
// A request to stop, set by a SIGINT/SIGTERM handler and checked between steps: the
// runner starts no further step (the one in flight finishes), rolling loops stop before
// their next node. Nothing is killed mid-write.

namespace zkctl::runner {

// Ask every runner and loop to stop before its next step; `signal_number` (e.g. SIGINT)
// is remembered. Async-signal-safe.
void request_stop(int signal_number);

// True once request_stop was called (until clear_stop).
bool stop_requested();

// The signal that asked to stop; 0 when none did.
int stop_signal();

// Forget a stop request (a new command in the same process; tests).
void clear_stop();

// While alive, SIGINT and SIGTERM call request_stop (and say so on stderr) instead of
// ending the process; a second signal ends it as before. The previous handlers come
// back when it goes.
class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;
};

}  // namespace zkctl::runner
