#pragma once
// Every command that changes a cluster (and exec) runs through run_changing: it writes
// the audit intent record, takes the cluster lock (refusing, exit 6, while another
// operation holds it or a host cannot be locked; not with --no-lock), runs the command
// with SIGINT/SIGTERM turned into a stop between steps, releases the lock and appends the
// audit outcome (`interrupted`, exit 130, after a signal).

#include <functional>

#include "cli/commands.hpp"
#include "ops/cluster/audit.hpp"
#include "ops/context.hpp"

namespace zkctl::cli {

// `body` fills the audit record's summary and per-host results and returns the exit code.
// `also`: nodes outside the inventory whose hosts are locked too (those a deploy takes out).
int run_changing(const GlobalOptions& g, ops::Context& ctx,
                 const std::function<int(ops::AuditRecord&)>& body,
                 const std::vector<const inventory::Node*>& also = {});

}  // namespace zkctl::cli
