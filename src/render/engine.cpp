#include "render/engine.hpp"

#include "render/templates.hpp"

namespace zkctl::render {
namespace {

// `s` without leading and trailing spaces, tabs and line breaks (as the library trims).
std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The delimiters a set-delimiter tag's trimmed contents ("=<% %>=") name, if valid.
bool set_delimiters(std::string_view tag, std::string& open, std::string& close) {
  if (tag.size() < 5 || tag.back() != '=') return false;
  const std::string_view inner = trim(tag.substr(1, tag.size() - 2));
  const size_t space = inner.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view a = inner.substr(0, space);
  const std::string_view b = trim(inner.substr(space));
  auto valid = [](std::string_view d) {
    return !d.empty() && d.find_first_of("= \t\r\n\f\v") == std::string_view::npos;
  };
  if (!valid(a) || !valid(b)) return false;
  open = a;
  close = b;
  return true;
}

}  // namespace

util::Result<void> check_section_depth(std::string_view text) {
  std::string open = "{{";
  std::string close = "}}";
  int depth = 0;
  size_t pos = 0;
  while ((pos = text.find(open, pos)) != std::string_view::npos) {
    const size_t at = pos;
    size_t start = pos + open.size();
    // {{{x}}} (default delimiters only) ends with "}}}".
    const bool triple = open == "{{" && close == "}}" && start < text.size() && text[start] == '{';
    const std::string_view end_delim = triple ? std::string_view("}}}") : std::string_view(close);
    if (triple) ++start;
    const size_t end = text.find(end_delim, start);
    if (end == std::string_view::npos) return {};  // unclosed tag: the parser reports it
    const std::string_view tag = trim(text.substr(start, end - start));
    pos = end + end_delim.size();
    if (triple || tag.empty()) continue;
    if (tag.front() == '=') {
      if (!set_delimiters(tag, open, close)) return {};  // invalid: the parser reports it
    } else if (tag.front() == '#' || tag.front() == '^') {
      if (++depth > kMaxSectionDepth)
        return util::fail("sections nested deeper than " + std::to_string(kMaxSectionDepth) +
                          " levels (at byte " + std::to_string(at) + ")");
    } else if (tag.front() == '/' && depth > 0) {
      --depth;
    }
  }
  return {};
}

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
  if (auto depth = check_section_depth(text); !depth)
    return util::fail("template " + std::string(name) + ": " + depth.error().message);

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
