#pragma once
// POSIX shell quoting: every remote command is built from arguments passed
// through these functions, so no inventory value can inject shell syntax.

#include <string>
#include <string_view>
#include <vector>

namespace zkctl::util {

// Quote `arg` so that a POSIX shell reads it back as exactly one word with the
// same bytes (single quotes; embedded ' becomes '\''). Safe words stay bare.
std::string shell_quote(std::string_view arg);

// Quote each of `argv` and join them with spaces: one command line.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace zkctl::util
