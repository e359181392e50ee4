// Integration: ZkClient against a real standalone ZooKeeper, unpacked from the project's
// fixture tarball (tests/fixtures/zookeeper-dist.sh) into a temp dir, started on 127.0.0.1
// with a free port and stopped by PID. Skips without java or the fixture.

#include "probe/zk_client.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "support/server_suite.hpp"
#include "support/test_pki.hpp"
#include "support/tls_front.hpp"

using namespace zkctl::probe;
using namespace zkctl::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A standalone ZooKeeper from the fixture tarball in a temp dir; stopped by PID (SIGTERM,
// then SIGKILL) and the dir removed on destruction.
class ZooKeeperServer : public ServerProcess {
 public:
  ZooKeeperServer() : ServerProcess(5s) {}

  // Unpack and start; false with `why` set if the fixture is missing or the JVM won't start.
  bool start(std::string& why) {
    why = unpack_java_fixture(std::string(SOURCE_DIR) + "/tests/fixtures/zookeeper-dist.sh",
                              "zkctl-zkclient-it", ".", dir_);
    if (!why.empty()) return false;
    port_ = free_port();
    fs::create_directories(dir_ / "data");
    std::ofstream(dir_ / "conf" / "zoo.cfg") << "tickTime=2000\n"
                                             << "dataDir=" << (dir_ / "data").string() << "\n"
                                             << "clientPort=" << port_ << "\n"
                                             << "clientPortAddress=127.0.0.1\n"
                                             << "admin.enableServer=false\n"
                                             << "4lw.commands.whitelist=srvr,ruok\n";
    pid_ = spawn_logged({"java", "-Xmx128m", "-cp", "lib/*:conf",
                         "org.apache.zookeeper.server.quorum.QuorumPeerMain", "conf/zoo.cfg"},
                        (dir_ / "zk.log").string(), dir_.string());
    // Ready when a session can be established.
    const auto end = Clock::now() + 60s;
    while (Clock::now() < end) {
      if (child_exited(pid_)) {
        pid_ = -1;
        why = "ZooKeeper exited: " + log_text();
        return false;
      }
      if (auto c = ZkClient::connect(connect_string(), 1000ms)) return true;
      std::this_thread::sleep_for(200ms);
    }
    why = "ZooKeeper did not serve within 60 s: " + log_text();
    return false;
  }

  std::string connect_string() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log_text() const { return read_text(dir_ / "zk.log"); }
};

class ZkClientTest : public ServerSuite<ZooKeeperServer> {
 protected:
  static std::unique_ptr<ZkClient> connect(const std::string& suffix = "") {
    auto c = ZkClient::connect(server_->connect_string() + suffix, 10s);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }
};

}  // namespace

TEST_F(ZkClientTest, ConnectsAndNamesTheServerAsWritten) {
  auto zk = connect();
  ASSERT_TRUE(zk);
  EXPECT_EQ(zk->connected_server(), server_->connect_string());

  // A host name maps back to the spelling of the connect string.
  auto named = ZkClient::connect("localhost:" + std::to_string(server_->port()), 10s);
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ((*named)->connected_server(), "localhost:" + std::to_string(server_->port()));
}

