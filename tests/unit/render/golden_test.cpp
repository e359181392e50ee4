// Byte-for-byte comparison of every seed node's files with tests/golden/seed/.
// ZKCTL_UPDATE_GOLDEN=1 rewrites the golden files instead (review the diff!).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "render/zookeeper.hpp"
#include "seed_cluster.hpp"

#ifndef ZKCTL_GOLDEN_DIR
#error "meson passes ZKCTL_GOLDEN_DIR (tests/golden)"
#endif

namespace zkctl::render {
namespace {

namespace fs = std::filesystem;

bool update_golden() {
  const char* v = std::getenv("ZKCTL_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RenderGolden, SeedLayoutMatchesGoldenFiles) {
  const auto cluster = testing::seed_cluster();
  const fs::path root = fs::path(ZKCTL_GOLDEN_DIR) / "seed";
  int compared = 0;
  for (const auto& server : cluster.servers) {
    auto files = render_zookeeper_node(cluster, server);
    ASSERT_TRUE(files.ok()) << files.error().message;
    for (const auto& f : *files) {
      const fs::path golden = root / local_name(server, f);
      if (update_golden()) {
        fs::create_directories(golden.parent_path());
        std::ofstream(golden, std::ios::binary | std::ios::trunc) << f.content;
        continue;
      }
      ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with ZKCTL_UPDATE_GOLDEN=1";
      EXPECT_EQ(read_file(golden), f.content) << "differs from " << golden;
      ++compared;
    }
  }
  if (update_golden()) return;
  EXPECT_EQ(compared, 12);  // 4 hosts x 3 files
  int on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) on_disk += e.is_regular_file();
  EXPECT_EQ(on_disk, 12) << "stale files under " << root;
}

}  // namespace
}  // namespace zkctl::render
