// The cluster lock: its info and staleness rules, the machine id, and acquire / renew /
// release against fake hosts whose lock scripts run on this machine in temp dirs (one
// tree per host).

#include "ops/cluster/lock.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/local_shell.hpp"

namespace zkctl::ops {
namespace {

namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Lock, ParsesAndDescribesTheHolder) {
  auto info = parse_lock_info(
      "holder=alice@ops1\nmachine=m1\npid=42\nsince=2026-11-25T17:00:00Z\n"
      "command=zkctl restart node3\nexpires=2000000000\ntoken=abc\nstale=no\n");
  EXPECT_EQ(info.holder, "alice@ops1");
  EXPECT_EQ(info.machine, "m1");
  EXPECT_EQ(info.pid, 42);
  EXPECT_EQ(info.expires, 2000000000);
  EXPECT_EQ(info.token, "abc");
  EXPECT_FALSE(info.stale);
  EXPECT_TRUE(parse_lock_info("stale=yes\n").stale);
  EXPECT_EQ(
      describe(info),
      "locked by alice@ops1 since 2026-11-25T17:00:00Z, running zkctl restart node3 (pid 42)");
}

TEST(Lock, StalenessIsTheHostsVerdictNotThisMachinesClock) {
  LockInfo info;
  info.holder = "bob@elsewhere";
  info.machine = "other-machine";
  info.pid = 1;
  info.expires = 1;  // long past by this machine's clock, but the host said it is live
  EXPECT_FALSE(lock_is_stale(info, "this-machine"));
  info.stale = true;  // the host's own clock is past the expiry
  EXPECT_TRUE(lock_is_stale(info, "this-machine"));
}

TEST(Lock, AHolderThatDiedOnThisMachineIsStaleAtOnce) {
  LockInfo info;
  info.holder = "root@here";
  info.machine = "this-machine";
  info.pid = getpid();  // alive
  EXPECT_FALSE(lock_is_stale(info, "this-machine"));
  info.pid = 999999999;  // no such process
  EXPECT_TRUE(lock_is_stale(info, "this-machine"));
}

TEST(Lock, AnotherMachineWithTheSameHostNameIsNotJudgedByLocalPids) {
  LockInfo info;
  info.holder = "root@ops1";  // same host name as ours, another machine
  info.machine = "their-machine-id";
  info.pid = 999999999;  // not a process here, but it may well be one there
  EXPECT_FALSE(lock_is_stale(info, "our-machine-id"));
  info.machine = "";  // an old lock without a machine id: only its expiry counts
  EXPECT_FALSE(lock_is_stale(info, "our-machine-id"));
}

TEST(Lock, MachineIdComesFromEtcElseFromAPrivateFileKeptStable) {
  testing::TempDir tmp("zkctl-machine-id");
  const std::string etc = tmp.path() + "/machine-id";
  const std::string own = tmp.path() + "/home/machine-id";
  std::ofstream(etc) << "0123456789abcdef0123456789abcdef\n";
  EXPECT_EQ(machine_id(etc, own), "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(fs::exists(own));
  fs::remove(etc);
  const std::string made = machine_id(etc, own);
  EXPECT_GE(made.size(), 16u);
  EXPECT_EQ(machine_id(etc, own), made);  // kept
  struct stat st {};
  ASSERT_EQ(::stat(own.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Lock, TheLockNameIsPerCluster) {
  EXPECT_EQ(lock_name("seed"), "zkctl-seed.lock");
}

// Two hosts whose commands run here, each in its own tree `<tmp>/<host>/`.
class LockOnHostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("ZKCTL_HOME", (tmp_.path() + "/home").c_str(), 1);  // a machine-id made there
    for (const char* h : {"127.0.0.1", "127.0.0.2"}) fs::create_directories(tree(h) + "/run");
    hosts_.host_handler = [this](const std::string& host, const std::string& command) {
      std::string c = command;
      for (auto at = c.find("/HOST/"); at != std::string::npos; at = c.find("/HOST/"))
        c.replace(at, 6, "/" + host + "/");
      if (cut_off_ && c.find(".released-") != std::string::npos) {
        return remote::CommandResult{255, "", "connection lost\n"};
      }
      return testing::run_locally(c);
    };
    options_.root = tmp_.path() + "/HOST/run/zkctl";
    options_.fallback = tmp_.path() + "/HOST/var/zkctl";
    options_.warn = [this](const std::string& w) {
      std::lock_guard g(mu_);
      warnings_.push_back(w);
    };
    cluster_ = testing::cluster_of(
        {testing::zk_server("127.0.0.1", 1), testing::zk_server("127.0.0.2", 2)},
        {testing::kafka_node("127.0.0.2", 11, true, true)});
  }

  void TearDown() override { ::unsetenv("ZKCTL_HOME"); }

  std::string tree(const std::string& host) const { return tmp_.path() + "/" + host; }
  std::string lock_dir(const std::string& host) const {
    return tree(host) + "/run/zkctl/zkctl-t.lock";
  }

  testing::TempDir tmp_{"zkctl-lock-test"};
  testing::FakeHosts hosts_;
  runner::NullProgress progress_;
  inventory::Cluster cluster_;
  LockOptions options_;
  std::mutex mu_;
  std::vector<std::string> warnings_;
  std::atomic<bool> cut_off_{false};  // releasing fails, as over a dead connection
};

TEST_F(LockOnHostsTest, TakenInARootOnlyDirWithItsInfoAndReleased) {
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl restart", options_);
  ASSERT_TRUE(lock) << lock.error().message;
  for (const char* h : {"127.0.0.1", "127.0.0.2"}) {
    struct stat st {};
    ASSERT_EQ(::stat((tree(h) + "/run/zkctl").c_str(), &st), 0) << h;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << h;
    const LockInfo info = parse_lock_info(read(lock_dir(h) + "/info"));
    EXPECT_EQ(info.command, "zkctl restart");
    EXPECT_EQ(info.machine, machine_id());
    EXPECT_EQ(info.pid, getpid());
    EXPECT_GT(info.expires, static_cast<long>(std::time(nullptr)) + 250);
    EXPECT_EQ(fs::directory_iterator(tree(h) + "/run/zkctl")->path().filename(),
              "zkctl-t.lock");  // no temp dir left beside it
  }
  EXPECT_EQ(hosts_.opened["127.0.0.2"], 1);  // one session per distinct host
  lock->release();
  for (const char* h : {"127.0.0.1", "127.0.0.2"}) {
    EXPECT_FALSE(fs::exists(lock_dir(h))) << h;
  }
}

TEST_F(LockOnHostsTest, TheHostsOfNodesADeployTakesOutAreLockedToo) {
  fs::create_directories(tree("127.0.0.3") + "/run");
  const inventory::Server leaving = testing::zk_server("127.0.0.3", 3);
  options_.also = {&leaving};
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl deploy", options_);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(fs::exists(lock_dir("127.0.0.3") + "/info"));
  lock->release();
  EXPECT_FALSE(fs::exists(lock_dir("127.0.0.3")));
}

TEST_F(LockOnHostsTest, ACommandLineCannotAddLinesToTheInfo) {
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl exec -- x\nexpires=1\ntoken=forged", options_);
  ASSERT_TRUE(lock) << lock.error().message;
  const std::string text = read(lock_dir("127.0.0.1") + "/info");
  const LockInfo info = parse_lock_info(text);
  EXPECT_EQ(info.command, "zkctl exec -- x expires=1 token=forged");
  EXPECT_NE(info.token, "forged");
  EXPECT_GT(info.expires, 1000);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 7) << text;
}

TEST_F(LockOnHostsTest, WithoutRunTheLockGoesToTheFallback) {
  fs::remove_all(tree("127.0.0.2") + "/run");
  fs::create_directories(tree("127.0.0.2") + "/var");
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl deploy", options_);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(fs::exists(tree("127.0.0.2") + "/var/zkctl/zkctl-t.lock/info"));
  lock->release();
  EXPECT_FALSE(fs::exists(tree("127.0.0.2") + "/var/zkctl/zkctl-t.lock"));
}

TEST_F(LockOnHostsTest, AnUnreachableHostRefusesTheLockAndWhatWasTakenIsReleased) {
  hosts_.unreachable = {"127.0.0.2"};
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl deploy", options_);
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find("cannot lock cluster t on 127.0.0.2"), std::string::npos)
      << lock.error().message;
  EXPECT_NE(lock.error().message.find("--no-lock"), std::string::npos);
  EXPECT_FALSE(fs::exists(lock_dir("127.0.0.1")));
}

