#pragma once
// Wall-clock time as zkctl records it.

#include <string>

namespace zkctl::util {

// Now in UTC as ISO 8601 to the second ("2026-11-29T18:05:18Z").
std::string utc_now_iso8601();

}  // namespace zkctl::util
