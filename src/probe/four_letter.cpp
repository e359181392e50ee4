#include "probe/four_letter.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace zkctl::probe {

namespace {

constexpr std::string_view kNotServing =
    "This ZooKeeper instance is not currently serving requests";
constexpr std::string_view kWhitelist = " is not executed because it is not in the whitelist";
// The message of every parser error for a not-serving answer; is_not_serving(Error) matches it.
constexpr std::string_view kNotServingError =
    "not serving requests (electing a leader or syncing with it)";

std::string_view trim(std::string_view s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Split on '\n'; a trailing '\r' stays on the line (callers trim).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

template <typename T>
std::optional<T> number(std::string_view s) {
  s = trim(s);
  T v{};
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc{} || p != end) return std::nullopt;
  return v;
}

// `a/b/c` as three numbers.
template <typename T>
std::optional<std::array<T, 3>> triple(std::string_view s) {
  std::array<T, 3> out{};
  for (int i = 0; i < 3; ++i) {
    const auto slash = s.find('/');
    if ((i < 2) != (slash != std::string_view::npos)) return std::nullopt;
    auto v = number<T>(s.substr(0, slash));
    if (!v) return std::nullopt;
    out[i] = *v;
    if (slash != std::string_view::npos) s.remove_prefix(slash + 1);
  }
  return out;
}

// First line of `text`, shortened, for error messages about garbage.
std::string excerpt(std::string_view text) {
  auto line = trim(text.substr(0, text.find('\n')));
  std::string out(line.substr(0, 60));
  if (line.size() > 60) out += "...";
  return out;
}

// Errors shared by srvr and mntr for the special answers; nullopt for data.
std::optional<util::Error> special_answer_error(std::string_view text, std::string_view word) {
  switch (classify_answer(text)) {
    case AnswerKind::empty:
      return util::fail("empty answer to `" + std::string(word) + "`");
    case AnswerKind::whitelist_refusal: {
      const auto first = excerpt(text);
      return util::fail("`" + first.substr(0, first.find(' ')) +
                        "` is not in 4lw.commands.whitelist (a configuration problem; the server "
                        "is up)");
    }
    case AnswerKind::not_serving:
      return util::fail(std::string(kNotServingError));
    case AnswerKind::data:
      break;
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::leader:
      return "leader";
    case Mode::follower:
      return "follower";
    case Mode::observer:
      return "observer";
    case Mode::standalone:
      return "standalone";
    case Mode::read_only:
      return "read-only";
    case Mode::not_serving:
      return "not serving";
    case Mode::down:
      return "down";
    case Mode::unknown:
      return "unknown";
  }
  return "unknown";
}

Mode mode_from_zookeeper(std::string_view name) {
  name = trim(name);
  if (name == "leader") return Mode::leader;
  if (name == "follower") return Mode::follower;
  if (name == "observer") return Mode::observer;
  if (name == "standalone") return Mode::standalone;
  if (name == "read-only" || name == "read_only" || name == "readonly") return Mode::read_only;
  return Mode::unknown;
}

AnswerKind classify_answer(std::string_view answer) {
  if (trim(answer).empty()) return AnswerKind::empty;
  if (is_not_serving(answer)) return AnswerKind::not_serving;
  if (is_whitelist_refusal(answer)) return AnswerKind::whitelist_refusal;
  return AnswerKind::data;
}

bool is_whitelist_refusal(std::string_view answer) {
  const auto t = trim(answer);
  // One line: "<cmd> is not executed because it is not in the whitelist."
  return t.find('\n') == std::string_view::npos && t.find(kWhitelist) != std::string_view::npos;
}

bool is_not_serving(std::string_view answer) {
  return trim(answer).starts_with(kNotServing);
}

bool is_not_serving(const util::Error& error) {
  return error.message == kNotServingError;
}

std::optional<std::uint64_t> zxid_number(std::string_view zxid) {
  zxid = trim(zxid);
  if (!zxid.starts_with("0x") && !zxid.starts_with("0X")) return std::nullopt;
  zxid.remove_prefix(2);
  std::uint64_t v = 0;
  const auto* end = zxid.data() + zxid.size();
  auto [p, ec] = std::from_chars(zxid.data(), end, v, 16);
  if (zxid.empty() || ec != std::errc{} || p != end) return std::nullopt;
  return v;
}

util::Result<Srvr> parse_srvr(std::string_view text) {
  if (is_not_serving(text)) {
    Srvr s;
    s.mode = Mode::not_serving;
    return s;
  }
  if (auto e = special_answer_error(text, "srvr")) return *e;

  Srvr s;
  bool have_version = false;
  bool in_clients = false;
  for (auto raw : lines_of(text)) {
    // stat: "Clients:" then one indented line per connection, then a blank line.
    if (in_clients) {
      if (trim(raw).empty() || raw.starts_with(" ") || raw.starts_with("\t")) continue;
      in_clients = false;
    }
    const auto line = trim(raw);
    if (line.empty()) continue;
    if (line.starts_with("READ-ONLY mode")) {
      s.mode = Mode::read_only;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // unknown free text: tolerate
    const auto key = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    auto bad = [&] { return util::fail("malformed srvr line: \"" + std::string(line) + "\""); };
    auto counter = [&](long& field) -> bool {
      auto v = number<long>(value);
      if (v) field = *v;
      return v.has_value();
    };

    if (key == "Zookeeper version") {
      s.version = std::string(value);
      have_version = true;
    } else if (key == "Clients") {
      in_clients = true;
    } else if (key == "Latency min/avg/max") {
      auto t = triple<double>(value);
      if (!t) return bad();
      s.latency = Latency{(*t)[0], (*t)[1], (*t)[2]};
    } else if (key == "Received") {
      if (!counter(s.received)) return bad();
    } else if (key == "Sent") {
      if (!counter(s.sent)) return bad();
    } else if (key == "Connections") {
      if (!counter(s.connections)) return bad();
    } else if (key == "Outstanding") {
      if (!counter(s.outstanding)) return bad();
    } else if (key == "Zxid") {
      if (!zxid_number(value)) return bad();
      s.zxid = std::string(value);
    } else if (key == "Mode") {
      s.mode = mode_from_zookeeper(value);
    } else if (key == "Node count") {
      if (!counter(s.node_count)) return bad();
    } else if (key == "Proposal sizes last/min/max") {
      auto t = triple<long>(value);
      if (!t) return bad();
      s.proposal_sizes = ProposalSizes{(*t)[0], (*t)[1], (*t)[2]};
    }
    // Other keys (newer servers may add some): ignored.
  }
  if (!have_version) {
    return util::fail("not a srvr/stat answer (no \"Zookeeper version:\" line): \"" +
                      excerpt(text) + "\"");
  }
  return s;
}

// A counter of mntr: an integer, or (with the Prometheus metrics provider, whose mntr prints
// every value as a double) a whole number written as one, "2.0".
static std::optional<long> counter(std::string_view s) {
  if (auto v = number<long>(s)) return v;
  double d = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d) || d != std::floor(d) ||
      std::fabs(d) > 9e15)
    return std::nullopt;
  return static_cast<long>(d);
}

