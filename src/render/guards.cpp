#include "render/guards.hpp"

#include "render/engine.hpp"

namespace zkctl::render {

std::string num(long long n) {
  return std::to_string(n);
}

util::Result<void> check_properties_value(const std::string& what, std::string_view value,
                                          std::string_view file) {
  if (auto r = check_single_line(what, value); !r) return r;
  for (const char c : value) {
    if (c == '\\') return util::fail(what + " contains a backslash (a Java properties escape)");
    if (static_cast<unsigned char>(c) >= 0x80) {
      return util::fail(what + " contains a non-ASCII byte (" + std::string(file) +
                        " is read as Latin-1)");
    }
  }
  return {};
}

util::Result<void> check_extra_key(std::string_view file, std::string_view key,
                                   ManagedKey managed) {
  const std::string what = std::string(file) + " extra key '" + std::string(key) + "'";
  if (key.empty()) return util::fail(std::string(file) + " extra key is empty");
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return util::fail(what + " may hold only letters, digits, '.', '_' and '-'");
  }
  if (managed(key)) {
    return util::fail(what + " is written by zkctl itself; set it through the inventory");
  }
  return {};
}

util::Result<void> check_absolute(const std::string& what, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return util::fail(what + " '" + path + "' is not an absolute path");
  }
  return {};
}

std::string bracketed(const std::string& host) {
  if (host.find(':') != std::string::npos && !host.starts_with('[')) return "[" + host + "]";
  return host;
}

kainjow::mustache::data key_value_list(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  using kainjow::mustache::data;
  data list{data::type::list};
  for (const auto& [key, value] : entries) {
    data item;
    item.set("key", key);
    item.set("value", value);
    list.push_back(item);
  }
  return list;
}

util::Error on_node(const inventory::Node& node, const util::Error& e) {
  return util::fail(node.host + ": " + e.message);
}

}  // namespace zkctl::render
