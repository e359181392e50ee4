#include "util/key_value.hpp"

namespace zkctl::util {

void for_each_key_value(std::string_view text,
                        const std::function<void(const std::string&, const std::string&)>& fn) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const auto eq = line.find('=');
    if (eq != std::string_view::npos)
      fn(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
}

}  // namespace zkctl::util
