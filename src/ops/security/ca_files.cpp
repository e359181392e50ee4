#include "ops/security/ca_files.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ops/cluster/state.hpp"
#include "ops/security/cluster_pki.hpp"
#include "util/file.hpp"

namespace zkctl::ops {

namespace {

namespace fs = std::filesystem;
constexpr unsigned kFileMode = 0600;
constexpr int kCaDays = 3650;

fs::path record_path(const std::string& cluster) {
  return fs::path(state_home()) / "clusters" / cluster / "ca-rotation";
}

bool regular(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::regular;
}

// A kept file of zkctl's own (never through a link); "" when absent.
util::Result<std::string> read_kept(const fs::path& p) {
  std::error_code ec;
  const auto type = fs::symlink_status(p, ec).type();
  if (type == fs::file_type::not_found) return std::string();
  if (type != fs::file_type::regular) return util::fail(p.string() + ": not a regular file");
  std::ifstream in(p, std::ios::binary);
  if (!in) return util::fail(p.string() + ": cannot read it");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

util::Result<void> write(const fs::path& p, const std::string& text) {
  return util::write_file_atomically(p.string(), text, kFileMode);
}

util::Result<void> remove_file(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
  if (ec) return util::fail(p.string() + ": " + ec.message());
  return {};
}

// ca-trust.crt: the new CA, then the old one. Both CAs carry one subject, and ZooKeeper's PEM
// trust store keys its entries by subject, so there the last one wins: the old CA, which with
// the cross-signed certificate every new-CA chain carries until drop-old also verifies those.
util::Result<void> write_bundle(const fs::path& dir) {
  auto old_ca = read_kept(dir / "ca.crt");
  auto new_ca = read_kept(dir / "ca-next.crt");
  if (!old_ca || !new_ca) return !old_ca ? old_ca.error() : new_ca.error();
  if (old_ca->empty() || new_ca->empty())
    return util::fail((dir / "ca.crt").string() + " or ca-next.crt is missing");
  return write(dir / "ca-trust.crt", *new_ca + *old_ca);
}

// The cross-signed certificate (kept once made: nodes serve it).
util::Result<void> write_cross(const fs::path& dir) {
  if (regular(dir / "ca-cross.crt")) return {};
  auto old_cert = read_kept(dir / "ca.crt");
  auto old_key = read_kept(dir / "ca.key");
  auto new_cert = read_kept(dir / "ca-next.crt");
  if (!old_cert || !old_key || !new_cert)
    return !old_cert ? old_cert.error() : !old_key ? old_key.error() : new_cert.error();
  auto cross = pki::cross_sign({*old_cert, *old_key}, *new_cert);
  if (!cross) return cross.error();
  return write(dir / "ca-cross.crt", *cross);
}

util::Result<void> enter_trust_both(const fs::path& dir, const std::string& cluster,
                                    inventory::KeyType key_type) {
  if (!regular(dir / "ca-next.crt")) {
    if (!regular(dir / "ca.crt")) return util::fail((dir / "ca.crt").string() + " is missing");
    auto made = pki::generate_ca(cluster, key_type, kCaDays);
    if (!made) return made.error();
    // The key first: a certificate is never kept without its key.
    if (auto r = write(dir / "ca-next.key", made->key); !r) return r;
    if (auto r = write(dir / "ca-next.crt", made->cert); !r) return r;
  }
  if (auto r = write_bundle(dir); !r) return r;
  return write_cross(dir);
}

std::string sha_prefix(const std::string& pem) {
  auto info = pki::inspect(pem);
  return info ? info->sha256.substr(0, 16) : "unknown";
}

}  // namespace

const char* to_string(CaPhase phase) {
  switch (phase) {
    case CaPhase::trust_both:
      return "trust-both";
    case CaPhase::reissue:
      return "reissue";
    case CaPhase::drop_old:
      return "drop-old";
  }
  return "?";
}

std::optional<CaPhase> ca_phase_named(const std::string& name) {
  for (CaPhase p : kCaPhases)
    if (name == to_string(p)) return p;
  return std::nullopt;
}

std::string ca_phase_change(CaPhase phase) {
  switch (phase) {
    case CaPhase::trust_both:
      return "a new CA made; every node, zkctl and the monitoring trust old + new CA";
    case CaPhase::reissue:
      return "every certificate reissued by the new CA, served with the new CA cross-signed by "
             "the old one (old-only clients still verify)";
    case CaPhase::drop_old:
      return "trust the new CA only, chains without the cross-signed certificate; the old CA "
             "archived";
  }
  return "";
}

util::Result<std::optional<CaRecord>> read_ca_record(const std::string& name) {
  auto text = read_kept(record_path(name));
  if (!text) return text.error();
  if (text->empty()) return std::optional<CaRecord>();
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  const auto bad = [&] {
    return util::fail(record_path(name).string() +
                      ": not a CA rotation record zkctl wrote; remove it only if no rotation "
                      "is under way");
  };
  if (!j.is_object() || !j.contains("phase") || !j["phase"].is_string()) return bad();
  auto phase = ca_phase_named(j["phase"].get<std::string>());
  if (!phase) return bad();
  CaRecord r;
  r.phase = *phase;
  r.done = j.value("done", false);
  if (j.contains("nodes_done") && j["nodes_done"].is_array())
    for (const auto& n : j["nodes_done"])
      if (n.is_string()) r.nodes_done.push_back(n.get<std::string>());
  return std::optional<CaRecord>(r);
}

util::Result<void> write_ca_record(const std::string& name, const CaRecord& record) {
  const nlohmann::json j = {
      {"phase", to_string(record.phase)}, {"done", record.done}, {"nodes_done", record.nodes_done}};
  return write(record_path(name), j.dump() + "\n");
}

util::Result<void> remove_ca_record(const std::string& name) {
  return remove_file(record_path(name));
}

util::Result<CaView> ca_view(const std::string& cluster) {
  const fs::path dir = pki_dir(cluster);
  auto rec = read_ca_record(cluster);
  if (!rec) return rec.error();
  CaView v;
  const bool new_issues = *rec && (*rec)->phase != CaPhase::trust_both;
  if (new_issues && regular(dir / "ca-next.crt")) v.ca_stem = "ca-next";
  if (new_issues) {
    auto cross = read_kept(dir / "ca-cross.crt");
    if (!cross) return cross.error();
    v.chain = *cross;
  }
  v.trust_file =
      (regular(dir / "ca-trust.crt") && *rec ? dir / "ca-trust.crt" : dir / (v.ca_stem + ".crt"))
          .string();
  return v;
}

util::Result<void> enter_ca_phase(const std::string& cluster, CaPhase phase,
                                  inventory::KeyType key_type) {
  const fs::path dir = pki_dir(cluster);
  switch (phase) {
    case CaPhase::trust_both:
      return enter_trust_both(dir, cluster, key_type);
    case CaPhase::reissue:
      if (!regular(dir / "ca-next.crt"))
        return util::fail((dir / "ca-next.crt").string() + " is missing");
      if (auto r = write_bundle(dir); !r) return r;
      return write_cross(dir);
    case CaPhase::drop_old:
      return remove_file(dir / "ca-trust.crt");
  }
  return {};
}

bool ca_cross_served(const std::string& cluster) {
  return regular(fs::path(pki_dir(cluster)) / "ca-cross.crt");
}

util::Result<void> drop_ca_cross(const std::string& cluster) {
  return remove_file(fs::path(pki_dir(cluster)) / "ca-cross.crt");
}

util::Result<void> finish_ca_rotation(const std::string& cluster) {
  const fs::path dir = pki_dir(cluster);
  auto next_cert = read_kept(dir / "ca-next.crt");
  auto next_key = read_kept(dir / "ca-next.key");
  auto cur_cert = read_kept(dir / "ca.crt");
  auto cur_key = read_kept(dir / "ca.key");
  if (!next_cert || !next_key || !cur_cert || !cur_key)
    return util::fail("reading the CAs in " + dir.string());
  if (!next_cert->empty()) {
    const fs::path archive = dir / "archive";
    if (auto r = util::make_dirs(archive.string(), 0700); !r) return r;
    const std::string stem = "ca-" + sha_prefix(*cur_cert);
    // Archived once, while ca.crt is still the old CA (a rerun finds it the new one).
    if (*cur_cert != *next_cert && !regular(archive / (stem + ".crt"))) {
      if (auto r = write(archive / (stem + ".key"), *cur_key); !r) return r;
      if (auto r = write(archive / (stem + ".crt"), *cur_cert); !r) return r;
    }
    if (next_key->empty()) return util::fail((dir / "ca-next.key").string() + " is missing");
    if (auto r = write(dir / "ca.key", *next_key); !r) return r;
    if (auto r = write(dir / "ca.crt", *next_cert); !r) return r;
    // ca-next.crt first: from then on the view issues from ca.crt/ca.key, both new.
    if (auto r = remove_file(dir / "ca-next.crt"); !r) return r;
    if (auto r = remove_file(dir / "ca-next.key"); !r) return r;
  }
  if (auto r = remove_file(dir / "ca-trust.crt"); !r) return r;
  if (auto r = remove_file(dir / "ca-cross.crt"); !r) return r;
  return remove_ca_record(cluster);
}

}  // namespace zkctl::ops
