#pragma once
// Fills one Mustache template with values: the only place zkctl turns values
// into config text. Pure: no files, no environment.

#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace zkctl::render {

struct RenderOptions {
  // Template texts that replace the embedded ones, keyed by template name
  // ("zookeeper/zoo.cfg.mustache"). The caller reads them, e.g. from the
  // directory named by $ZKCTL_TEMPLATES; render/ itself does no I/O.
  std::map<std::string, std::string, std::less<>> template_overrides;
};

// How deep sections ({{#x}}, {{^x}}) may nest in a template. The Mustache library
// copies each section's text at every level and renders them recursively, so a
// deeply nested template costs quadratic memory and then overflows the stack.
inline constexpr int kMaxSectionDepth = 32;

// Fails, naming the byte offset, when sections in `text` nest deeper than
// kMaxSectionDepth (set-delimiter tags followed as the library does). A template
// that does not parse is left for the library to report.
util::Result<void> check_section_depth(std::string_view text);

// Render template `name` (an override from `options`, else the embedded one)
// with `values`, without HTML escaping: {{x}} inserts x's bytes unchanged.
// Fails if the template is unknown, nests too deep or does not parse.
util::Result<std::string> render_template(std::string_view name,
                                          const kainjow::mustache::data& values,
                                          const RenderOptions& options);

// Fails if `value` holds a newline or another control character (which would
// break any line-oriented config file); `what` names the value in the message.
util::Result<void> check_single_line(std::string_view what, std::string_view value);

}  // namespace zkctl::render
