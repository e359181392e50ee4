#include "util/trace.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "util/redact.hpp"

namespace zkctl::util {

namespace {
std::atomic<Verbose> g_verbose{Verbose::off};
std::mutex g_mu;
}  // namespace

void set_verbose(Verbose v) {
  g_verbose.store(v);
}
Verbose verbose() {
  return g_verbose.load();
}

void trace(std::string_view host, std::string_view what) {
  if (verbose() == Verbose::off) return;
  std::string line = "zkctl: ";
  if (!host.empty()) line += "[" + std::string(host) + "] ";
  line += what;
  line = redact(line);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::lock_guard lock(g_mu);
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace zkctl::util
