#include "ops/backup/zk_state.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace zkctl::ops {

namespace {

std::optional<std::uint64_t> hex_number(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  return v;
}

std::optional<std::uint64_t> dec_number(std::string_view text) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    std::size_t sp = line.find(' ', at);
    if (sp == std::string_view::npos) sp = line.size();
    if (sp > at) out.push_back(line.substr(at, sp - at));
    at = sp + 1;
  }
  return out;
}

std::uint64_t big_endian(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Adler-32, the checksum ZooKeeper frames each logged transaction with.
std::uint64_t adler32(const unsigned char* p, std::size_t n) {
  std::uint32_t a = 1, b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (static_cast<std::uint64_t>(b) << 16) | a;
}

// One "epoch currentEpoch=N" line into `listing`.
bool parse_epoch(std::string_view w, StateListing& listing) {
  const auto eq = w.find('=');
  if (eq == std::string_view::npos) return false;
  auto v = dec_number(w.substr(eq + 1));
  if (!v) return false;
  if (w.substr(0, eq) == "currentEpoch") listing.current_epoch = v;
  if (w.substr(0, eq) == "acceptedEpoch") listing.accepted_epoch = v;
  return true;
}

}  // namespace

std::string zxid_hex(std::uint64_t zxid) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(zxid));
  return buf;
}

std::optional<StateFile> state_file_of(std::string_view name, std::uint64_t size) {
  StateFile f;
  std::string_view rest;
  if (name.starts_with("snapshot.")) {
    f.kind = StateFile::Kind::snapshot;
    rest = name.substr(9);
  } else if (name.starts_with("log.")) {
    f.kind = StateFile::Kind::log;
    rest = name.substr(4);
  } else {
    return std::nullopt;
  }
  auto zxid = hex_number(rest);
  if (!zxid) return std::nullopt;
  f.name = std::string(name);
  f.zxid = *zxid;
  f.size = size;
  return f;
}

util::Result<StateListing> parse_listing(std::string_view text) {
  StateListing listing;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    if (line.empty()) continue;
    auto w = words(line);
    bool ok = false;
    if (w.size() == 2 && w[0] == "epoch") {
      ok = parse_epoch(w[1], listing);
    } else if ((w.size() == 4 && w[0] == "snapshot") || (w.size() == 3 && w[0] == "log")) {
      auto size = dec_number(w[2]);
      auto f = size ? state_file_of(w[1], *size) : std::nullopt;
      if (f && (w[0] == "log") == (f->kind == StateFile::Kind::log)) {
        if (w.size() == 4) f->whole = w[3] == "1";
        listing.files.push_back(*f);
        ok = true;
      } else {
        ok = size.has_value();  // a name ZooKeeper does not read (snapshot.N.gz): skipped
      }
    }
    if (!ok) return util::fail("unexpected line in the state listing: " + std::string(line));
  }
  return listing;
}

std::uint64_t StateSelection::bytes() const {
  std::uint64_t total = snapshot.size;
  for (const auto& l : logs) total += l.size;
  return total;
}

util::Result<StateSelection> select_state(const StateListing& listing) {
  std::optional<StateFile> snap;
  std::vector<StateFile> logs;
  for (const auto& f : listing.files) {
    if (f.kind == StateFile::Kind::log) {
      logs.push_back(f);
    } else if (f.whole && (!snap || f.zxid > snap->zxid)) {
      snap = f;
    }
  }
  if (!snap) return util::fail("no complete snapshot in the data dir");
  std::sort(logs.begin(), logs.end(), [](const auto& a, const auto& b) { return a.zxid < b.zxid; });
  StateSelection sel{*snap, {}};
  // The newest log starting at or before the snapshot holds the transactions right after it.
  std::size_t from = 0;
  for (std::size_t i = 0; i < logs.size(); ++i)
    if (logs[i].zxid <= snap->zxid) from = i;
  for (std::size_t i = from; i < logs.size(); ++i) sel.logs.push_back(logs[i]);
  return sel;
}

std::uint64_t named_zxid(const StateListing& listing) {
  std::uint64_t top = 0;
  for (const auto& f : listing.files) top = std::max(top, f.zxid);
  return top;
}

util::Result<TxnLogScan> scan_txn_log(std::istream& in, std::uint64_t size) {
  std::array<unsigned char, 16> header{};
  if (size < header.size() || !in.read(reinterpret_cast<char*>(header.data()), header.size()) ||
      big_endian(header.data(), 4) != 0x5a4b4c47) {
    return util::fail("not a ZooKeeper transaction log (no ZKLG header)");
  }
  TxnLogScan scan;
  scan.end = header.size();
  std::uint64_t at = header.size();
  std::vector<char> body;
  while (at + 12 <= size) {
    std::array<unsigned char, 12> frame{};  // crc(8) length(4)
    if (!in.read(reinterpret_cast<char*>(frame.data()), frame.size())) break;
    const std::uint64_t len = big_endian(frame.data() + 8, 4);
    // A zero length is the preallocated tail; a header is at least 28 bytes.
    if (len < 28 || len > (1u << 30) || at + 12 + len + 1 > size) break;
    body.resize(len + 1);
    if (!in.read(body.data(), static_cast<std::streamsize>(len + 1)) || body[len] != 'B') break;
    const auto* p = reinterpret_cast<const unsigned char*>(body.data());
    if (adler32(p, len) != big_endian(frame.data(), 8)) break;  // torn: written while read
    const std::uint64_t zxid = big_endian(p + 12, 8);  // TxnHeader: clientId(8) cxid(4) zxid
    if (scan.txns == 0) scan.first_zxid = zxid;
    scan.last_zxid = zxid;
    ++scan.txns;
    at += 12 + len + 1;
    scan.end = at;
  }
  return scan;
}

}  // namespace zkctl::ops
