#include <unistd.h>

#include "cli/commands.hpp"
#include "runner/terminal_progress.hpp"

namespace zkctl::cli {

std::unique_ptr<runner::Progress> make_progress(const GlobalOptions& g) {
  if (isatty(STDOUT_FILENO) != 0 && isatty(STDERR_FILENO) != 0) {
    return std::make_unique<runner::TerminalProgress>(stderr, g.err_color);
  }
  return std::make_unique<runner::LineProgress>(stderr, std::chrono::milliseconds(1000),
                                                g.err_color);
}

}  // namespace zkctl::cli
