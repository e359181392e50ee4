#pragma once
// Every command that changes a cluster runs through run_changing: it takes the
// cluster lock (refusing, exit 6, while another operation holds it), runs the
// command, releases the lock and appends the audit record.

#include <functional>

#include "cli/commands.hpp"
#include "ops/cluster/audit.hpp"
#include "ops/context.hpp"

namespace zkctl::cli {

// `body` fills the audit record's summary and per-host results and returns the exit code.
int run_changing(const GlobalOptions& g, ops::Context& ctx,
                 const std::function<int(ops::AuditRecord&)>& body);

}  // namespace zkctl::cli
