// Parsers against answers captured from ZooKeeper 3.8.0 (tests/unit/probe/data, see its
// README) and hand-written ones in the formats of OPS-FACTS.md.

#include "probe/four_letter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fake_zk.hpp"

using namespace zkctl::probe;
using probe_test::read_vector;

// ---- srvr / stat: captured ----

TEST(ParseSrvr, CapturedStandalone) {
  for (const char* f : {"standalone_srvr.txt", "standalone_stat.txt"}) {
    auto s = parse_srvr(read_vector(f));
    ASSERT_TRUE(s) << f << ": " << s.error().message;
    EXPECT_EQ(s->mode, Mode::standalone) << f;
    EXPECT_EQ(s->version, "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
    ASSERT_TRUE(s->latency.has_value());
    EXPECT_DOUBLE_EQ(s->latency->avg, 0.0);
    EXPECT_EQ(s->zxid, "0x0");
    EXPECT_EQ(s->node_count, 5);
    EXPECT_EQ(s->connections, 1);
    EXPECT_EQ(s->outstanding, 0);
    EXPECT_GT(s->received, 0);
    EXPECT_GT(s->sent, 0);
    EXPECT_FALSE(s->proposal_sizes.has_value());
  }
}

TEST(ParseSrvr, CapturedLeaderHasProposalSizes) {
  for (const char* f : {"ensemble_leader_srvr.txt", "ensemble_leader_stat.txt"}) {
    auto s = parse_srvr(read_vector(f));
    ASSERT_TRUE(s) << f << ": " << s.error().message;
    EXPECT_EQ(s->mode, Mode::leader);
    EXPECT_EQ(s->zxid, "0x100000004");
    EXPECT_EQ(zxid_number(s->zxid), 0x100000004u);
    EXPECT_EQ(s->node_count, 7);
    ASSERT_TRUE(s->proposal_sizes.has_value()) << f;
    EXPECT_EQ(s->proposal_sizes->last, 102);
    EXPECT_EQ(s->proposal_sizes->min, 48);
    EXPECT_EQ(s->proposal_sizes->max, 102);
  }
  auto s = parse_srvr(read_vector("ensemble_leader_srvr.txt"));
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->latency->min, 3);
  EXPECT_DOUBLE_EQ(s->latency->avg, 3.5);
  EXPECT_DOUBLE_EQ(s->latency->max, 4);
}

TEST(ParseSrvr, CapturedFollowerAndObserver) {
  for (const auto& [f, mode] : {std::pair{"ensemble_follower_srvr.txt", Mode::follower},
                                {"ensemble_follower_stat.txt", Mode::follower},
                                {"ensemble_observer_srvr.txt", Mode::observer},
                                {"ensemble_observer_stat.txt", Mode::observer}}) {
    auto s = parse_srvr(read_vector(f));
    ASSERT_TRUE(s) << f << ": " << s.error().message;
    EXPECT_EQ(s->mode, mode) << f;
    EXPECT_EQ(s->zxid, "0x100000004") << f;
    EXPECT_FALSE(s->proposal_sizes.has_value()) << f;
  }
}

TEST(ParseSrvr, CapturedReadOnly) {
  for (const char* f : {"read_only_srvr.txt", "read_only_stat.txt"}) {
    auto s = parse_srvr(read_vector(f));
    ASSERT_TRUE(s) << f << ": " << s.error().message;
    EXPECT_EQ(s->mode, Mode::read_only) << f;
    EXPECT_EQ(s->node_count, 7);
  }
}

TEST(ParseSrvr, CapturedNotServing) {
  for (const char* f :
       {"not_serving_srvr.txt", "not_serving_stat.txt", "not_serving_observer_srvr.txt"}) {
    auto s = parse_srvr(read_vector(f));
    ASSERT_TRUE(s) << f << ": " << s.error().message;
    EXPECT_EQ(s->mode, Mode::not_serving) << f;
    EXPECT_EQ(s->node_count, -1);
    EXPECT_TRUE(s->zxid.empty());
  }
}