TEST_F(LockOnHostsTest, EveryHostThatCannotBeLockedIsNamedThenHowToGoAhead) {
  hosts_.unreachable = {"127.0.0.1", "127.0.0.2"};
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl deploy", options_);
  ASSERT_FALSE(lock);
  const std::string& m = lock.error().message;
  EXPECT_EQ(m.rfind("cannot lock cluster t on 127.0.0.1: connect to 127.0.0.1: unreachable (fake)\n"
                    "cannot lock cluster t on 127.0.0.2: ",
                    0),
            0u)
      << m;
  EXPECT_NE(m.find("\nnothing was changed; "), std::string::npos) << m;
}

TEST_F(LockOnHostsTest, ALiveLockElsewhereRefusesNamingItsHolder) {
  Context ctx(cluster_, hosts_.options(), progress_);
  fs::create_directories(tree("127.0.0.2") + "/run/zkctl");
  auto held = ClusterLock::acquire(ctx, "zkctl restart", options_);
  ASSERT_TRUE(held);
  Context other(cluster_, hosts_.options(), progress_);
  auto second = ClusterLock::acquire(other, "zkctl deploy", options_);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("running zkctl restart (pid " + std::to_string(getpid())),
            std::string::npos)
      << second.error().message;
  held->release();
  auto third = ClusterLock::acquire(other, "zkctl deploy", options_);
  EXPECT_TRUE(third) << third.error().message;
}

