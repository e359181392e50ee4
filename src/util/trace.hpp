#pragma once
// `--verbose`: one line on stderr per remote step ("zkctl: [node1] run mkdir"), passed
// through the process-wide redactor. Off unless cli turns it on. Thread-safe.

#include <string_view>

namespace zkctl::util {

enum class Verbose { off, on };

void set_verbose(Verbose verbose);
Verbose verbose();

// Print "zkctl: [host] what" (or "zkctl: what" for an empty host) on stderr when verbose,
// with secrets masked (util::redact). Never give it file contents.
void trace(std::string_view host, std::string_view what);

}  // namespace zkctl::util