TEST(ParseSrvr, CapturedWhitelistRefusalIsAnError) {
  auto s = parse_srvr(read_vector("whitelist_refusal_envi.txt"));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("envi"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("whitelist"), std::string::npos) << s.error().message;
}

// ---- srvr: hand-written ----

TEST(ParseSrvr, HandWrittenLeaderWithCrLf) {
  const std::string text =
      "Zookeeper version: 3.9.2-e454e8c7283100c7caec6dcae2bc82aaecb63023, built on 2024-02-12 "
      "22:16 UTC\r\n"
      "Latency min/avg/max: 0/1.2345/87\r\n"
      "Received: 123456\r\n"
      "Sent: 123457\r\n"
      "Connections: 12\r\n"
      "Outstanding: 3\r\n"
      "Zxid: 0x30000abcd\r\n"
      "Mode: leader\r\n"
      "Node count: 4242\r\n"
      "Proposal sizes last/min/max: -1/-1/-1\r\n";
  auto s = parse_srvr(text);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mode, Mode::leader);
  EXPECT_EQ(s->version.substr(0, 5), "3.9.2");
  EXPECT_DOUBLE_EQ(s->latency->avg, 1.2345);
  EXPECT_DOUBLE_EQ(s->latency->max, 87);
  EXPECT_EQ(s->received, 123456);
  EXPECT_EQ(s->sent, 123457);
  EXPECT_EQ(s->connections, 12);
  EXPECT_EQ(s->outstanding, 3);
  EXPECT_EQ(s->zxid, "0x30000abcd");
  EXPECT_EQ(*zxid_number(s->zxid) >> 32, 3u);  // epoch
  EXPECT_EQ(s->node_count, 4242);
  ASSERT_TRUE(s->proposal_sizes);
  EXPECT_EQ(s->proposal_sizes->last, -1);
}

TEST(ParseSrvr, HandWrittenFollowerAndObserverStat) {
  const std::string stat =
      "Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 "
      "22:16 UTC\n"
      "Clients:\n"
      " /"
      "10.0.0.5:51234[1](queued=0,recved=10,sent=10,sid=0x100,lop=PING,est=1,to=30000,lcxid=0x0,"
      "lzxid=0xffffffffffffffff,lresp=1,llat=0,minlat=0,avglat=0,maxlat=1)\n"
      " /10.0.0.6:40000[0](queued=0,recved=1,sent=0)\n"
      "\n"
      "Latency min/avg/max: 0/0.5/2\n"
      "Received: 11\n"
      "Sent: 10\n"
      "Connections: 2\n"
      "Outstanding: 0\n"
      "Zxid: 0x200000010\n"
      "Mode: follower\n"
      "Node count: 9\n";
  auto s = parse_srvr(stat);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mode, Mode::follower);
  EXPECT_EQ(s->connections, 2);
  EXPECT_EQ(s->node_count, 9);

  std::string observer = stat;
  observer.replace(observer.find("Mode: follower"), 14, "Mode: observer");
  auto o = parse_srvr(observer);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->mode, Mode::observer);
}

TEST(ParseSrvr, MissingOptionalLinesAreTolerated) {
  auto s = parse_srvr("Zookeeper version: 3.5.9\nMode: follower\n");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mode, Mode::follower);
  EXPECT_FALSE(s->latency);
  EXPECT_EQ(s->received, -1);
  EXPECT_TRUE(s->zxid.empty());

  auto no_mode = parse_srvr("Zookeeper version: 3.5.9\nZxid: 0x5\n");
  ASSERT_TRUE(no_mode);
  EXPECT_EQ(no_mode->mode, Mode::unknown);

  auto odd_mode = parse_srvr("Zookeeper version: 9.9\nMode: bystander\nSomething new: 1\n");
  ASSERT_TRUE(odd_mode);
  EXPECT_EQ(odd_mode->mode, Mode::unknown);
}

