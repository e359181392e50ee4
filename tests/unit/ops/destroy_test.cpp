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

// Hosts whose remove commands (a layout, the cluster, check/force, a dir) run locally.
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

  // A remove command: it names a layout (loosely: the word among its arguments).
  static bool is_remove(const std::string& command) {
    for (const char* kind :
         {"zkinstall", "kafkainstall", "zkdata", "zklog", "kafkadata", "monitoring"}) {
      const std::string k = kind;
      if (command.find(" " + k + " ") != std::string::npos ||
          command.find(" '" + k + "' ") != std::string::npos)
        return true;
    }
    return false;
  }

  // A dir under the temp dir with `files` (relative paths) in it, marked for cluster
  // `mark` ("t", cluster_of's name; empty: no mark).
  std::string make_dir(const std::string& name, const std::vector<std::string>& files,
                       const std::string& mark = "t") {
    const fs::path d = fs::path(tmp_.path()) / name;
    fs::create_directories(d);
    if (!mark.empty()) std::ofstream(d / ".zkctl-cluster") << mark << "\n";
    for (const auto& f : files) {
      fs::create_directories((d / f).parent_path());
      std::ofstream(d / f) << "x";
    }
    return d.string();
  }

  DestroyReport run(const inventory::Cluster& cluster, PurgeData purge,
                    ForceRemove force = ForceRemove::no) {
    runner::NullProgress progress;
    Context ctx(cluster, options_, progress);
    return destroy(ctx, purge, force);
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

// A ZooKeeper install dir as deploy leaves it.
const std::vector<std::string> kZkInstall = {"releases/x/.zkctl-release", "conf/zoo.cfg",
                                             "logs/zookeeper.log"};

TEST_F(DestroyTest, RemovesTheInstallButKeepsTheDataWithoutPurge) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", kZkInstall);
  s.data_dir = make_dir("zkdata", {"myid"});
  s.data_log_dir = make_dir("zktxlog", {"version-2/log.1"});
  auto report = run(testing::cluster_of({s}), PurgeData::no);
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_TRUE(has(report.removed, s.install_dir));
  EXPECT_FALSE(has(report.removed, s.data_dir));
  EXPECT_TRUE(has(report.kept, s.data_dir + " (data; --purge-data removes it)"));
  EXPECT_TRUE(has(report.kept, s.data_log_dir + " (data; --purge-data removes it)"));
  EXPECT_NE(rm_log().find(s.install_dir), std::string::npos);
  EXPECT_EQ(rm_log().find(s.data_dir), std::string::npos);
  EXPECT_FALSE(has(commands_, s.data_dir + "'")) << "no remove command names the data dir";
}

// Prometheus' TSDB lives in the monitoring install dir: without --purge-data it stays (the rest
// of the dir goes), with it the whole dir goes.
TEST_F(DestroyTest, KeepsPrometheusDataInsideItsInstallDirWithoutPurge) {
  const std::vector<std::string> files = {"prometheus.yml", "rules.yml", "data/wal/00000001",
                                          "log/prometheus.log"};
  for (PurgeData purge : {PurgeData::no, PurgeData::yes}) {
    auto cluster = testing::cluster_of({testing::zk_server("127.0.0.1", 1)});
    cluster.monitoring.host = "127.0.0.1";
    cluster.monitoring.install_dir = make_dir(purge == PurgeData::no ? "mon" : "mon2", files);
    const std::string mon = cluster.monitoring.install_dir;
    auto report = run(cluster, purge);
    EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
    if (purge == PurgeData::no) {
      EXPECT_TRUE(has(report.removed, mon + " (all but data)"));
      EXPECT_TRUE(has(report.kept, mon + "/data (data; --purge-data removes it)"));
      EXPECT_NE(rm_log().find(mon + "/prometheus.yml"), std::string::npos) << rm_log();
      EXPECT_EQ(rm_log().find(mon + "/data"), std::string::npos) << rm_log();
    } else {
      EXPECT_TRUE(has(report.removed, mon)) << rm_log();
      EXPECT_NE(rm_log().find("rm -rf -- " + mon + "\n"), std::string::npos) << rm_log();
    }
  }
}

