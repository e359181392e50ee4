// probe_node against loopback fakes: mode, detail, transport and the time bound.

#include "probe/node.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/fake_zk.hpp"

using namespace zkctl::probe;
using namespace probe_test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
// probe_node over TCP (no fallback) against a FakeZk answering srvr and mntr as given.
NodeProbe probe_fake(const std::string& srvr, const std::string& mntr) {
  FakeZk zk({{"srvr", srvr}, {"mntr", mntr}});
  return probe_node("127.0.0.1", zk.port(), 2000ms, nullptr);
}
}  // namespace

TEST(ProbeNode, LeaderOverTcp) {
  auto p =
      probe_fake(read_vector("ensemble_leader_srvr.txt"), read_vector("ensemble_leader_mntr.txt"));
  EXPECT_EQ(p.mode, Mode::leader);
  ASSERT_TRUE(p.srvr);
  ASSERT_TRUE(p.mntr);
  EXPECT_EQ(p.mntr->synced_followers, 2);
  EXPECT_EQ(p.transport, Transport::tcp);
  EXPECT_EQ(p.failure, Failure::none);
  EXPECT_EQ(p.detail, "");
}

TEST(ProbeNode, RefusedIsDownAndSkipsTheFallback) {
  BoundSocket closed;
  FakeRemote r;
  auto p = probe_node("127.0.0.1", closed.port(), 2000ms, &r);
  EXPECT_EQ(p.mode, Mode::down);
  EXPECT_EQ(p.failure, Failure::refused);
  EXPECT_TRUE(contains(p.detail, "connection refused")) << p.detail;
  EXPECT_FALSE(p.srvr);
  EXPECT_TRUE(r.opened.empty());
}

TEST(ProbeNode, NotServing) {
  auto p = probe_fake(read_vector("not_serving_srvr.txt"), read_vector("not_serving_mntr.txt"));
  EXPECT_EQ(p.mode, Mode::not_serving);
  EXPECT_TRUE(p.srvr);
  EXPECT_FALSE(p.mntr);
  EXPECT_EQ(p.detail, "");
}

TEST(ProbeNode, MntrNotWhitelistedIsDetailNotDown) {
  auto p = probe_fake(read_vector("ensemble_follower_srvr.txt"),
                      "mntr is not executed because it is not in the whitelist.\n");
  EXPECT_EQ(p.mode, Mode::follower);
  EXPECT_FALSE(p.mntr);
  EXPECT_TRUE(contains(p.detail, "`mntr` is not in 4lw.commands.whitelist")) << p.detail;
}

TEST(ProbeNode, SrvrNotWhitelistedTakesTheModeFromMntr) {
  auto p = probe_fake("srvr is not executed because it is not in the whitelist.\n",
                      read_vector("ensemble_observer_mntr.txt"));
  EXPECT_EQ(p.mode, Mode::observer);
  EXPECT_EQ(p.failure, Failure::not_whitelisted);
  EXPECT_TRUE(p.mntr);
  EXPECT_TRUE(contains(p.detail, "whitelist")) << p.detail;
}

TEST(ProbeNode, GarbageIsUnknown) {
  auto p = probe_fake("HTTP/1.1 400 Bad Request\r\n\r\n", "HTTP/1.1 400\r\n\r\n");
  EXPECT_EQ(p.mode, Mode::unknown);
  EXPECT_TRUE(contains(p.detail, "srvr: not a srvr/stat answer")) << p.detail;
}

TEST(ProbeNode, TimeoutWithoutFallbackIsDownWithinBound) {
  FakeZk zk({}, Behaviour::silent);
  const auto start = Clock::now();
  auto p = probe_node("127.0.0.1", zk.port(), 400ms, nullptr);
  EXPECT_LT(ms_since(start), 900ms);
  EXPECT_EQ(p.mode, Mode::down);
  EXPECT_EQ(p.failure, Failure::timeout);
  EXPECT_TRUE(contains(p.detail, "no answer")) << p.detail;
}

TEST(ProbeNode, TimeoutFallsBackToSsh) {
  FakeZk zk({}, Behaviour::silent);
  FakeRemote r;
  r.answers["srvr"] = read_vector("ensemble_follower_srvr.txt");
  r.answers["mntr"] = read_vector("ensemble_follower_mntr.txt");
  const auto start = Clock::now();
  auto p = probe_node("127.0.0.1", zk.port(), 600ms, &r);
  EXPECT_LT(ms_since(start), 1100ms);
  EXPECT_EQ(p.mode, Mode::follower);
  EXPECT_EQ(p.transport, Transport::ssh);
  ASSERT_TRUE(p.mntr);
  EXPECT_EQ(p.mntr->peer_state, "following - broadcast");
  EXPECT_EQ(r.written, (std::vector<std::string>{"srvr", "mntr"}));
  EXPECT_EQ(r.opened.front(), "127.0.0.1:" + std::to_string(zk.port()));
}

TEST(ProbeNode, BothTransportsFailingSaysWhatEachSaw) {
  FakeZk zk({}, Behaviour::silent);
  FakeRemote r;
  r.open_error = "Channel opening failure: channel 43 error (2) Connection refused";
  auto p = probe_node("127.0.0.1", zk.port(), 400ms, &r);
  EXPECT_EQ(p.mode, Mode::down);
  EXPECT_EQ(p.transport, Transport::ssh);
  EXPECT_EQ(p.failure, Failure::refused);
  EXPECT_TRUE(contains(p.detail, "tcp: ")) << p.detail;
  EXPECT_TRUE(contains(p.detail, "no answer")) << p.detail;
  EXPECT_TRUE(contains(p.detail, "ssh: ")) << p.detail;
  EXPECT_TRUE(contains(p.detail, "connection refused")) << p.detail;
}
