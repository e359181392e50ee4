#pragma once
// The last line of defence for secrets: stdout and stderr replaced by streams that pass
// every chunk written through util::redact before it reaches the file descriptor.
// Files zkctl writes on purpose (render --out, configs on hosts) are not affected.

namespace zkctl::cli {

// Replace stdout and stderr (once; later calls do nothing). Both become line buffered with
// a large buffer, so a line reaches the redactor whole; fflush still passes prompts on.
void redact_stdio();

}  // namespace zkctl::cli
