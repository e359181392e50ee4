#pragma once
// The last line of defence for secrets: stdout and stderr replaced by streams that pass
// everything written through a util::RedactingStream, so a line is redacted whole however
// the writes cut it. Files zkctl writes on purpose (render --out, configs on hosts) are
// not affected.

namespace zkctl::cli {

// Replace stdout and stderr (once; later calls do nothing). A partial line is held until
// its newline, flush_redacted_stdio(), the process's exit or std::terminate.
void redact_stdio();

// Write out the partial line each stream holds, redacted (before reading the answer to a
// prompt). Text written later on that line still goes through the redactor.
void flush_redacted_stdio();

}  // namespace zkctl::cli
