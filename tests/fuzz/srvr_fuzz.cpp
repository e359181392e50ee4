// Fuzz target for probe::parse_srvr (answers to `srvr` and `stat`).
// Properties: never crashes; parsing is deterministic; a not-serving answer is
// Mode::not_serving; a parsed zxid is one zxid_number() accepts.

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
  const auto kind = probe::classify_answer(text);
  const auto r = probe::parse_srvr(text);
  if (kind == probe::AnswerKind::not_serving) {
    FUZZ_CHECK(r.ok() && r->mode == probe::Mode::not_serving, "not serving: " + printable(text));
  }
  if (kind == probe::AnswerKind::empty || kind == probe::AnswerKind::whitelist_refusal) {
    FUZZ_CHECK(!r.ok(), "accepted an empty or refused answer: " + printable(text));
  }
  if (r.ok()) {
    if (!r->zxid.empty()) {
      FUZZ_CHECK(probe::zxid_number(r->zxid).has_value(), "zxid " + printable(r->zxid));
    }
    const auto again = probe::parse_srvr(text);
    FUZZ_CHECK(again.ok() && again->mode == r->mode && again->version == r->version,
               "not deterministic: " + printable(text));
  }
  (void)probe::to_string(r.ok() ? r->mode : probe::Mode::unknown);
  return 0;
}
