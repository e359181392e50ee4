#include "render/rendered_file.hpp"

namespace zkctl::render {

namespace {

// `name` as one safe path component: characters outside [A-Za-z0-9._:-] become '_', and
// "", "." and ".." become "_".
std::string component(std::string name) {
  for (char& c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == ':' || c == '-';
    if (!keep) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name.assign(1, '_');
  return name;
}

std::string name_in_tree(const inventory::Node& node, const char* kind, const RenderedFile& file) {
  const auto slash = file.path.find_last_of('/');
  const std::string base = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
  return component(node.host) + "/" + kind + "-" + std::to_string(node.id) + "/" + component(base);
}

}  // namespace

std::string local_name(const inventory::Server& server, const RenderedFile& file) {
  return name_in_tree(server, "zookeeper", file);
}

std::string local_name(const inventory::KafkaNode& node, const RenderedFile& file) {
  return name_in_tree(node, "kafka", file);
}

}  // namespace zkctl::render
