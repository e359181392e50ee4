#pragma once
// Template texts embedded at build time from templates/ (see embed_templates.py),
// so an installed zkctl needs no templates directory.

#include <span>
#include <string_view>

namespace zkctl::render {

struct EmbeddedTemplate {
  std::string_view name;  // path under templates/, e.g. "zookeeper/zoo.cfg.mustache"
  std::string_view text;  // the file's bytes
};

// Every embedded template, sorted by name.
std::span<const EmbeddedTemplate> embedded_templates();

// The text of template `name` ("zookeeper/zoo.cfg.mustache"); empty if there is none.
std::string_view template_text(std::string_view name);

}  // namespace zkctl::render
