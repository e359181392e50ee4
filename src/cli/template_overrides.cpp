#include "cli/template_overrides.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "render/templates.hpp"

namespace fs = std::filesystem;

namespace zkctl::cli {

util::Result<render::RenderOptions> load_template_overrides(const std::string& dir) {
  render::RenderOptions options;
  if (dir.empty()) return options;
  if (!fs::is_directory(dir)) return util::fail("template dir " + dir + " is not a directory");
  for (const auto& t : render::embedded_templates()) {
    fs::path p = fs::path(dir) / std::string(t.name);
    if (!fs::exists(p)) continue;
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) return util::fail("cannot read " + p.string());
    if (auto depth = render::check_section_depth(ss.view()); !depth)
      return util::fail("template " + p.string() + ": " + depth.error().message);
    options.template_overrides.emplace(std::string(t.name), ss.str());
  }
  return options;
}

}  // namespace zkctl::cli
