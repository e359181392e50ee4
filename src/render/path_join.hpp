#pragma once
// Path helpers shared by zk_paths and kafka_paths.

#include <string>

namespace zkctl::render::detail {

// `dir` without trailing slashes ("/" stays "/").
inline std::string trim_slashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// `dir`/`name` without a doubled slash under "/".
inline std::string join(const std::string& dir, const char* name) {
  return dir == "/" ? dir + name : dir + "/" + name;
}

}  // namespace zkctl::render::detail
