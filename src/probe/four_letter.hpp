#pragma once
// ZooKeeper four-letter words: classify and parse the answers to `srvr`, `stat`
// and `mntr`. Pure text in, values out; no I/O (see probe/ask.hpp for that).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace zkctl::probe {

// The role a server reports. `not_serving`: the process answers but is electing or
// syncing; `down`: nothing answered (set by probe_node, never by a parser).
enum class Mode { leader, follower, observer, standalone, read_only, not_serving, down, unknown };

// "leader", "follower", ..., "read-only", "not serving", "down", "unknown".
const char* to_string(Mode mode);

// Map ZooKeeper's own name ("leader", "read-only", ...) to a Mode; anything else is
// Mode::unknown.
Mode mode_from_zookeeper(std::string_view name);

struct Latency {
  double min = 0;
  double avg = 0;
  double max = 0;
};

// Leader only: sizes in bytes of the last, smallest and largest proposal (-1 until one).
struct ProposalSizes {
  long last = -1;
  long min = -1;
  long max = -1;
};

// The answer to `srvr` or `stat`. Counters a server did not report are -1; a
// server that is not serving reports nothing but its mode.
struct Srvr {
  std::string version;                          // "3.8.0-..., built on ..."
  std::optional<Latency> latency;               // ms
  long received = -1;                           // packets received
  long sent = -1;                               // packets sent
  long connections = -1;                        // open client connections
  long outstanding = -1;                        // queued requests
  std::string zxid;                             // "0x100000004"; empty if not reported
  long node_count = -1;                         // znodes
  Mode mode = Mode::unknown;                    // from "Mode:" (or READ-ONLY / not serving)
  std::optional<ProposalSizes> proposal_sizes;  // leader only
};

// Parse the answer to `srvr` or `stat` (stat's Clients: block is skipped).
// "not currently serving requests" gives a Srvr with Mode::not_serving; a whitelist
// refusal, an empty answer or anything without a "Zookeeper version:" line is an error.
// Tolerates \r\n and missing optional lines; a known line with a malformed value is an error.
util::Result<Srvr> parse_srvr(std::string_view text);

// The answer to `mntr`. Typed fields are unset when the server did not report them
// (the leader-only ones on other roles; peer_state and quorum_size on a standalone).
struct Mntr {
  std::map<std::string, std::string> raw;  // every "zk_<key>\t<value>" line, key with zk_
  std::string server_state;                // zk_server_state: leader, follower, read-only...
  std::string peer_state;                  // zk_peer_state: "following - broadcast", "looking"...
  Mode mode = Mode::unknown;               // server_state as a Mode
  std::optional<long> quorum_size;
  std::optional<long> synced_followers;             // leader only; counts non-voting followers too
  std::optional<long> synced_non_voting_followers;  // leader only
  std::optional<long> synced_observers;             // leader only
  std::optional<long> pending_syncs;                // leader only
  std::optional<long> learners;                     // leader only
  std::optional<long> outstanding_requests;
  std::optional<long> znode_count;
};

// Parse the answer to `mntr`. Not serving, whitelist refusal, empty or garbage (no
// zk_server_state line) are errors; tell "not serving" apart with is_not_serving(Error).
util::Result<Mntr> parse_mntr(std::string_view text);

// What a four-letter answer is, before parsing it.
enum class AnswerKind {
  data,               // anything else: parse it
  empty,              // nothing but whitespace
  not_serving,        // "This ZooKeeper instance is not currently serving requests"
  whitelist_refusal,  // "<cmd> is not executed because it is not in the whitelist."
};
AnswerKind classify_answer(std::string_view answer);

// True if `answer` is "<cmd> is not executed because it is not in the whitelist."
bool is_whitelist_refusal(std::string_view answer);

// True if `answer` is "This ZooKeeper instance is not currently serving requests".
bool is_not_serving(std::string_view answer);

// True if `error` came from a parser that got the not-serving answer.
bool is_not_serving(const util::Error& error);

// "0x100000004" -> 0x100000004 (epoch in the high 32 bits); nullopt if malformed.
std::optional<std::uint64_t> zxid_number(std::string_view zxid);

}  // namespace zkctl::probe