util::Result<Mntr> parse_mntr(std::string_view text) {
  if (auto e = special_answer_error(text, "mntr")) return *e;

  Mntr m;
  for (auto raw : lines_of(text)) {
    const auto line = trim(raw);
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    if (!line.starts_with("zk_") || tab == std::string_view::npos) {
      return util::fail("not a mntr answer: line \"" + excerpt(line) + "\"");
    }
    m.raw.emplace(std::string(trim(line.substr(0, tab))), std::string(trim(line.substr(tab + 1))));
  }
  auto it = m.raw.find("zk_server_state");
  if (it == m.raw.end()) return util::fail("not a mntr answer (no zk_server_state line)");
  m.server_state = it->second;
  m.mode = mode_from_zookeeper(m.server_state);
  if (auto p = m.raw.find("zk_peer_state"); p != m.raw.end()) m.peer_state = p->second;

  const std::pair<const char*, std::optional<long>*> counters[] = {
      {"zk_quorum_size", &m.quorum_size},
      {"zk_synced_followers", &m.synced_followers},
      {"zk_synced_non_voting_followers", &m.synced_non_voting_followers},
      {"zk_synced_observers", &m.synced_observers},
      {"zk_pending_syncs", &m.pending_syncs},
      {"zk_learners", &m.learners},
      {"zk_outstanding_requests", &m.outstanding_requests},
      {"zk_znode_count", &m.znode_count},
  };
  for (const auto& [key, field] : counters) {
    auto f = m.raw.find(key);
    if (f == m.raw.end()) continue;
    auto v = counter(f->second);
    if (!v) return util::fail(std::string("malformed mntr value: ") + key + "\t" + f->second);
    *field = *v;
  }
  return m;
}

}  // namespace zkctl::probe
