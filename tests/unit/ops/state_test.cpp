#include "ops/cluster/state.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
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

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Every directory and file under `root` (and `root`) with its mode.
std::vector<std::pair<std::string, unsigned>> modes_under(const fs::path& root) {
  std::vector<std::pair<std::string, unsigned>> modes{{root.string(), mode_of(root)}};
  for (const auto& e : fs::recursive_directory_iterator(root))
    modes.emplace_back(e.path().string(), mode_of(e.path()));
  return modes;
}

}  // namespace

TEST_F(StateTest, RecordsArePrivateWhateverTheUmask) {
  const mode_t old = ::umask(0);  // the widest: files would be 0666 without care
  ASSERT_TRUE(ops::record_cluster("prod", "/etc/zk/prod.toml", "secret = \"x\"\n").ok());
  ASSERT_TRUE(ops::record_kafka_cluster_id("prod", "AAAAAAAAAAAAAAAAAAAAAA").ok());
  ::umask(old);
  int files = 0;
  for (const auto& [path, mode] : modes_under(dir_)) {
    const bool dir = fs::is_directory(path);
    EXPECT_EQ(mode, dir ? 0700u : 0600u) << path;
    files += dir ? 0 : 1;
    EXPECT_EQ(path.find(".tmp-"), std::string::npos) << "temp file left: " << path;
  }
  EXPECT_EQ(files, 4);  // inventory.toml, cluster.json, kafka-cluster-id, current
}

TEST_F(StateTest, LooseHomeIsTightenedWithOneWarning) {
  ASSERT_TRUE(ops::record_cluster("prod", "/etc/zk/prod.toml", "x").ok());
  // As the first versions left it: 0755 dirs, 0644 files; a link to a file outside.
  const fs::path outside = dir_.string() + "-outside";
  std::ofstream(outside) << "not zkctl's";
  fs::permissions(outside, fs::perms(0644));
  fs::create_symlink(outside, dir_ / "link");
  for (const auto& [path, mode] : modes_under(dir_)) {
    if (fs::is_symlink(path)) continue;
    fs::permissions(path, fs::perms(fs::is_directory(path) ? 0755 : 0644));
  }
  fs::permissions(dir_ / "clusters" / "prod" / "inventory.toml", fs::perms(0666));

  testing::internal::CaptureStderr();
  auto found = ops::find_cluster("prod");
  const std::string warned = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(found.ok());
  EXPECT_NE(warned.find("zkctl: warning: " + dir_.string() + " was open to other users"),
            std::string::npos)
      << warned;
  EXPECT_EQ(std::count(warned.begin(), warned.end(), '\n'), 1) << warned;
  for (const auto& [path, mode] : modes_under(dir_)) {
    if (fs::is_symlink(path)) continue;
    EXPECT_EQ(mode, fs::is_directory(path) ? 0700u : 0600u) << path;
  }
  EXPECT_EQ(mode_of(outside), 0644u);  // the link was not followed

  testing::internal::CaptureStderr();
  ASSERT_TRUE(ops::find_cluster("prod").ok());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");  // repaired once, quiet after
  fs::remove(outside);
}

TEST_F(StateTest, MissingHomeIsCreatedPrivate) {
  const fs::path nested = dir_ / "a" / "home";
  setenv("ZKCTL_HOME", nested.c_str(), 1);
  const mode_t old = ::umask(0);
  EXPECT_EQ(ops::state_home(), nested.string());
  ::umask(old);
  EXPECT_EQ(mode_of(nested), 0700u);
}

TEST_F(StateTest, OnlyZkctlsOwnRecordsAreTightened) {
  // $ZKCTL_HOME pointed at a directory with other things in it (~, say).
  ASSERT_TRUE(ops::record_cluster("prod", "/etc/zk/prod.toml", "x").ok());
  std::ofstream(dir_ / "run.sh") << "#!/bin/sh\n";
  fs::permissions(dir_ / "run.sh", fs::perms(0755));
  fs::create_directories(dir_ / "notes");
  fs::permissions(dir_ / "notes", fs::perms(0755));
  fs::permissions(dir_ / "clusters" / "prod" / "cluster.json", fs::perms(0644));
  testing::internal::CaptureStderr();
  ops::state_home();
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(mode_of(dir_ / "run.sh"), 0755u);
  EXPECT_EQ(mode_of(dir_ / "notes"), 0755u);
  EXPECT_EQ(mode_of(dir_ / "clusters" / "prod" / "cluster.json"), 0600u);
}

TEST_F(StateTest, SharedHomeIsLeftAsItIsWithAWarning) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms(01777));  // like /tmp
  testing::internal::CaptureStderr();
  ASSERT_TRUE(ops::record_cluster("prod", "/etc/zk/prod.toml", "x").ok());
  const std::string warned = testing::internal::GetCapturedStderr();
  EXPECT_EQ(mode_of(dir_), 01777u);
  EXPECT_NE(warned.find("is shared with other users"), std::string::npos) << warned;
  EXPECT_EQ(mode_of(dir_ / "clusters" / "prod" / "inventory.toml"), 0600u);
  EXPECT_EQ(mode_of(dir_ / "clusters"), 0700u);
}

TEST_F(StateTest, TheSecurityPhaseRecordRoundTripsPrivately) {
  EXPECT_EQ(ops::recorded_security_phase("prod"), "");
  ASSERT_TRUE(ops::record_cluster("prod", "/etc/zk/prod.toml", "x = 1\n").ok());
  ASSERT_TRUE(ops::record_security_phase("prod", "{\"phase\":\"zk-unified\"}").ok());
  EXPECT_EQ(ops::recorded_security_phase("prod"), "{\"phase\":\"zk-unified\"}");
  const auto path = fs::path(dir_) / "clusters" / "prod" / "security-phase";
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}
