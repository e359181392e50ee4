#include <cstdio>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/exit_codes.hpp"

namespace zkctl::cli {

int cmd_completion(const CompletionModel& model, const std::string& shell) {
  std::string script;
  if (shell == "bash") {
    script = bash_completion(model);
  } else if (shell == "zsh") {
    script = zsh_completion(model);
  } else if (shell == "fish") {
    script = fish_completion(model);
  } else {
    std::fprintf(stderr, "zkctl: completion is available for bash, zsh and fish, not '%s'\n",
                 shell.c_str());
    return kUsage;
  }
  std::fputs(script.c_str(), stdout);
  return kOk;
}

}  // namespace zkctl::cli
