#include "cli/changing.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "cli/exit_codes.hpp"
#include "ops/cluster/lock.hpp"
#include "runner/interrupt.hpp"

namespace zkctl::cli {

namespace {

void append(ops::AuditRecord& record, ops::AuditPhase phase) {
  if (auto err = ops::append_audit(record, phase); !err.empty()) {
    std::fprintf(stderr, "zkctl: warning: audit log: %s\n", err.c_str());
  }
}

const char* signal_name(int sig) {
  return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "a signal";
}

// The body under the lock (unless --no-lock); kLocked when the lock is refused.
int locked_body(const GlobalOptions& g, ops::Context& ctx, ops::AuditRecord& record,
                const std::function<int(ops::AuditRecord&)>& body,
                const std::vector<const inventory::Node*>& also) {
  ops::ClusterLock lock;
  if (!g.no_lock) {
    ops::LockOptions options;
    options.ttl = g.lock_ttl;
    options.also = also;
    auto taken = ops::ClusterLock::acquire(ctx, g.command_line, options);
    if (!taken) {
      const std::string& why = taken.error().message;
      for (std::size_t at = 0; at <= why.size();) {  // one "zkctl: " line per line
        const std::size_t nl = std::min(why.find('\n', at), why.size());
        std::fprintf(stderr, "zkctl: %s\n", why.substr(at, nl - at).c_str());
        at = nl + 1;
      }
      record.summary = "refused: " + taken.error().message;
      record.lock = "refused";
      record.outcome = "locked";
      return kLocked;
    }
    lock = std::move(*taken);
    record.lock = "held";
  }
  if (runner::stop_requested()) return kInterrupted;  // nothing started: lock released below
  try {
    return body(record);
  } catch (const std::exception& e) {
    record.summary = std::string("internal error: ") + e.what();
    record.exit_code = kFailed;
    lock.release();
    append(record, ops::AuditPhase::outcome);
    throw;
  }
}

}  // namespace

int run_changing(const GlobalOptions& g, ops::Context& ctx,
                 const std::function<int(ops::AuditRecord&)>& body,
                 const std::vector<const inventory::Node*>& also) {
  runner::clear_stop();
  runner::StopOnSignals stop_on_signals;  // from here a signal stops between steps
  ops::AuditRecord record;
  record.cluster = ctx.cluster().name;
  record.command = g.command_line;
  record.lock = g.no_lock ? "not taken (--no-lock)" : "requested";
  append(record, ops::AuditPhase::intent);  // before anything is done: a crash leaves it
  int code = locked_body(g, ctx, record, body, also);
  if (runner::stop_requested()) {
    const char* sig = signal_name(runner::stop_signal());
    std::fprintf(stderr,
                 "zkctl: interrupted by %s: the step in flight finished, no further step "
                 "started%s; re-running is safe\n",
                 sig, g.no_lock || code == kLocked ? "" : ", the lock is released");
    record.summary = std::string("interrupted by ") + sig +
                     (record.summary.empty() ? "" : ": " + record.summary);
    record.outcome = "interrupted";
    code = kInterrupted;
  }
  record.exit_code = code;
  append(record, ops::AuditPhase::outcome);
  return code;
}

}  // namespace zkctl::cli
