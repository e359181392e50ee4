#pragma once
// One problem found in an inventory, with the place it was found.

#include <string>
#include <vector>

#include "inventory/model.hpp"

namespace zkctl::inventory {

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  SourcePos pos;        // line/col 0: the file as a whole
  std::string message;  // one line, no trailing period

  // "file:line:col: error: message" ("file: warning: message" without a position).
  std::string str() const;
};

// True when any of `diagnostics` is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace zkctl::inventory
