#pragma once
// SHA-256 of local files and strings, as lowercase hex (what `sha256sum` prints).

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace zkctl::ops {

util::Result<std::string> sha256_file(const std::string& path);
std::string sha256_hex(std::string_view data);

}  // namespace zkctl::ops
