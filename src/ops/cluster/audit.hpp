#pragma once
// The record of changing commands: JSON objects, one per line, appended to
// $ZKCTL_HOME/audit.log. Each command writes an intent record before it acts (so a
// crash still leaves a trace) and an outcome record after, sharing one `id`; both say
// when, who (the OS user, not $USER), from where and the command; the outcome adds the
// exit code, how it ended, the summary and each host's result.

#include <string>
#include <vector>

namespace zkctl::ops {

struct AuditHostResult {
  std::string host;
  std::string result;  // "ok", "unchanged", or the error
};

// Which record of a command.
enum class AuditPhase { intent, outcome };

struct AuditRecord {
  std::string cluster;
  std::string command;  // the command line as given
  int exit_code = 0;
  std::string summary;  // one line
  std::vector<AuditHostResult> hosts;
  std::string id;       // pairs intent and outcome; empty: append_audit makes one
  std::string outcome;  // "ok", "failed", "refused", "locked", "interrupted"; empty: from
                        // exit_code (0 "ok", else "failed")
  std::string lock;     // "requested" (intent), "held", "refused", "not taken (--no-lock)";
                        // empty: not written
};

// Append `record` as its `phase` with the time, user, machine and pid added (and an id
// made when `record.id` is empty, kept in it for the outcome); never throws, and a
// failure to write is returned as a message (empty on success).
std::string append_audit(AuditRecord& record, AuditPhase phase = AuditPhase::outcome);

// Path of the audit log.
std::string audit_log_path();

// The name of the user this process runs as, from the OS (getpwuid(geteuid())), never
// from the environment; the uid as text when it has no name.
std::string os_user();

}  // namespace zkctl::ops