TEST(ParseSrvr, ReadOnlyLineAloneMeansReadOnly) {
  auto s = parse_srvr(
      "Zookeeper version: 3.8.0\nREAD-ONLY mode; serving only read-only clients\nZxid: 0x1\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->mode, Mode::read_only);
}

TEST(ParseSrvr, HandWrittenNotServingWithCrLf) {
  auto s = parse_srvr("This ZooKeeper instance is not currently serving requests\r\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->mode, Mode::not_serving);
}

TEST(ParseSrvr, GarbageAndEmptyAreErrors) {
  for (const std::string& text : std::vector<std::string>{
           "", "\r\n  \n", "imok", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
           "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", std::string("\x00\x01\x02\xff", 4),
           "zk_version\t3.8.0\nzk_server_state\tleader\n"}) {
    auto s = parse_srvr(text);
    EXPECT_FALSE(s) << "accepted: " << text;
  }
  auto e = parse_srvr("");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("empty"), std::string::npos);
}

TEST(ParseSrvr, MalformedKnownValueIsAnError) {
  EXPECT_FALSE(parse_srvr("Zookeeper version: 3.8.0\nReceived: lots\n"));
  EXPECT_FALSE(parse_srvr("Zookeeper version: 3.8.0\nLatency min/avg/max: 1/2\n"));
  EXPECT_FALSE(parse_srvr("Zookeeper version: 3.8.0\nZxid: 12\n"));
  EXPECT_FALSE(parse_srvr("Zookeeper version: 3.8.0\nProposal sizes last/min/max: a/b/c\n"));
}

// ---- mntr ----

TEST(ParseMntr, CapturedLeader) {
  auto m = parse_mntr(read_vector("ensemble_leader_mntr.txt"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->server_state, "leader");
  EXPECT_EQ(m->mode, Mode::leader);
  EXPECT_EQ(m->peer_state, "leading - broadcast");
  EXPECT_EQ(m->quorum_size, 3);
  EXPECT_EQ(m->synced_followers, 2);
  EXPECT_EQ(m->synced_non_voting_followers, 0);
  EXPECT_EQ(m->synced_observers, 1);
  EXPECT_EQ(m->pending_syncs, 0);
  EXPECT_EQ(m->learners, 3);
  EXPECT_EQ(m->outstanding_requests, 0);
  EXPECT_EQ(m->znode_count, 7);
  EXPECT_EQ(m->raw.at("zk_version"), "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
  EXPECT_GT(m->raw.size(), 300u);
}

// With metricsProvider.className=...PrometheusMetricsProvider (zkctl's [metrics]), mntr prints
// every value as a double and adds labelled summary lines (ZooKeeper 3.8.0 on loopback); a
// roll's in-sync gate read "the leader's mntr is not available" until counters took "2.0".
TEST(ParseMntr, PrometheusProvidersDoublesAndLabelledLines) {
  auto m = parse_mntr(
      "zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
      "zk_server_state\tleader\n"
      "zk_inflight_snap_count{quantile=\"0.5\"}\tNaN\n"
      "zk_jvm_memory_pool_allocated_bytes_total{pool=\"CodeHeap 'profiled nmethods'\"}\t1259648.0\n"
      "zk_synced_followers\t2.0\n"
      "zk_quorum_size\t3.0\n"
      "zk_znode_count\t1.7E3\n"
      "zk_outstanding_requests\t0.0\n");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->mode, Mode::leader);
  EXPECT_EQ(m->synced_followers, 2);
  EXPECT_EQ(m->quorum_size, 3);
  EXPECT_EQ(m->znode_count, 1700);
  EXPECT_EQ(m->outstanding_requests, 0);
  EXPECT_FALSE(parse_mntr("zk_server_state\tleader\nzk_synced_followers\t2.5\n"));
  EXPECT_FALSE(parse_mntr("zk_server_state\tleader\nzk_synced_followers\tNaN\n"));
}

TEST(ParseMntr, CapturedFollowerObserverStandaloneReadOnly) {
  struct Case {
    const char* file;
    Mode mode;
    const char* peer_state;
    bool has_quorum_size;
  };
  for (const Case& c :
       {Case{"ensemble_follower_mntr.txt", Mode::follower, "following - broadcast", true},
        Case{"ensemble_observer_mntr.txt", Mode::observer, "observing - broadcast", true},
        Case{"standalone_mntr.txt", Mode::standalone, "", false},
        Case{"read_only_mntr.txt", Mode::read_only, "", false}}) {
    auto m = parse_mntr(read_vector(c.file));
    ASSERT_TRUE(m) << c.file << ": " << m.error().message;
    EXPECT_EQ(m->mode, c.mode) << c.file;
    EXPECT_EQ(m->peer_state, c.peer_state) << c.file;
    EXPECT_EQ(m->quorum_size.has_value(), c.has_quorum_size) << c.file;
    // Leader-only keys are absent elsewhere.
    EXPECT_FALSE(m->synced_followers.has_value()) << c.file;
    EXPECT_FALSE(m->pending_syncs.has_value()) << c.file;
    EXPECT_FALSE(m->learners.has_value()) << c.file;
    EXPECT_TRUE(m->znode_count.has_value()) << c.file;
  }
}

TEST(ParseMntr, HandWrittenLooking) {
  auto m = parse_mntr(
      "zk_version\t3.8.4\r\nzk_server_state\tfollower\r\nzk_peer_state\tlooking\r\n"
      "zk_quorum_size\t5\r\n");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->peer_state, "looking");
  EXPECT_EQ(m->quorum_size, 5);
}

TEST(ParseMntr, NotServingIsADistinguishableError) {
  auto m = parse_mntr(read_vector("not_serving_mntr.txt"));
  ASSERT_FALSE(m);
  EXPECT_TRUE(is_not_serving(m.error()));
  auto garbage = parse_mntr("garbage");
  ASSERT_FALSE(garbage);
  EXPECT_FALSE(is_not_serving(garbage.error()));
}

TEST(ParseMntr, WhitelistEmptyGarbageAreErrors) {
  auto w = parse_mntr("mntr is not executed because it is not in the whitelist.\n");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("`mntr` is not in 4lw.commands.whitelist"), std::string::npos)
      << w.error().message;
  EXPECT_FALSE(parse_mntr(""));
  EXPECT_FALSE(parse_mntr("imok"));
  EXPECT_FALSE(parse_mntr(read_vector("standalone_srvr.txt")));
  EXPECT_FALSE(parse_mntr("zk_version\t3.8.0\n"));  // no zk_server_state
  EXPECT_FALSE(parse_mntr("zk_server_state\tleader\nzk_quorum_size\tthree\n"));
}

