// exec and tail_log against fake hosts: which hosts are asked, what runs there (each
// word quoted), how each host's outcome is reported; the tail script runs on this
// machine against a temp log dir.

#include "ops/commands/exec.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "runner/interrupt.hpp"
#include "runner/progress.hpp"
#include "runner/runner.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/local_shell.hpp"
#include "util/quote.hpp"

namespace zkctl::ops {
namespace {

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hosts_.host_handler = [this](const std::string& host, const std::string& command) {
      {
        std::lock_guard lock(mu_);
        asked_.push_back({host, command});
      }
      if (host == "127.0.0.3") return remote::CommandResult{2, "", "boom\n"};
      if (run_here_) return testing::run_locally(command);
      return remote::CommandResult{0, "hello from " + host + "\n", ""};
    };
    options_ = hosts_.options();
    cluster_ = testing::cluster_of(
        {testing::zk_server("127.0.0.1", 1), testing::zk_server("127.0.0.2", 2)},
        {testing::kafka_node("127.0.0.2", 11, true, true),
         testing::kafka_node("127.0.0.3", 12, true, true)});
  }

  testing::FakeHosts hosts_;
  Options options_;
  runner::NullProgress progress_;
  inventory::Cluster cluster_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> asked_;  // host, command
  bool run_here_ = false;
};

TEST_F(ExecTest, EveryDistinctHostOnceInInventoryOrder) {
  auto hosts = exec_hosts(cluster_, {});
  ASSERT_TRUE(hosts);
  EXPECT_EQ(*hosts, (std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3"}));
}

TEST_F(ExecTest, AnUnknownHostIsAnErrorNamingTheKnownOnes) {
  auto hosts = exec_hosts(cluster_, {"127.0.0.2", "nowhere"});
  ASSERT_FALSE(hosts);
  EXPECT_NE(hosts.error().message.find("no host 'nowhere' in cluster t"), std::string::npos)
      << hosts.error().message;
  EXPECT_NE(hosts.error().message.find("127.0.0.3"), std::string::npos);
}

TEST_F(ExecTest, RunsTheQuotedCommandOnceOnEachHostAndReportsEach) {
  Context ctx(cluster_, options_, progress_);
  const std::vector<std::string> argv = {"echo", "a b", "$HOME;rm -rf /"};
  auto results = exec_on(ctx, {"127.0.0.1", "127.0.0.2", "127.0.0.3"}, argv);
  ASSERT_EQ(results.size(), 3u);
  ASSERT_EQ(asked_.size(), 3u);
  for (const auto& [host, command] : asked_) EXPECT_EQ(command, util::shell_join(argv)) << host;
  EXPECT_EQ(results[0].host, "127.0.0.1");
  EXPECT_EQ(results[0].exit_status, 0);
  EXPECT_EQ(results[0].out, "hello from 127.0.0.1\n");
  EXPECT_EQ(results[2].exit_status, 2);
  EXPECT_EQ(results[2].err, "boom\n");
  // 127.0.0.2 has a ZooKeeper server and a broker: one session, its ZooKeeper server's.
  EXPECT_EQ(hosts_.opened["127.0.0.2"], 1);
}

TEST_F(ExecTest, AfterAStopRequestNoHostStartsTheCommand) {
  Context ctx(cluster_, options_, progress_);
  runner::request_stop(SIGTERM);
  auto results = exec_on(ctx, {"127.0.0.1", "127.0.0.2"}, {"reboot"});
  runner::clear_stop();
  EXPECT_TRUE(asked_.empty());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].error, runner::kStepInterrupted);
}

TEST_F(ExecTest, TheWordsArriveAsLiteralArguments) {
  run_here_ = true;
  Context ctx(cluster_, options_, progress_);
  auto results = exec_on(ctx, {"127.0.0.1"}, {"printf", "%s|", "a b", "$HOME;echo x"});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].out, "a b|$HOME;echo x|");
}

TEST_F(ExecTest, AnUnreachableHostCarriesItsErrorAndTheOthersStillRun) {
  hosts_.unreachable = {"127.0.0.1"};
  Context ctx(cluster_, options_, progress_);
  auto results = exec_on(ctx, {"127.0.0.1", "127.0.0.2"}, {"true"});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].exit_status, -1);
  EXPECT_NE(results[0].error.find("unreachable"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[1].exit_status, 0);
}

TEST_F(ExecTest, TailLogReadsTheNewestLogOfTheRightProduct) {
  namespace fs = std::filesystem;
  testing::TempDir tmp("zkctl-exec-test");
  cluster_.servers[0].install_dir = tmp.path() + "/zk";
  cluster_.kafka_nodes[0].install_dir = tmp.path() + "/kafka";
  fs::create_directories(tmp.path() + "/zk/logs");
  fs::create_directories(tmp.path() + "/kafka/logs");
  std::ofstream(tmp.path() + "/zk/logs/zookeeper-1.log") << "one\ntwo\nthree\n";
  std::ofstream(tmp.path() + "/kafka/logs/server.log") << "kafka line\n";
  // A newer log of something else in the same dir is not the server's.
  const std::string gc = tmp.path() + "/zk/logs/gc.log";
  std::ofstream(gc) << "gc line\n";
  fs::last_write_time(
      gc, fs::last_write_time(tmp.path() + "/zk/logs/zookeeper-1.log") + std::chrono::seconds(10));
  run_here_ = true;
  Context ctx(cluster_, options_, progress_);
  auto zk = tail_log(ctx, "127.0.0.1", LogOf::zookeeper, 2);
  ASSERT_TRUE(zk) << zk.error().message;
  EXPECT_NE(zk->find("zookeeper-1.log"), std::string::npos) << *zk;
  EXPECT_NE(zk->find("two\nthree\n"), std::string::npos) << *zk;
  EXPECT_EQ(zk->find("one"), std::string::npos) << *zk;
  auto kafka = tail_log(ctx, "127.0.0.2", LogOf::kafka, 10);
  ASSERT_TRUE(kafka) << kafka.error().message;
  EXPECT_NE(kafka->find("kafka line"), std::string::npos) << *kafka;
}

TEST_F(ExecTest, TailLogOfAHostWithoutThatProductIsAnError) {
  Context ctx(cluster_, options_, progress_);
  auto zk = tail_log(ctx, "127.0.0.3", LogOf::zookeeper, 5);
  ASSERT_FALSE(zk);
  EXPECT_NE(zk.error().message.find("no ZooKeeper server on '127.0.0.3'"), std::string::npos);
  auto kafka = tail_log(ctx, "127.0.0.1", LogOf::kafka, 5);
  ASSERT_FALSE(kafka);
  EXPECT_NE(kafka.error().message.find("no Kafka node on '127.0.0.1'"), std::string::npos);
  EXPECT_TRUE(asked_.empty());
}

TEST_F(ExecTest, TailLogWithoutALogFails) {
  testing::TempDir tmp("zkctl-exec-test");
  cluster_.servers[0].install_dir = tmp.path() + "/zk";
  run_here_ = true;
  Context ctx(cluster_, options_, progress_);
  auto zk = tail_log(ctx, "127.0.0.1", LogOf::zookeeper, 5);
  EXPECT_FALSE(zk);
}

}  // namespace
}  // namespace zkctl::ops
