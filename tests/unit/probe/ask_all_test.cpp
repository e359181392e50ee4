// ask_tcp_all (every question in one poll loop) and probe_nodes_tcp against listeners on
// 127.0.0.1: same answers and failures as ask_tcp, in the order asked.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "probe/ask.hpp"
#include "probe/node.hpp"
#include "support/fake_zk.hpp"

using namespace zkctl::probe;
using namespace std::chrono_literals;
using probe_test::Behaviour;
using probe_test::BoundSocket;
using probe_test::FakeZk;
using probe_test::read_vector;

TEST(AskTcpAll, AnswersInTheOrderAsked) {
  const auto mntr = read_vector("ensemble_leader_mntr.txt");  // several reads
  FakeZk a({{"srvr", read_vector("ensemble_leader_srvr.txt")}, {"mntr", mntr}});
  FakeZk b({{"srvr", read_vector("ensemble_follower_srvr.txt")}});
  BoundSocket closed;  // bound, not listening: refused
  FakeZk refuses(
      probe_test::Answers{{"mntr", "mntr is not executed because it is not in the whitelist.\n"}});
  std::vector<TcpQuestion> qs = {
      {"127.0.0.1", a.port(), "srvr"}, {"127.0.0.1", b.port(), "srvr"},
      {"127.0.0.1", a.port(), "mntr"}, {"127.0.0.1", closed.port(), "srvr"},
      {"localhost", b.port(), "srvr"}, {"127.0.0.1", refuses.port(), "mntr"}};
  auto answers = ask_tcp_all(qs, 3000ms);
  ASSERT_EQ(answers.size(), qs.size());
  ASSERT_TRUE(answers[0]) << answers[0].error().message;
  EXPECT_EQ(*answers[0], read_vector("ensemble_leader_srvr.txt"));
  ASSERT_TRUE(answers[1]) << answers[1].error().message;
  EXPECT_EQ(*answers[1], read_vector("ensemble_follower_srvr.txt"));
  ASSERT_TRUE(answers[2]) << answers[2].error().message;
  EXPECT_EQ(*answers[2], mntr);
  EXPECT_EQ(answers[3].failure(), Failure::refused);
  EXPECT_NE(answers[3].error().message.find("127.0.0.1:" + std::to_string(closed.port())),
            std::string::npos);
  // localhost may resolve to ::1 first, where nothing listens: the next address is tried.
  ASSERT_TRUE(answers[4]) << answers[4].error().message;
  EXPECT_EQ(answers[5].failure(), Failure::not_whitelisted);
}

TEST(AskTcpAll, ASilentServerTimesOutWithoutSpoilingTheOthers) {
  FakeZk silent({}, Behaviour::silent);
  FakeZk ok({{"srvr", read_vector("standalone_srvr.txt")}});
  auto answers =
      ask_tcp_all({{"127.0.0.1", silent.port(), "srvr"}, {"127.0.0.1", ok.port(), "srvr"}}, 300ms);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].failure(), Failure::timeout);
  EXPECT_NE(answers[0].error().message.find("within 300 ms"), std::string::npos)
      << answers[0].error().message;
  ASSERT_TRUE(answers[1]) << answers[1].error().message;
}

TEST(AskTcpAll, NoQuestionsNoAnswers) {
  EXPECT_TRUE(ask_tcp_all({}, 100ms).empty());
}

TEST(ProbeNodesTcp, JudgesLikeProbeNode) {
  FakeZk leader({{"srvr", read_vector("ensemble_leader_srvr.txt")},
                 {"mntr", read_vector("ensemble_leader_mntr.txt")}});
  FakeZk observer({{"srvr", read_vector("ensemble_observer_srvr.txt")},
                   {"mntr", read_vector("ensemble_observer_mntr.txt")}});
  BoundSocket closed;
  auto probes = probe_nodes_tcp(
      {{"127.0.0.1", leader.port()}, {"127.0.0.1", observer.port()}, {"127.0.0.1", closed.port()}},
      3000ms);
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_EQ(probes[0].mode, Mode::leader) << probes[0].detail;
  ASSERT_TRUE(probes[0].mntr);
  EXPECT_TRUE(probes[0].mntr->synced_followers.has_value());
  EXPECT_EQ(probes[1].mode, Mode::observer) << probes[1].detail;
  EXPECT_EQ(probes[2].mode, Mode::down);
  EXPECT_EQ(probes[2].failure, Failure::refused);
  for (const auto& p : probes) EXPECT_EQ(p.transport, Transport::tcp);
  // The same answers through probe_node give the same verdicts.
  EXPECT_EQ(probe_node("127.0.0.1", leader.port(), 3000ms, nullptr).mode, probes[0].mode);
  EXPECT_EQ(probe_node("127.0.0.1", closed.port(), 3000ms, nullptr).mode, probes[2].mode);
}

TEST(ProbeNodesTcp, SrvrOnlyAsksMntrJustWhereSrvrIsRefused) {
  FakeZk follower({{"srvr", read_vector("ensemble_follower_srvr.txt")},
                   {"mntr", read_vector("ensemble_follower_mntr.txt")}});
  FakeZk no_srvr(
      probe_test::Answers{{"srvr", "srvr is not executed because it is not in the whitelist.\n"},
                          {"mntr", read_vector("ensemble_observer_mntr.txt")}});
  auto probes = probe_nodes_tcp({{"127.0.0.1", follower.port()}, {"127.0.0.1", no_srvr.port()}},
                                3000ms, AskMntr::no);
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].mode, Mode::follower) << probes[0].detail;
  EXPECT_TRUE(probes[0].srvr.has_value());
  EXPECT_FALSE(probes[0].mntr.has_value());
  EXPECT_TRUE(probes[0].detail.empty()) << probes[0].detail;
  EXPECT_EQ(follower.words(), (std::vector<std::string>{"srvr"}));
  // srvr refused by the whitelist: mntr is asked and gives the mode.
  EXPECT_EQ(probes[1].mode, Mode::observer) << probes[1].detail;
  EXPECT_EQ(no_srvr.words(), (std::vector<std::string>{"srvr", "mntr"}));
}
