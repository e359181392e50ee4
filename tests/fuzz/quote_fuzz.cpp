// Fuzz target for util::shell_quote and util::shell_join.
// Properties: for input without NUL, shell_quote(input) reads back (posix_words.hpp)
// as exactly one word equal to the input; the input split at NUL bytes, as argv,
// goes through shell_join and reads back as the same words.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "posix_words.hpp"
#include "util/quote.hpp"

namespace {

using zkctl::fuzz::literal_words;
using zkctl::fuzz::printable;

std::string show_words(const std::vector<std::string>& words) {
  std::string out = "[";
  for (const auto& w : words) out += (out.size() > 1 ? ", \"" : "\"") + printable(w) + "\"";
  return out + "]";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (input.find('\0') == std::string_view::npos) {
    const std::string quoted = zkctl::util::shell_quote(input);
    const auto words = literal_words(quoted);
    FUZZ_CHECK(words.has_value(), "shell_quote output is not literal: " + printable(quoted));
    FUZZ_CHECK(words->size() == 1 && (*words)[0] == input,
               "shell_quote(\"" + printable(input) + "\") = " + printable(quoted) +
                   " reads back as " + show_words(*words));
  }

  std::vector<std::string> argv;
  std::string_view rest = input;
  while (!rest.empty()) {
    const auto nul = rest.find('\0');
    argv.emplace_back(rest.substr(0, nul));
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  const std::string line = zkctl::util::shell_join(argv);
  const auto words = literal_words(line);
  FUZZ_CHECK(words.has_value(), "shell_join output is not literal: " + printable(line));
  FUZZ_CHECK(*words == argv, "shell_join(" + show_words(argv) + ") = " + printable(line) +
                                 " reads back as " + show_words(*words));
  return 0;
}
