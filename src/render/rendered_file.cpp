#include "render/rendered_file.hpp"

namespace zkctl::render {

std::string local_name(const inventory::Node& node, const RenderedFile& file) {
  std::string dir = node.host;
  for (char& c : dir) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == ':' || c == '-';
    if (!keep) c = '_';
  }
  if (dir.empty() || dir == "." || dir == "..") dir.assign(1, '_');
  const auto slash = file.path.find_last_of('/');
  const std::string base = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
  return dir + "/" + base;
}

}  // namespace zkctl::render
