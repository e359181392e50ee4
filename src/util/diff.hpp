#pragma once
// A unified diff of two texts, for `zkctl plan` (what deploy would change).

#include <string>

namespace zkctl::util {

// Lines of `before` and `after` compared; "" when they are equal, else a unified
// diff ("--- a", "+++ b", "@@ ... @@" hunks with `context` lines around changes).
std::string unified_diff(const std::string& before, const std::string& after,
                         const std::string& before_name, const std::string& after_name,
                         int context = 3);

}  // namespace zkctl::util