TEST_F(LockOnHostsTest, AnExpiredLockIsTakenOverByTheHostsClock) {
  fs::create_directories(lock_dir("127.0.0.1"));
  std::ofstream(lock_dir("127.0.0.1") + "/info")
      << "holder=x@y\nmachine=elsewhere\npid=1\nexpires=1000\ntoken=old\n";
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl deploy", options_);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_EQ(parse_lock_info(read(lock_dir("127.0.0.1") + "/info")).command, "zkctl deploy");
}

TEST_F(LockOnHostsTest, TheLockIsRenewedWhileHeldAndALostOneIsReported) {
  options_.renew_every = std::chrono::seconds(1);
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl restart", options_);
  ASSERT_TRUE(lock);
  const long first = parse_lock_info(read(lock_dir("127.0.0.1") + "/info")).expires;
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  EXPECT_GT(parse_lock_info(read(lock_dir("127.0.0.1") + "/info")).expires, first);
  fs::remove_all(lock_dir("127.0.0.2"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  lock->release();
  std::lock_guard g(mu_);
  ASSERT_FALSE(warnings_.empty());
  EXPECT_NE(warnings_[0].find("cluster lock on 127.0.0.2 was lost"), std::string::npos)
      << warnings_[0];
}

TEST_F(LockOnHostsTest, ALockThatCannotBeReleasedIsReported) {
  Context ctx(cluster_, hosts_.options(), progress_);
  auto lock = ClusterLock::acquire(ctx, "zkctl deploy", options_);
  ASSERT_TRUE(lock);
  cut_off_ = true;
  lock->release();
  std::lock_guard g(mu_);
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_NE(warnings_[0].find("could not release the cluster lock on 127.0.0."), std::string::npos)
      << warnings_[0];
}

}  // namespace
}  // namespace zkctl::ops
