#pragma once

namespace zkctl::cli {

// Parse `argv`, run the command, map failures to the documented exit codes.
int run(int argc, char** argv);

}  // namespace zkctl::cli