// ---- classification ----

TEST(Classify, CapturedAnswers) {
  EXPECT_TRUE(is_whitelist_refusal(read_vector("whitelist_refusal_envi.txt")));
  EXPECT_TRUE(is_not_serving(read_vector("not_serving_srvr.txt")));
  EXPECT_FALSE(is_not_serving(read_vector("not_serving_ruok.txt")));  // "imok" even then
  EXPECT_FALSE(is_whitelist_refusal(read_vector("standalone_srvr.txt")));
  EXPECT_EQ(classify_answer(read_vector("standalone_mntr.txt")), AnswerKind::data);
  EXPECT_EQ(classify_answer(read_vector("not_serving_mntr.txt")), AnswerKind::not_serving);
  EXPECT_EQ(classify_answer(read_vector("whitelist_refusal_envi.txt")),
            AnswerKind::whitelist_refusal);
  EXPECT_EQ(classify_answer(" \r\n"), AnswerKind::empty);
}

TEST(Modes, NamesRoundTrip) {
  for (Mode m : {Mode::leader, Mode::follower, Mode::observer, Mode::standalone, Mode::read_only}) {
    EXPECT_EQ(mode_from_zookeeper(to_string(m)), m);
  }
  EXPECT_STREQ(to_string(Mode::not_serving), "not serving");
  EXPECT_STREQ(to_string(Mode::down), "down");
  EXPECT_EQ(mode_from_zookeeper("looking"), Mode::unknown);
}

TEST(Zxid, Numbers) {
  EXPECT_EQ(zxid_number("0x0"), 0u);
  EXPECT_EQ(zxid_number("0xffffffffffffffff"), 0xffffffffffffffffu);
  EXPECT_FALSE(zxid_number("123"));
  EXPECT_FALSE(zxid_number("0x"));
  EXPECT_FALSE(zxid_number("0xzz"));
}