TEST_F(ZkClientTest, CreateGetSetExistsChildrenRemove) {
  auto zk = connect();
  ASSERT_TRUE(zk);
  auto made = zk->create("/crud", "one", CreateMode::persistent);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(*made, "/crud");

  auto got = zk->get("/crud");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, "one");

  ASSERT_TRUE(zk->set("/crud", "two"));
  EXPECT_EQ(zk->get("/crud")->value_or("?"), "two");

  // Empty data reads back as "".
  ASSERT_TRUE(zk->create("/crud/empty", "", CreateMode::persistent));
  EXPECT_EQ(zk->get("/crud/empty")->value_or("?"), "");

  ASSERT_TRUE(zk->create("/crud/b", "", CreateMode::persistent));
  ASSERT_TRUE(zk->create("/crud/a", "", CreateMode::persistent));
  auto kids = zk->children("/crud");
  ASSERT_TRUE(kids) << kids.error().message;
  EXPECT_EQ(*kids, (std::vector<std::string>{"a", "b", "empty"}));

  auto ex = zk->exists("/crud/a");
  ASSERT_TRUE(ex) << ex.error().message;
  EXPECT_TRUE(*ex);

  // Errors carry ZooKeeper's text and the path.
  auto dup = zk->create("/crud", "", CreateMode::persistent);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("node exists"), std::string::npos) << dup.error().message;
  EXPECT_NE(dup.error().message.find("/crud"), std::string::npos) << dup.error().message;
  auto orphan = zk->create("/no-parent/x", "", CreateMode::persistent);
  ASSERT_FALSE(orphan);
  EXPECT_NE(orphan.error().message.find("no node"), std::string::npos) << orphan.error().message;
  auto busy = zk->remove("/crud");
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().message.find("not empty"), std::string::npos) << busy.error().message;
  auto bad = zk->get("relative");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad arguments"), std::string::npos) << bad.error().message;
  auto bad_set = zk->set("/missing", "x");
  ASSERT_FALSE(bad_set);
  EXPECT_NE(bad_set.error().message.find("no node"), std::string::npos);

  for (const char* p : {"/crud/a", "/crud/b", "/crud/empty", "/crud"}) {
    auto r = zk->remove(p);
    ASSERT_TRUE(r) << r.error().message;
  }
  auto gone = zk->get("/crud");
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_FALSE(gone->has_value());
  EXPECT_FALSE(*zk->exists("/crud"));
  auto again = zk->remove("/crud");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("no node"), std::string::npos) << again.error().message;

  // A missing node has no children (documented), rather than an error.
  auto none = zk->children("/crud");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST_F(ZkClientTest, SequentialCreatesAppendIncreasingNumbers) {
  auto zk = connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->create("/seq", "", CreateMode::persistent));
  std::vector<std::string> made;
  for (int i = 0; i < 3; ++i) {
    auto p = zk->create("/seq/item-", std::to_string(i), CreateMode::persistent_sequential);
    ASSERT_TRUE(p) << p.error().message;
    made.push_back(*p);
  }
  EXPECT_EQ(made[0], "/seq/item-0000000000");
  EXPECT_EQ(made[1], "/seq/item-0000000001");
  EXPECT_EQ(made[2], "/seq/item-0000000002");
  auto kids = zk->children("/seq");
  ASSERT_TRUE(kids);
  EXPECT_EQ(*kids,
            (std::vector<std::string>{"item-0000000000", "item-0000000001", "item-0000000002"}));
  EXPECT_EQ(zk->get("/seq/item-0000000001")->value_or("?"), "1");
  ASSERT_TRUE(zk->remove_recursive("/seq"));
}

TEST_F(ZkClientTest, EphemeralGoesWithItsSession) {
  auto owner = connect();
  auto watcher = connect();
  ASSERT_TRUE(owner && watcher);
  ASSERT_TRUE(owner->create("/eph", "mine", CreateMode::ephemeral));
  EXPECT_TRUE(*watcher->exists("/eph"));
  // No children under an ephemeral node.
  EXPECT_FALSE(owner->create("/eph/child", "", CreateMode::persistent));
  owner.reset();  // zookeeper_close ends the session
  EXPECT_FALSE(*watcher->exists("/eph"));
}

TEST_F(ZkClientTest, ChrootedSessionSeesOnlyItsSubtree) {
  auto root = connect();
  ASSERT_TRUE(root);
  ASSERT_TRUE(root->create("/app", "", CreateMode::persistent));

  auto chrooted = connect("/app");
  ASSERT_TRUE(chrooted);
  auto p = chrooted->create("/x", "in-app", CreateMode::persistent);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, "/x");  // relative to the chroot
  auto s = chrooted->create("/s-", "", CreateMode::persistent_sequential);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*s, "/s-0000000001");
  EXPECT_EQ(root->get("/app/x")->value_or("?"), "in-app");
  auto kids = chrooted->children("/");
  ASSERT_TRUE(kids);
  EXPECT_EQ(*kids, (std::vector<std::string>{"s-0000000001", "x"}));
  EXPECT_EQ(chrooted->connected_server(), server_->connect_string());

  // A chroot that does not exist: the session connects, operations say "no node".
  auto missing = connect("/nowhere");
  ASSERT_TRUE(missing);
  auto c = missing->create("/x", "", CreateMode::persistent);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("no node"), std::string::npos) << c.error().message;

  ASSERT_TRUE(root->remove_recursive("/app"));
  EXPECT_FALSE(*root->exists("/app"));
}

TEST_F(ZkClientTest, RemoveRecursive) {
  auto zk = connect();
  ASSERT_TRUE(zk);
  for (const char* p :
       {"/tree", "/tree/a", "/tree/a/1", "/tree/a/2", "/tree/b", "/tree/b/c", "/tree/b/c/d"}) {
    ASSERT_TRUE(zk->create(p, p, CreateMode::persistent)) << p;
  }
  ASSERT_TRUE(zk->create("/treehouse", "", CreateMode::persistent));  // a sibling, same prefix
  auto r = zk->remove_recursive("/tree");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(*zk->exists("/tree"));
  EXPECT_TRUE(*zk->exists("/treehouse"));
  EXPECT_TRUE(zk->remove_recursive("/tree"));  // missing: fine
  EXPECT_TRUE(zk->remove_recursive("/treehouse"));
  EXPECT_FALSE(zk->remove_recursive("/"));
  EXPECT_TRUE(*zk->exists("/zookeeper"));
}

