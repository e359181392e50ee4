#pragma once
// Path helpers shared by zk_paths and kafka_paths, and the layout both give an
// install dir.

#include <string>

namespace zkctl::render {

// What every install dir holds, whatever runs from it.
struct InstallPaths {
  std::string install_dir;   // the node's install_dir, trailing '/' removed
  std::string releases_dir;  // <install>/releases: one unpacked distribution per version
  std::string current_link;  // <install>/current -> releases/<version>
  std::string log_dir;       // <install>/logs: the service's own log output
};

namespace detail {

// `dir` without trailing slashes ("/" stays "/").
inline std::string trim_slashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// `dir`/`name` without a doubled slash under "/".
inline std::string join(const std::string& dir, const char* name) {
  return dir == "/" ? dir + name : dir + "/" + name;
}

// The InstallPaths of `install_dir`.
inline InstallPaths install_paths(const std::string& install_dir) {
  InstallPaths p;
  p.install_dir = trim_slashes(install_dir);
  p.releases_dir = join(p.install_dir, "releases");
  p.current_link = join(p.install_dir, "current");
  p.log_dir = join(p.install_dir, "logs");
  return p;
}

}  // namespace detail
}  // namespace zkctl::render
