#pragma once
// Users may replace any embedded template with their own copy: a directory laid
// out like templates/ (e.g. DIR/zookeeper/zoo.cfg.mustache), named by
// --templates DIR or $ZKCTL_TEMPLATES. Only files that exist there override.

#include <string>

#include "render/engine.hpp"
#include "util/result.hpp"

namespace zkctl::cli {

// Read the overrides under `dir` for every embedded template name; an empty
// `dir` gives no overrides. Fails on an override nesting sections too deep.
util::Result<render::RenderOptions> load_template_overrides(const std::string& dir);

}  // namespace zkctl::cli
