#include "render/engine.hpp"

#include "render/templates.hpp"

namespace zkctl::render {

util::Result<std::string> render_template(std::string_view name,
                                          const kainjow::mustache::data& values,
                                          const RenderOptions& options) {
  std::string_view text;
  if (const auto it = options.template_overrides.find(name);
      it != options.template_overrides.end()) {
    text = it->second;
  } else {
    text = template_text(name);
  }
  if (text.empty()) return util::fail("no template named " + std::string(name));

  kainjow::mustache::mustache tmpl{std::string(text)};
  if (!tmpl.is_valid()) {
    return util::fail("template " + std::string(name) + ": " + tmpl.error_message());
  }
  // Config files are not HTML: {{x}} must insert x unchanged.
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  std::string out = tmpl.render(values);
  if (!tmpl.is_valid()) {
    return util::fail("template " + std::string(name) + ": " + tmpl.error_message());
  }
  return out;
}

util::Result<void> check_single_line(std::string_view what, std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r') return util::fail(std::string(what) + " contains a line break");
    if (u < 0x20 || u == 0x7f) {
      return util::fail(std::string(what) + " contains a control character");
    }
  }
  return {};
}

}  // namespace zkctl::render
