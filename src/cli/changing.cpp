#include "cli/changing.hpp"

#include <cstdio>

#include "cli/exit_codes.hpp"
#include "ops/cluster/lock.hpp"

namespace zkctl::cli {

int run_changing(const GlobalOptions& g, ops::Context& ctx,
                 const std::function<int(ops::AuditRecord&)>& body) {
  ops::AuditRecord record;
  record.cluster = ctx.cluster().name;
  record.command = g.command_line;
  auto lock = ops::ClusterLock::acquire(ctx, g.command_line, g.lock_ttl);
  int code;
  if (!lock) {
    std::fprintf(stderr, "zkctl: %s\n", lock.error().message.c_str());
    record.summary = "refused: " + lock.error().message;
    code = kLocked;
  } else {
    code = body(record);
    lock->release();
  }
  record.exit_code = code;
  if (auto err = ops::append_audit(record); !err.empty()) {
    std::fprintf(stderr, "zkctl: warning: audit log: %s\n", err.c_str());
  }
  return code;
}

}  // namespace zkctl::cli
