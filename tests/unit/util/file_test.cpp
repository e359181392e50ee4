#include "util/file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace zkctl::util {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zkctl-file-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
};

TEST_F(FileTest, WritesWithTheModeAskedWhateverTheUmask) {
  const mode_t old = ::umask(0);
  ASSERT_TRUE(write_file_atomically((dir_ / "secret").string(), "pw=1\n", 0600).ok());
  ASSERT_TRUE(write_file_atomically((dir_ / "public").string(), "a=1\n", 0644).ok());
  ::umask(old);
  EXPECT_EQ(mode_of(dir_ / "secret"), 0600u);
  EXPECT_EQ(mode_of(dir_ / "public"), 0644u);
  EXPECT_EQ(read(dir_ / "secret"), "pw=1\n");
  EXPECT_EQ(entries(), 2u);  // no temp file left
}

TEST_F(FileTest, ReplacesAnOpenFileAndALinkWithoutFollowingIt) {
  std::ofstream(dir_ / "old") << "old";
  fs::permissions(dir_ / "old", fs::perms(0666));
  ASSERT_TRUE(write_file_atomically((dir_ / "old").string(), "new", 0600).ok());
  EXPECT_EQ(mode_of(dir_ / "old"), 0600u);
  EXPECT_EQ(read(dir_ / "old"), "new");

  std::ofstream(dir_ / "target") << "target";
  fs::create_symlink(dir_ / "target", dir_ / "link");
  ASSERT_TRUE(write_file_atomically((dir_ / "link").string(), "mine", 0600).ok());
  EXPECT_FALSE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(read(dir_ / "target"), "target");
}

TEST_F(FileTest, FailureLeavesNothingBehind) {
  auto r = write_file_atomically((dir_ / "no" / "such" / "f").string(), "x", 0600);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no/such/f"), std::string::npos);
  EXPECT_EQ(entries(), 0u);
}

TEST_F(FileTest, MakeDirsCreatesParentsWithTheMode) {
  const mode_t old = ::umask(0);
  ASSERT_TRUE(make_dirs((dir_ / "a" / "b" / "c").string(), 0700).ok());
  ::umask(old);
  EXPECT_EQ(mode_of(dir_ / "a"), 0700u);
  EXPECT_EQ(mode_of(dir_ / "a" / "b" / "c"), 0700u);
  EXPECT_TRUE(make_dirs((dir_ / "a").string(), 0755).ok());  // existing: left as it is
  EXPECT_EQ(mode_of(dir_ / "a"), 0700u);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_FALSE(make_dirs((dir_ / "file").string(), 0700).ok());
}

}  // namespace
}  // namespace zkctl::util
