#pragma once
// Comparing rendered bytes with the golden files under tests/golden/, byte for
// byte; with ZKCTL_UPDATE_GOLDEN=1 the golden files are rewritten instead
// (review the diff!).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#ifndef ZKCTL_GOLDEN_DIR
#error "meson passes ZKCTL_GOLDEN_DIR (tests/golden)"
#endif

namespace zkctl::test {

// tests/golden/ in the source tree.
inline std::filesystem::path golden_dir() {
  return ZKCTL_GOLDEN_DIR;
}

// The bytes of file `p` ("" when unreadable).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Whether ZKCTL_UPDATE_GOLDEN=1 asks for the golden files to be rewritten.
inline bool update_golden() {
  const char* v = std::getenv("ZKCTL_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// `content` must equal golden file `golden` (or replaces it when updating).
// True when it was compared (not updated) and the golden file exists.
inline bool expect_golden(const std::filesystem::path& golden, const std::string& content) {
  if (update_golden()) {
    std::filesystem::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary | std::ios::trunc) << content;
    return false;
  }
  EXPECT_TRUE(std::filesystem::exists(golden))
      << golden << " missing; run with ZKCTL_UPDATE_GOLDEN=1";
  if (!std::filesystem::exists(golden)) return false;
  EXPECT_EQ(read_file(golden), content) << "differs from " << golden;
  return true;
}

// Every file `render(node)` gives for each of `nodes` against `root`/<host>/<basename> (the
// golden layouts have one node per host, so the server's own directory of local_name is
// left out); `root` must hold exactly `files_per_node` files per node, no stale ones.
template <class Nodes, class Render>
void expect_golden_tree(const std::filesystem::path& root, const Nodes& nodes, Render render,
                        int files_per_node) {
  int compared = 0;
  for (const auto& node : nodes) {
    auto files = render(node);
    ASSERT_TRUE(files.ok()) << files.error().message;
    for (const auto& f : *files) {
      const std::filesystem::path name = local_name(node, f);
      compared += expect_golden(root / *name.begin() / name.filename(), f.content);
    }
  }
  if (update_golden()) return;
  const int expected = static_cast<int>(nodes.size()) * files_per_node;
  EXPECT_EQ(compared, expected);
  int on_disk = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    on_disk += e.is_regular_file();
  EXPECT_EQ(on_disk, expected) << "stale files under " << root;
}

}  // namespace zkctl::test