TEST_F(DestroyTest, PurgeCoversTheSeparateTransactionLogDir) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", kZkInstall);
  s.data_dir = make_dir("zkdata", {"myid", "version-2/snapshot.0"});
  s.data_log_dir = make_dir("zktxlog", {"version-2/log.1"});
  auto report = run(testing::cluster_of({s}), PurgeData::yes);
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_TRUE(has(report.removed, s.data_dir));
  EXPECT_TRUE(has(report.removed, s.data_log_dir));
  EXPECT_NE(rm_log().find(s.data_log_dir), std::string::npos);
  EXPECT_TRUE(report.kept.empty()) << report.kept[0];
}

TEST_F(DestroyTest, PurgeRemovesOnlyDirsWithThisClustersMark) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", kZkInstall, "");  // no mark: not known to be this cluster's
  s.data_dir = make_dir("zkdata", {"myid"}, "prod");
  auto k = testing::kafka_node("127.0.0.2", 11, true, true);
  k.install_dir = make_dir("kafka-install", {"releases/y/.zkctl-release", "config/kafka-env.sh"});
  k.log_dirs = {make_dir("kafkalogs", {"meta.properties", "topic-0/0.log"}),
                make_dir("other", {"data.bin"}, "")};
  auto report = run(testing::cluster_of({s}, {k}), PurgeData::yes, ForceRemove::yes);
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_TRUE(has(report.removed, k.install_dir));
  EXPECT_TRUE(has(report.removed, k.log_dirs[0]));
  EXPECT_TRUE(has(report.kept, s.install_dir + " (no zkctl mark of cluster t in it)"));
  EXPECT_TRUE(has(report.kept, s.data_dir + " (marked for cluster 'prod', not 't')"));
  EXPECT_TRUE(has(report.kept, k.log_dirs[1] + " (no zkctl mark of cluster t in it)"));
  for (const auto& d : {s.install_dir, s.data_dir, k.log_dirs[1]})
    EXPECT_EQ(rm_log().find(d), std::string::npos) << d;
}

TEST_F(DestroyTest, AForeignFileKeepsItsDirUnlessForced) {
  auto s = testing::zk_server("127.0.0.1", 1);
  std::vector<std::string> files = kZkInstall;
  files.push_back("notes.txt");
  s.install_dir = make_dir("zk", files);
  s.data_dir = make_dir("zkdata", {"myid", "backup.tar"});
  auto report = run(testing::cluster_of({s}), PurgeData::yes);
  EXPECT_TRUE(report.ok) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_TRUE(has(report.kept, s.install_dir + " (it holds 'notes.txt', which zkctl did not put "
                                               "there; destroy --force removes it anyway)"));
  EXPECT_TRUE(has(report.kept, s.data_dir + " (it holds 'backup.tar'"));
  EXPECT_TRUE(report.removed.empty());
  EXPECT_TRUE(rm_log().empty());

  report = run(testing::cluster_of({s}), PurgeData::yes, ForceRemove::yes);
  EXPECT_TRUE(has(report.removed, s.install_dir));
  EXPECT_TRUE(has(report.removed, s.data_dir));
}

TEST_F(DestroyTest, RefusesTheRootDirectory) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", kZkInstall);
  s.data_dir = "/";
  auto report = run(testing::cluster_of({s}), PurgeData::yes, ForceRemove::yes);
  EXPECT_TRUE(has(report.kept, "refusing"));
  EXPECT_EQ(rm_log().find("would rm -rf -- /\n"), std::string::npos);
  for (const auto& r : report.removed) EXPECT_NE(r, "127.0.0.1:/");
}

TEST_F(DestroyTest, NothingIsRemovedWhenAHostCannotBeReached) {
  auto s = testing::zk_server("127.0.0.1", 1);
  s.install_dir = make_dir("zk", kZkInstall);
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
