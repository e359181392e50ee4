#include "cli/confirm.hpp"

#include <cstdio>
#include <iostream>

#include "cli/redacting_stdio.hpp"

namespace zkctl::cli {

bool confirm_by_name(const std::string& question, const std::string& cluster) {
  std::fprintf(stderr, "%s\nType the cluster name to confirm: ", question.c_str());
  flush_redacted_stdio();  // the prompt's partial line, before the answer is read
  std::string typed;
  const bool ok = std::getline(std::cin, typed) && typed == cluster;
  if (!ok) std::fprintf(stderr, "\n");
  return ok;
}

}  // namespace zkctl::cli
