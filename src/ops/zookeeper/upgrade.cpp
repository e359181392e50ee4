#include "ops/zookeeper/upgrade.hpp"

#include <charconv>
#include <tuple>

namespace zkctl::ops {

namespace {

// The number at `pos` in `s`, followed by `sep` (or the end when sep is 0).
std::optional<int> number_at(const std::string& s, std::size_t& pos, char sep) {
  int v = 0;
  const char* first = s.data() + pos;
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr == first || v < 0) return std::nullopt;
  pos = static_cast<std::size_t>(ptr - s.data());
  if (sep != 0) {
    if (pos >= s.size() || s[pos] != sep) return std::nullopt;
    ++pos;
  }
  return v;
}

std::tuple<int, int, int> key(const DistVersion& v) {
  return {v.major, v.minor, v.patch};
}

}  // namespace

std::optional<DistVersion> parse_zk_version(const std::string& text) {
  std::size_t pos = 0;
  auto major = number_at(text, pos, '.');
  if (!major) return std::nullopt;
  auto minor = number_at(text, pos, '.');
  if (!minor) return std::nullopt;
  auto patch = number_at(text, pos, 0);
  if (!patch) return std::nullopt;
  return DistVersion{*major, *minor, *patch, text.substr(0, pos)};
}

std::string version_change_text(const DistVersion& from, const DistVersion& to) {
  if (key(from) == key(to)) return "";
  return std::string(key(from) < key(to) ? "upgrade " : "downgrade ") + from.text + " -> " +
         to.text;
}

std::optional<std::string> version_change_refusal(const DistVersion& from, const DistVersion& to) {
  if (std::tuple(to.major, to.minor) >= std::tuple(from.major, from.minor)) return std::nullopt;
  return version_change_text(from, to) +
         " goes back to an older minor line: ZooKeeper supports no downgrade once the newer "
         "release has written its snapshots and transaction logs (upgrade forward, or restore "
         "a backup); --force to downgrade anyway";
}

}  // namespace zkctl::ops
