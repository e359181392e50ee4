#include "ops/backup/archive.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "ops/backup/zk_state.hpp"

namespace zkctl::ops {

namespace {

constexpr std::size_t kBlock = 512;

std::uint64_t octal(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n && p[i] != 0 && p[i] != ' '; ++i) {
    if (p[i] < '0' || p[i] > '7') return ~0ull;
    v = v * 8 + static_cast<std::uint64_t>(p[i] - '0');
  }
  return v;
}

bool checksum_ok(const std::array<char, kBlock>& h) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  return octal(h.data() + 148, 8) == sum;
}

std::string field(const char* p, std::size_t n) {
  return std::string(p, strnlen(p, n));
}

// sha256 of `size` bytes of `in` from its position.
util::Result<std::string> sha256_of(std::istream& in, std::uint64_t size) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (size > 0) {
    const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(size, buf.size()));
    if (!in.read(buf.data(), n)) return util::fail("short read");
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n));
    size -= static_cast<std::uint64_t>(n);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  std::string hex;
  static const char* digits = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    hex += digits[md[i] >> 4];
    hex += digits[md[i] & 15];
  }
  return hex;
}

}  // namespace

util::Result<std::vector<TarEntry>> list_tar(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(path + ": cannot open: " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const auto total = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  std::vector<TarEntry> out;
  std::uint64_t at = 0;
  std::array<char, kBlock> h{};
  while (true) {
    if (at + kBlock > total || !in.read(h.data(), kBlock))
      return util::fail(path + ": truncated tar (no end marker)");
    if (h[0] == 0) return out;  // the end blocks
    if (!checksum_ok(h)) return util::fail(path + ": bad tar header at byte " + std::to_string(at));
    const std::uint64_t size = octal(h.data() + 124, 12);
    const char type = h[156];
    std::string name = field(h.data(), 100);
    if (std::memcmp(h.data() + 257, "ustar", 5) == 0 && h[345] != 0)
      name = field(h.data() + 345, 155) + "/" + name;
    if (size == ~0ull || at + kBlock + size > total)
      return util::fail(path + ": truncated tar member " + name);
    if (type == '0' || type == 0) {
      if (name.starts_with("./")) name = name.substr(2);
      out.push_back({name, at + kBlock, size});
    } else if (type != '5') {
      return util::fail(path + ": unexpected tar member type for " + name);
    }
    at += kBlock + (size + kBlock - 1) / kBlock * kBlock;
    in.seekg(static_cast<std::streamoff>(at));
  }
}

util::Result<void> TarWriter::header(const std::string& name, std::uint64_t size) {
  if (name.size() >= 100) return util::fail("tar member name too long: " + name);
  std::array<char, kBlock> h{};
  std::memcpy(h.data(), name.data(), name.size());
  std::snprintf(h.data() + 100, 8, "%07o", 0600);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  if (std::fwrite(h.data(), 1, kBlock, out_) != kBlock) return util::fail("write failed");
  return {};
}

util::Result<void> TarWriter::pad(std::uint64_t size) {
  static const std::array<char, kBlock> zeros{};
  const std::size_t n = (kBlock - size % kBlock) % kBlock;
  if (n > 0 && std::fwrite(zeros.data(), 1, n, out_) != n) return util::fail("write failed");
  return {};
}

util::Result<void> TarWriter::add(const std::string& name, const std::string& content) {
  if (auto h = header(name, content.size()); !h) return h;
  if (std::fwrite(content.data(), 1, content.size(), out_) != content.size())
    return util::fail("write failed");
  return pad(content.size());
}

util::Result<void> TarWriter::add_copy(const std::string& name, const std::string& from,
                                       std::uint64_t offset, std::uint64_t size) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return util::fail(from + ": cannot open");
  in.seekg(static_cast<std::streamoff>(offset));
  if (auto h = header(name, size); !h) return h;
  std::vector<char> buf(1 << 20);
  for (std::uint64_t left = size; left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    if (!in.read(buf.data(), static_cast<std::streamsize>(n)))
      return util::fail(from + ": short read");
    if (std::fwrite(buf.data(), 1, n, out_) != n) return util::fail("write failed");
    left -= n;
  }
  return pad(size);
}

util::Result<void> TarWriter::finish() {
  static const std::array<char, 2 * kBlock> zeros{};
  if (std::fwrite(zeros.data(), 1, zeros.size(), out_) != zeros.size())
    return util::fail("write failed");
  return {};
}

std::string manifest_json(const Manifest& m) {
  nlohmann::ordered_json j;
  j["format"] = m.format;
  j["kind"] = m.kind;
  j["cluster"] = m.cluster;
  j["server"] = {{"host", m.server}, {"id", m.server_id}, {"mode", m.mode}};
  if (m.kind == kKraftMetadata) {
    j["snapshot"] = {{"offset", m.snapshot_offset}, {"epoch", m.snapshot_epoch}};
    j["cluster_id"] = m.cluster_id;
    j["record_count"] = m.record_count ? nlohmann::ordered_json(*m.record_count) : nullptr;
  } else {
    j["zxid"] = {{"snapshot", zxid_hex(m.snapshot_zxid)}, {"last", zxid_hex(m.last_zxid)}};
    j["txns"] = m.txns;
    j["znode_count"] = m.znode_count ? nlohmann::ordered_json(*m.znode_count) : nullptr;
    j["ephemeral_count"] = m.ephemeral_count ? nlohmann::ordered_json(*m.ephemeral_count) : nullptr;
  }
  j["time"] = m.time;
  j["zkctl_version"] = m.zkctl_version;
  if (m.kind == kKraftMetadata)
    j["kafka_version"] = m.kafka_version;
  else
    j["zookeeper_version"] = m.zookeeper_version;
  j["members"] = nlohmann::ordered_json::array();
  for (const auto& x : m.members)
    j["members"].push_back({{"name", x.name}, {"size", x.size}, {"sha256", x.sha256}});
  return j.dump(2) + "\n";
}

