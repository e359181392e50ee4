#pragma once
// `zkctl pki`: the cluster's certificates.

#include <string>

#include "cli/commands.hpp"

namespace zkctl::cli {

// `pki rotate`: what each node would do (dry_run), or reissue, push, reload or restart.
enum class RotateMode { dry_run, apply };
int cmd_pki_rotate(GlobalOptions& g, RotateMode mode, Output output);
// `pki rotate --ca [--until PHASE]`: the phases and per node pickup (dry_run), or run them.
int cmd_pki_rotate_ca(GlobalOptions& g, RotateMode mode, Output output, const std::string& until);

}  // namespace zkctl::cli
