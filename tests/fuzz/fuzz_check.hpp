#pragma once
// Property checks inside fuzz targets: a failed check prints what was expected
// and aborts, which libFuzzer reports as a crash and the replay test as a failure.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace zkctl::fuzz {

// `text` with control and non-ASCII bytes as \xNN, for failure messages.
inline std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

// Print "fuzz check failed: `what`" and `detail`, then abort.
[[noreturn]] inline void check_failed(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz check failed: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace zkctl::fuzz

// Abort with `detail` (a std::string) unless `cond` holds.
#define FUZZ_CHECK(cond, detail)                               \
  do {                                                         \
    if (!(cond)) ::zkctl::fuzz::check_failed(#cond, (detail)); \
  } while (0)