TEST_F(ZkClientTest, SyncThenReadThroughAnotherSession) {
  auto writer = connect();
  auto reader = connect();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(writer->create("/synced", "v1", CreateMode::persistent));
  ASSERT_TRUE(writer->set("/synced", "v2"));
  auto s = reader->sync("/synced");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(reader->get("/synced")->value_or("?"), "v2");
  EXPECT_FALSE(reader->sync("relative"));
  ASSERT_TRUE(writer->remove("/synced"));
}

TEST_F(ZkClientTest, OverTlsThroughTheRelay) {
  // TLS in front of the real server: the C client talks to ZkClient's relay, which carries
  // the session over TLS with zkctl's certificate; the session names the real server.
  probe_test::TestPki pki;
  probe_test::TlsFront front(pki, "server", server_->port());
  ZkOptions options;
  options.tls = {pki.pem("ca"), pki.pem("client"), pki.key("client")};
  const std::string secure = "127.0.0.1:" + std::to_string(front.port());
  {
    auto zk = ZkClient::connect(secure + "/", 10s, options);
    ASSERT_TRUE(zk) << zk.error().message;
    EXPECT_EQ((*zk)->connected_server(), secure);
    EXPECT_EQ((*zk)->connect_string(), secure + "/");
    auto created = (*zk)->create("/over-tls", "secret", CreateMode::ephemeral);
    ASSERT_TRUE(created) << created.error().message;
    auto got = (*zk)->get("/over-tls");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->value_or(""), "secret");
  }
  // The session closed through the relay: its ephemeral node is gone at once.
  auto plain = ZkClient::connect(server_->connect_string(), 10s);
  ASSERT_TRUE(plain) << plain.error().message;
  auto gone = (*plain)->exists("/over-tls");
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_FALSE(*gone);
  // Without zkctl's certificate the front refuses it, and the error says so.
  options.tls.cert_file.clear();
  options.tls.key_file.clear();
  auto refused = ZkClient::connect(secure, 1500ms, options);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("last TLS failure"), std::string::npos)
      << refused.error().message;
}

TEST_F(ZkClientTest, ConnectToAClosedPortFailsWithinTheTimeout) {
  const int port = free_port();
  const std::string where = "127.0.0.1:" + std::to_string(port);
  const auto t0 = Clock::now();
  auto c = ZkClient::connect(where, 1500ms);
  const auto took = Clock::now() - t0;
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find(where), std::string::npos) << c.error().message;
  EXPECT_LT(took, 3s);
  EXPECT_GE(took, 1400ms);
}

TEST_F(ZkClientTest, BadConnectStringsFailFast) {
  const auto t0 = Clock::now();
  auto unresolvable = ZkClient::connect("no-such-host.invalid:2181", 5s);
  ASSERT_FALSE(unresolvable);
  EXPECT_NE(unresolvable.error().message.find("no-such-host.invalid:2181"), std::string::npos)
      << unresolvable.error().message;
  auto empty = ZkClient::connect("", 5s);
  ASSERT_FALSE(empty);
  EXPECT_LT(Clock::now() - t0, 3s);
}

TEST_F(ZkClientTest, OperationsAreBoundedWhenTheServerHangs) {
  ZkOptions options;
  options.operation_timeout = 800ms;
  auto c = ZkClient::connect(server_->connect_string(), 10s, options);
  ASSERT_TRUE(c) << c.error().message;
  ::kill(server_->pid(), SIGSTOP);
  const auto t0 = Clock::now();
  auto got = (*c)->get("/zookeeper");
  const auto took = Clock::now() - t0;
  ::kill(server_->pid(), SIGCONT);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("no answer within 800 ms"), std::string::npos)
      << got.error().message;
  EXPECT_LT(took, 2s);
  // The session survives the pause (well inside the session timeout).
  auto later = (*c)->exists("/zookeeper");
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_TRUE(*later);
}

TEST_F(ZkClientTest, FailsWhenTheServerIsGoneAndNoWaitIsUnbounded) {
  // Last test in this file: it stops the shared server.
  auto zk = connect();
  ASSERT_TRUE(zk);
  server_->stop();
  const auto t0 = Clock::now();
  auto got = zk->get("/zookeeper");
  EXPECT_FALSE(got);
  EXPECT_LT(Clock::now() - t0, 11s);
  auto again = ZkClient::connect(server_->connect_string(), 1000ms);
  EXPECT_FALSE(again);
}
