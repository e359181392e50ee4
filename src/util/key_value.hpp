#pragma once
// The `key=value` lines remote scripts print (facts, probes, lock files).

#include <functional>
#include <string>
#include <string_view>

namespace zkctl::util {

// Call `fn(key, value)` for every line of `text` holding a '=' (the first one splits it),
// in order; other lines are skipped.
void for_each_key_value(std::string_view text,
                        const std::function<void(const std::string&, const std::string&)>& fn);

}  // namespace zkctl::util
