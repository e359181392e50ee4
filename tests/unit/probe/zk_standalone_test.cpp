// Integration: a real standalone ZooKeeper (Debian's jars, started here on 127.0.0.1 with
// a temp zoo.cfg, stopped by PID) answers ask_tcp and probe_node. Skips without java or
// the jars.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "probe/ask.hpp"
#include "probe/node.hpp"
#include "support/child_process.hpp"
#include "support/fake_zk.hpp"

using namespace zkctl::probe;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kJars = "/usr/share/java";

// A ZooKeeper JVM in a temp dir; SIGTERM (then SIGKILL) by PID and the dir removed on
// destruction.
class StandaloneZk : public zkctl::testing::ServerProcess {
 public:
  StandaloneZk() : ServerProcess(5s) {
    char tmpl[] = "/tmp/zkctl-probe-it.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    {
      probe_test::BoundSocket s;  // a free port; ZooKeeper binds it right after
      port_ = s.port();
    }
    fs::create_directories(dir_ / "data");
    std::ofstream(dir_ / "zoo.cfg") << "tickTime=2000\n"
                                    << "dataDir=" << (dir_ / "data").string() << "\n"
                                    << "clientPort=" << port_ << "\n"
                                    << "clientPortAddress=127.0.0.1\n"
                                    << "admin.enableServer=false\n"
                                    << "4lw.commands.whitelist=srvr,stat,mntr,ruok,conf,isro\n";
    const std::string cp = dir_.string() + ":" + kJars + "/*";
    const std::string cfg = (dir_ / "zoo.cfg").string();
    pid_ = zkctl::testing::spawn_logged(
        {"java", "-Xmx128m", "-cp", cp, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg},
        (dir_ / "zk.log").string());
  }

  // Wait until srvr reports a serving mode, up to `limit`. (`ruok` says imok earlier,
  // while srvr still answers "not currently serving requests".)
  bool wait_ready(std::chrono::seconds limit) const {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (zkctl::testing::child_exited(pid_)) return false;
      auto a = ask_tcp("127.0.0.1", port_, "srvr", 500ms);
      if (a) {
        auto s = parse_srvr(*a);
        if (s && s->mode != Mode::not_serving) return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  std::string log() const { return zkctl::testing::read_text(dir_ / "zk.log"); }
};

bool have_zookeeper() {
  return fs::exists(std::string(kJars) + "/zookeeper.jar") &&
         std::system("java -version >/dev/null 2>&1") == 0;
}

}  // namespace

TEST(StandaloneZooKeeper, AnswersSrvrMntrAndRefusesEnvi) {
  if (!have_zookeeper()) GTEST_SKIP() << "java or " << kJars << "/zookeeper.jar missing";
  StandaloneZk zk;
  ASSERT_TRUE(zk.wait_ready(60s)) << zk.log();

  auto srvr = ask_tcp("127.0.0.1", zk.port(), "srvr", 3000ms);
  ASSERT_TRUE(srvr) << srvr.error().message;
  auto s = parse_srvr(*srvr);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mode, Mode::standalone);
  EXPECT_TRUE(s->version.starts_with("3.")) << s->version;

  auto stat = ask_tcp("127.0.0.1", zk.port(), "stat", 3000ms);
  ASSERT_TRUE(stat) << stat.error().message;
  auto st = parse_srvr(*stat);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->mode, Mode::standalone);

  auto envi = ask_tcp("127.0.0.1", zk.port(), "envi", 3000ms);
  ASSERT_FALSE(envi);
  EXPECT_EQ(envi.failure(), Failure::not_whitelisted) << envi.error().message;

  auto p = probe_node("127.0.0.1", zk.port(), 3000ms, nullptr);
  EXPECT_EQ(p.mode, Mode::standalone) << p.detail;
  ASSERT_TRUE(p.mntr) << p.detail;
  EXPECT_EQ(p.mntr->server_state, "standalone");
  EXPECT_EQ(p.detail, "");
}
