#include "ops/cluster/state.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace zkctl;
namespace fs = std::filesystem;

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zkctl-state-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    setenv("ZKCTL_HOME", dir_.c_str(), 1);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    unsetenv("ZKCTL_HOME");
  }
  fs::path dir_;
};

TEST_F(StateTest, NothingRecordedSaysHowToStart) {
  auto r = ops::find_cluster("");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("zkctl deploy"), std::string::npos);
}

TEST_F(StateTest, RecordThenFindCurrentAndByName) {
  ASSERT_TRUE(ops::record_cluster("seed", "/etc/zk/seed.toml", "[cluster]\nname=\"seed\"\n").ok());
  ASSERT_TRUE(ops::record_cluster("prod", "/etc/zk/prod.toml", "x").ok());
  auto cur = ops::find_cluster("");
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(cur->name, "prod");  // the last deployed
  auto seed = ops::find_cluster("seed");
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->source, "/etc/zk/seed.toml");
  EXPECT_EQ(seed->base_dir, "/etc/zk");
  std::ifstream in(seed->inventory_copy);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "[cluster]\nname=\"seed\"\n");
  EXPECT_EQ(seed->sha256.size(), 64u);
  EXPECT_FALSE(ops::find_cluster("nope").ok());
  EXPECT_EQ(ops::recorded_cluster_names(), (std::vector<std::string>{"prod", "seed"}));
}
