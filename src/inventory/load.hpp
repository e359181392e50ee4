#pragma once
// Loading a TOML inventory into a fully resolved Cluster, with every problem
// reported as a Diagnostic ("file:line:col: error: ..."), not just the first.
// The format is documented in inventories/README.md.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/diagnostic.hpp"
#include "inventory/model.hpp"

namespace zkctl::inventory {

struct LoadResult {
  std::optional<Cluster> cluster;       // set only when there are no errors
  std::vector<Diagnostic> diagnostics;  // errors and warnings, ordered by position

  bool has_errors() const { return inventory::has_errors(diagnostics); }
};

// Load and validate the inventory at `path`; relative paths inside it resolve
// against the file's directory. An unreadable file is one error diagnostic.
LoadResult load_file(const std::string& path);

// Whether local files the inventory names (distribution tarballs) must exist.
enum class LocalFiles {
  must_exist,  // deploy and every command that uploads
  unchecked,   // re-reading a recorded inventory for its membership only
};

// Load and validate `toml_text`; `file_name` names it in diagnostics and becomes
// Cluster::source_file, and relative local paths resolve against `base_dir`.
LoadResult load_string(std::string_view toml_text, const std::string& file_name,
                       const std::string& base_dir,
                       LocalFiles local_files = LocalFiles::must_exist);

}  // namespace zkctl::inventory
