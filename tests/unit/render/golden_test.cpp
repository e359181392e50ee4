// Byte-for-byte comparison of every seed node's files with tests/golden/seed/.
// ZKCTL_UPDATE_GOLDEN=1 rewrites the golden files instead (review the diff!).

#include <gtest/gtest.h>

#include <string>

#include "render/zookeeper.hpp"
#include "seed_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

TEST(RenderGolden, SeedLayoutMatchesGoldenFiles) {
  const auto cluster = testing::seed_cluster();
  // 4 hosts x 3 files
  test::expect_golden_tree(
      test::golden_dir() / "seed", cluster.servers,
      [&](const inventory::Server& s) { return render_zookeeper_node(cluster, s); }, 3);
}

}  // namespace
}  // namespace zkctl::render