util::Result<Manifest> parse_manifest(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    Manifest m;
    m.format = j.at("format").get<int>();
    if (m.format != 1)
      return util::fail("manifest format " + std::to_string(m.format) + " unknown");
    m.kind = j.at("kind").get<std::string>();
    m.cluster = j.at("cluster").get<std::string>();
    m.server = j.at("server").at("host").get<std::string>();
    m.server_id = j.at("server").at("id").get<int>();
    m.mode = j.at("server").at("mode").get<std::string>();
    m.time = j.at("time").get<std::string>();
    m.zkctl_version = j.at("zkctl_version").get<std::string>();
    for (const auto& x : j.at("members")) {
      m.members.push_back({x.at("name").get<std::string>(), x.at("size").get<std::uint64_t>(),
                           x.at("sha256").get<std::string>()});
    }
    if (m.kind == kKraftMetadata) {
      m.snapshot_offset = j.at("snapshot").at("offset").get<std::uint64_t>();
      m.snapshot_epoch = j.at("snapshot").at("epoch").get<std::uint32_t>();
      m.cluster_id = j.at("cluster_id").get<std::string>();
      if (!j.at("record_count").is_null()) m.record_count = j.at("record_count").get<long>();
      m.kafka_version = j.at("kafka_version").get<std::string>();
      return m;
    }
    auto zx = [&](const char* k) -> util::Result<std::uint64_t> {
      const auto s = j.at("zxid").at(k).get<std::string>();
      auto f = state_file_of("log." + (s.starts_with("0x") ? s.substr(2) : "?"), 0);
      if (!f) return util::fail(std::string("manifest zxid.") + k + " is not a zxid: " + s);
      return f->zxid;
    };
    auto snap = zx("snapshot");
    auto last = zx("last");
    if (!snap) return snap.error();
    if (!last) return last.error();
    m.snapshot_zxid = *snap;
    m.last_zxid = *last;
    m.txns = j.at("txns").get<std::uint64_t>();
    if (!j.at("znode_count").is_null()) m.znode_count = j.at("znode_count").get<long>();
    if (!j.at("ephemeral_count").is_null()) m.ephemeral_count = j.at("ephemeral_count").get<long>();
    m.zookeeper_version = j.at("zookeeper_version").get<std::string>();
    return m;
  } catch (const std::exception& e) {
    return util::fail(std::string("manifest.json: ") + e.what());
  }
}

util::Result<Archive> open_archive(const std::string& path) {
  auto entries = list_tar(path);
  if (!entries) return entries.error();
  if (entries->empty() || (*entries)[0].name != "manifest.json")
    return util::fail(path + ": not a zkctl backup (manifest.json is not its first member)");
  const TarEntry& m = (*entries)[0];
  if (m.size > (16u << 20)) return util::fail(path + ": manifest.json too large");
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(m.offset));
  std::string text(m.size, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(m.size)))
    return util::fail(path + ": short read");
  auto manifest = parse_manifest(text);
  if (!manifest) return util::fail(path + ": " + manifest.error().message);
  return Archive{path, std::move(*manifest), std::move(*entries)};
}

std::vector<std::string> check_members(const Archive& archive) {
  std::vector<std::string> problems;
  std::set<std::string> listed;
  std::ifstream in(archive.path, std::ios::binary);
  for (const auto& want : archive.manifest.members) {
    listed.insert(want.name);
    const TarEntry* got = nullptr;
    for (const auto& e : archive.entries)
      if (e.name == want.name) got = &e;
    if (got == nullptr) {
      problems.push_back(want.name + ": missing");
      continue;
    }
    if (got->size != want.size) {
      problems.push_back(want.name + ": " + std::to_string(got->size) +
                         " bytes, the manifest says " + std::to_string(want.size));
      continue;
    }
    in.clear();
    in.seekg(static_cast<std::streamoff>(got->offset));
    auto sum = sha256_of(in, got->size);
    if (!sum || *sum != want.sha256)
      problems.push_back(want.name + ": sha256 " + (sum ? *sum : sum.error().message) +
                         ", the manifest says " + want.sha256);
  }
  for (const auto& e : archive.entries)
    if (e.name != "manifest.json" && !listed.count(e.name))
      problems.push_back(e.name + ": not in the manifest");
  return problems;
}

util::Result<std::string> sha256_range(const std::string& path, std::uint64_t offset,
                                       std::uint64_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(path + ": cannot open");
  in.seekg(static_cast<std::streamoff>(offset));
  auto sum = sha256_of(in, size);
  if (!sum) return util::fail(path + ": " + sum.error().message);
  return sum;
}

util::Result<void> extract_member(const std::string& archive, const TarEntry& entry,
                                  const std::string& dest) {
  std::ifstream in(archive, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(entry.offset));
  const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return util::fail(dest + ": cannot create: " + std::strerror(errno));
  std::vector<char> buf(1 << 20);
  for (std::uint64_t left = entry.size; left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    if (!in.read(buf.data(), static_cast<std::streamsize>(n)) ||
        ::write(fd, buf.data(), n) != static_cast<ssize_t>(n)) {
      ::close(fd);
      return util::fail(dest + ": copy failed");
    }
    left -= n;
  }
  ::close(fd);
  return {};
}

}  // namespace zkctl::ops
