#pragma once
// Asking the operator to confirm a command that replaces data.

#include <string>

namespace zkctl::cli {

// Print `question` and "Type the cluster name to confirm: " on stderr and read a line
// from stdin; true only when it is exactly `cluster`.
bool confirm_by_name(const std::string& question, const std::string& cluster);

}  // namespace zkctl::cli
