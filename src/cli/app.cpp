#include "cli/app.hpp"

namespace zkctl::cli {
int run(int, char**) { return 0; }
}  // namespace zkctl::cli
