#pragma once
// Runs a command meant for a host on this machine instead (`sh -c`), for tests that
// check what a remote script does against temp dirs. `path_first` is prepended to PATH,
// so a test can put harmless stand-ins (e.g. an `rm` that only says what it would do)
// in front of the real tools.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "remote/remote.hpp"

namespace zkctl::testing {

inline remote::CommandResult run_locally(const std::string& command,
                                         const std::string& path_first = "") {
  std::string full = command;
  if (!path_first.empty()) full = "PATH='" + path_first + "':\"$PATH\"; export PATH; " + command;
  remote::CommandResult r{-1, "", ""};
  FILE* p = ::popen(full.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) r.out += buf.data();
  const int status = ::pclose(p);
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace zkctl::testing
