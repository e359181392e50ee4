// Fuzz target for probe::parse_mntr.
// Properties: never crashes; a parsed answer has a zk_server_state entry and its
// mode is mode_from_zookeeper() of it; every typed counter equals its raw value.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "probe/four_letter.hpp"

using zkctl::fuzz::printable;
namespace probe = zkctl::probe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = probe::parse_mntr(text);
  if (probe::classify_answer(text) != probe::AnswerKind::data) {
    FUZZ_CHECK(!r.ok(), "accepted a special answer: " + printable(text));
  }
  if (!r.ok()) return 0;
  const auto state = r->raw.find("zk_server_state");
  FUZZ_CHECK(state != r->raw.end() && state->second == r->server_state,
             "server_state without its raw line: " + printable(text));
  FUZZ_CHECK(r->mode == probe::mode_from_zookeeper(r->server_state),
             "mode of " + printable(r->server_state));
  if (r->znode_count) {
    const auto raw = r->raw.find("zk_znode_count");
    FUZZ_CHECK(raw != r->raw.end(), "znode_count without its raw line: " + printable(text));
    long v = 0;
    const auto& s = raw->second;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    FUZZ_CHECK(ec == std::errc{} && p == s.data() + s.size() && v == *r->znode_count,
               "zk_znode_count " + printable(s));
  }
  return 0;
}
