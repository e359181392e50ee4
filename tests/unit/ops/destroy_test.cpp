// destroy against fake hosts: the remove commands run on this machine against temp dirs
// (with an `rm` that only says what it would remove), every other command answers
// "nothing running". What is removed and kept is read from the report.

#include "ops/commands/destroy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/local_shell.hpp"

namespace zkctl::ops {
namespace {

namespace fs = std::filesystem;

// Hosts whose remove commands (kind install/zkdata/kafkadata + a dir) run locally.
class DestroyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(fakebin_);
    std::ofstream(fakebin_ + "/rm") << "#!/bin/sh\necho \"would rm $*\" >>'" << rm_log_ << "'\n";
    fs::permissions(fakebin_ + "/rm", fs::perms::owner_all);
    hosts_.handler = [this](const std::string& command) {
      {
        std::lock_guard lock(mu_);
        commands_.push_back(command);
      }
      if (is_remove(command)) return testing::run_locally(command, fakebin_);
      return remote::CommandResult{0, "", ""};
    };
    options_ = hosts_.options();
  }

  // A remove command: it names a kind of dir (loosely: the word among its arguments).
  static bool is_remove(const std::string& command) {
    for (const char* kind : {"install", "zkdata", "kafkadata"}) {
      const std::string k = kind;
      if (command.find(" " + k + " ") != std::string::npos ||
          command.find(" '" + k + "' ") != std::string::npos)
        return true;
    }
    return false;
  }

  // A dir under the temp dir with `marks` (relative files) in it.
  std::string make_dir(const std::string& name, const std::vector<std::string>& marks) {
    const fs::path d = fs::path(tmp_.path()) / name;
    fs::create_directories(d);
    for (const auto& m : marks) {
      fs::create_directories((d / m).parent_path());
      std::ofstream(d / m) << "x";
    }
    return d.string();
  }

  DestroyReport run(const inventory::Cluster& cluster, PurgeData purge) {
    runner::NullProgress progress;
    Context ctx(cluster, options_, progress);
    return destroy(ctx, purge);
  }

  std::string rm_log() const {
    std::ifstream in(rm_log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static bool has(const std::vector<std::string>& v, const std::string& part) {
    return std::any_of(v.begin(), v.end(),
                       [&](const std::string& s) { return s.find(part) != std::string::npos; });
  }

  testing::TempDir tmp_{"zkctl-destroy-test"};
  std::string fakebin_ = tmp_.path() + "/bin";
  std::string rm_log_ = tmp_.path() + "/rm.log";
  testing::FakeHosts hosts_;
  Options options_;
  std::mutex mu_;
  std::vector<std::string> commands_;
};

TEST_F(DestroyTest, RemovesTheInstallButKeepsTheDataWithoutPurge) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", {"releases/x", "current/.zkctl-release"});
  s.data_dir = make_dir("zkdata", {"myid"});
  auto report = run(testing::cluster_of({s}), PurgeData::no);
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_TRUE(has(report.removed, s.install_dir));
  EXPECT_FALSE(has(report.removed, s.data_dir));
  EXPECT_NE(rm_log().find(s.install_dir), std::string::npos);
  EXPECT_EQ(rm_log().find(s.data_dir), std::string::npos);
  EXPECT_FALSE(has(commands_, s.data_dir + "'")) << "no remove command names the data dir";
}

TEST_F(DestroyTest, PurgeRemovesDataDirsWithZkctlsMarksOnly) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", {"releases/x", "current/.zkctl-release"});
  s.data_dir = make_dir("zkdata", {"myid"});
  auto k = testing::kafka_node("127.0.0.2", 11, true, true);
  k.install_dir = make_dir("kafka-install", {"releases/y"});  // no current/.zkctl-release: not ours
  k.log_dirs = {make_dir("kafkalogs", {"meta.properties"}), make_dir("other", {"data.bin"})};
  auto report = run(testing::cluster_of({s}, {k}), PurgeData::yes);
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_TRUE(has(report.removed, s.data_dir));
  EXPECT_TRUE(has(report.removed, k.log_dirs[0]));
  EXPECT_TRUE(has(report.kept, k.log_dirs[1] + " (no meta.properties"));
  EXPECT_TRUE(has(report.kept, k.install_dir + " (no zkctl release"));
  EXPECT_EQ(rm_log().find(k.log_dirs[1]), std::string::npos);
  EXPECT_EQ(rm_log().find(k.install_dir), std::string::npos);
}

TEST_F(DestroyTest, ADataDirWithoutMyidIsKept) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", {"releases/x", "current/.zkctl-release"});
  s.data_dir = make_dir("notzk", {"important.db"});
  auto report = run(testing::cluster_of({s}), PurgeData::yes);
  EXPECT_TRUE(has(report.kept, s.data_dir + " (no myid"));
  EXPECT_EQ(rm_log().find(s.data_dir), std::string::npos);
}

TEST_F(DestroyTest, RefusesTheRootDirectory) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", {"releases/x", "current/.zkctl-release"});
  s.data_dir = "/";
  auto report = run(testing::cluster_of({s}), PurgeData::yes);
  EXPECT_TRUE(has(report.kept, "refusing"));
  EXPECT_EQ(rm_log().find("would rm -rf -- /\n"), std::string::npos);
  for (const auto& r : report.removed) EXPECT_NE(r, "127.0.0.1:/");
}

TEST_F(DestroyTest, NothingIsRemovedWhenAHostCannotBeReached) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", {"releases/x", "current/.zkctl-release"});
  auto k = testing::kafka_node("127.0.0.2", 11, true, true);
  hosts_.unreachable = {"127.0.0.2"};
  auto report = run(testing::cluster_of({s}, {k}), PurgeData::yes);
  EXPECT_FALSE(report.ok);
  EXPECT_TRUE(has(report.errors, "127.0.0.2"));
  EXPECT_TRUE(report.removed.empty());
  EXPECT_TRUE(rm_log().empty());
}

}  // namespace
}  // namespace zkctl::ops
