#pragma once
// The record of changing commands: one JSON object per line appended to
// $ZKCTL_HOME/audit.log (when, who, from where, the command, the outcome and
// each host's result).

#include <string>
#include <vector>

namespace zkctl::ops {

struct AuditHostResult {
  std::string host;
  std::string result;  // "ok", "unchanged", or the error
};

struct AuditRecord {
  std::string cluster;
  std::string command;  // the command line as given
  int exit_code = 0;
  std::string summary;  // one line
  std::vector<AuditHostResult> hosts;
};

// Append `record` with the time, user and machine added; never throws, and a
// failure to write is returned as a message (empty on success).
std::string append_audit(const AuditRecord& record);

// Path of the audit log.
std::string audit_log_path();

}  // namespace zkctl::ops
