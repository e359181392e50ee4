#pragma once
// `zkctl pki`: the cluster's certificates.

#include "cli/commands.hpp"

namespace zkctl::cli {

// `pki rotate`: what each node would do (dry_run), or reissue, push, reload or restart.
enum class RotateMode { dry_run, apply };
int cmd_pki_rotate(GlobalOptions& g, RotateMode mode, Output output);

}  // namespace zkctl::cli
