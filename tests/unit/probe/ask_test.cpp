// ask_tcp against listeners opened here on 127.0.0.1; ask_via against a fake Remote.

#include "probe/ask.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/fake_zk.hpp"

using namespace zkctl::probe;
using namespace probe_test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(AskTcp, ReadsTheWholeAnswer) {
  const auto mntr = read_vector("ensemble_leader_mntr.txt");  // ~18 KB: several reads
  FakeZk zk({{"srvr", read_vector("standalone_srvr.txt")}, {"mntr", mntr}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 2000ms);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a.failure(), Failure::none);
  EXPECT_EQ(*a, read_vector("standalone_srvr.txt"));
  auto m = ask_tcp("127.0.0.1", zk.port(), "mntr", 2000ms);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(*m, mntr);
  EXPECT_EQ(zk.words(), (std::vector<std::string>{"srvr", "mntr"}));
}

TEST(AskTcp, SlicesToAPlainResult) {
  FakeZk zk(probe_test::Answers{{"ruok", "imok"}});
  zkctl::util::Result<std::string> r = ask_tcp("127.0.0.1", zk.port(), "ruok", 2000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "imok");
}

TEST(AskTcp, ResolvesLocalhost) {
  // localhost may resolve to ::1 first, where nothing listens: the next address is tried.
  FakeZk zk({{"srvr", read_vector("standalone_srvr.txt")}});
  auto a = ask_tcp("localhost", zk.port(), "srvr", 2000ms);
  ASSERT_TRUE(a) << a.error().message;
}

TEST(AskTcp, RefusedMeansDown) {
  BoundSocket closed;  // bound, not listening: connecting is refused
  const auto start = Clock::now();
  auto a = ask_tcp("127.0.0.1", closed.port(), "srvr", 2000ms);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.failure(), Failure::refused);
  EXPECT_NE(a.error().message.find("connection refused"), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("127.0.0.1:" + std::to_string(closed.port())),
            std::string::npos);
  EXPECT_LT(ms_since(start), 1000ms);
}

TEST(AskTcp, NeverAnsweringTimesOutWithinBound) {
  FakeZk zk({}, Behaviour::silent);
  const auto start = Clock::now();
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 300ms);
  const auto took = ms_since(start);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.failure(), Failure::timeout);
  EXPECT_NE(a.error().message.find("within 300 ms"), std::string::npos) << a.error().message;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 800ms);
}

TEST(AskTcp, ConnectThatNeverCompletesTimesOutWithinBound) {
  // A listener whose accept queue is full drops new SYNs: connect() stays pending,
  // like a black-holed host.
  BoundSocket s;
  ASSERT_EQ(::listen(s.fd(), 0), 0);
  std::vector<BoundSocket> fillers(4);
  for (auto& f : fillers) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(s.port()));
    ::fcntl(f.fd(), F_SETFL, O_NONBLOCK);
    ::connect(f.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  const auto start = Clock::now();
  auto a = ask_tcp("127.0.0.1", s.port(), "srvr", 300ms);
  const auto took = ms_since(start);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.failure(), Failure::timeout) << a.error().message;
  EXPECT_NE(a.error().message.find("connect timed out"), std::string::npos) << a.error().message;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 800ms);
}

TEST(AskTcp, WhitelistRefusalIsItsOwnFailure) {
  FakeZk zk(
      probe_test::Answers{{"mntr", "mntr is not executed because it is not in the whitelist.\n"}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "mntr", 2000ms);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.failure(), Failure::not_whitelisted);
  EXPECT_NE(a.error().message.find("`mntr` is not in 4lw.commands.whitelist"), std::string::npos)
      << a.error().message;
}

TEST(AskTcp, NotServingIsAnAnswer) {
  FakeZk zk({{"srvr", read_vector("not_serving_srvr.txt")}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 2000ms);
  ASSERT_TRUE(a) << a.error().message;
}

TEST(AskTcp, ClosedWithoutAnswerIsAProtocolFailure) {
  FakeZk zk({});  // reads the word, closes
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 2000ms);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.failure(), Failure::protocol);
  EXPECT_NE(a.error().message.find("without answering"), std::string::npos) << a.error().message;
}

TEST(AskVia, WritesTheWordAndReadsTheAnswer) {
  FakeRemote r;
  r.answers["srvr"] = read_vector("ensemble_follower_srvr.txt");
  auto a = ask_via(r, "node2", 2181, "srvr", 1000ms);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, r.answers["srvr"]);
  EXPECT_EQ(r.opened, (std::vector<std::string>{"node2:2181"}));
  EXPECT_EQ(r.written, (std::vector<std::string>{"srvr"}));
}

TEST(AskVia, ChannelFailuresAreClassified) {
  FakeRemote r;
  r.open_error = "Channel opening failure: channel 43 error (2) Connection refused";
  auto refused = ask_via(r, "node2", 2181, "srvr", 1000ms);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.failure(), Failure::refused);
  EXPECT_NE(refused.error().message.find("via ssh to jump1"), std::string::npos)
      << refused.error().message;

  r.open_error = "Channel opening failure: channel 44 error (2) No route to host";
  auto unreachable = ask_via(r, "node2", 2181, "srvr", 1000ms);
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.failure(), Failure::unreachable);
  EXPECT_NE(unreachable.error().message.find("No route to host"), std::string::npos);
}

TEST(AskVia, WhitelistRefusalAndEmptyAnswer) {
  FakeRemote r;
  r.answers["mntr"] = "mntr is not executed because it is not in the whitelist.\n";
  auto w = ask_via(r, "node2", 2181, "mntr", 1000ms);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.failure(), Failure::not_whitelisted);
  auto e = ask_via(r, "node2", 2181, "srvr", 1000ms);  // nothing configured: empty answer
  ASSERT_FALSE(e);
  EXPECT_EQ(e.failure(), Failure::protocol);
}
