#pragma once
// Local files written whole or not at all, never more readable than asked for at any
// moment (a temp file beside the target, created private, renamed into place).

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace zkctl::util {

// Write `content` to `path` atomically with permission bits `mode`: a temp file in the same
// directory is created 0600, set to `mode` before any byte is written, synced and renamed
// over `path` (a symlink at `path` is replaced, not followed). The directory must exist.
Result<void> write_file_atomically(const std::string& path, std::string_view content,
                                   unsigned mode);

// Create directory `path` and its missing parents with permission bits `mode` (directories
// that exist are left as they are).
Result<void> make_dirs(const std::string& path, unsigned mode);

}  // namespace zkctl::util
