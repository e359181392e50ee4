#pragma once
// `zkctl pki rotate --ca`: zkctl's own CA replaced under a running cluster without an outage,
// in three recorded phases (ca_files): trust-both (a new CA; every node, zkctl and the
// monitoring trust old + new), reissue (every certificate issued by the new CA, served with
// the new CA cross-signed by the old one, so clients trusting only the old CA still verify),
// drop-old (the new CA alone; the old one archived). Each phase pushes the TLS files and has
// every node pick them up as `pki rotate` does (reload where the product can, else the tier's
// gated roll), then gates on every node's TLS port before the record says it is done. An
// interrupted run resumes at the recorded phase; nodes that picked it up are not restarted
// again.

#include <optional>
#include <string>
#include <vector>

#include "ops/security/ca_files.hpp"
#include "ops/security/rotate.hpp"

namespace zkctl::ops {

struct CaRotateOptions {
  RotateMode mode = RotateMode::dry_run;  // dry_run: say what would run, change nothing
  std::optional<CaPhase> until;           // stop once this phase is done; nullopt: all
};

// One phase: whether it ran in this command, and what its nodes did.
struct CaPhaseRun {
  CaPhase phase = CaPhase::trust_both;
  std::string state;  // "done before", "to run", "resumed", "done", "failed", "not reached"
  int reloaded = 0;
  int restarted = 0;
  double seconds = 0;
};

struct CaRotateReport {
  std::vector<std::string> refusals;  // why nothing was changed
  std::vector<RotatedNode> nodes;     // every node, with its decision (and PIDs once applied)
  std::vector<CaPhaseRun> phases;     // all three, in order
  std::vector<runner::HostResult> failures;
  bool finished = false;  // drop-old done: the old CA archived, the new one is the CA
  double seconds = 0;
  bool failed() const { return !failures.empty(); }
};

// Plan (RotateMode::dry_run) or run the phases from the recorded one to `options.until`.
// The context must use PkiUse::issue to apply.
CaRotateReport rotate_ca(Context& ctx, const CaRotateOptions& options);

}  // namespace zkctl::ops
