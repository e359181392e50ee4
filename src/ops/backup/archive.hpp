#pragma once
// zkctl's backup archive: a POSIX (ustar) tar holding manifest.json first, then the
// state files as version-2/<name>. The manifest names the cluster, the server it came
// from, the zxid range, when, the zkctl and ZooKeeper versions, the znode count a local
// load found, and every member's size and sha256. Local files only; no host.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace zkctl::ops {

// One member of a tar file: its name and where its bytes lie in the file.
struct TarEntry {
  std::string name;
  std::uint64_t offset = 0;  // of the first data byte
  std::uint64_t size = 0;
};

// The regular-file members of the tar at `path` (directories skipped); an error for a
// truncated file, a bad header checksum or another member type.
util::Result<std::vector<TarEntry>> list_tar(const std::string& path);

// Writes a ustar tar (regular files, mode 0600, owner 0) to an open FILE.
class TarWriter {
 public:
  explicit TarWriter(std::FILE* out) : out_(out) {}
  // Add `name` with `content`.
  util::Result<void> add(const std::string& name, const std::string& content);
  // Add `name` with `size` bytes of file `from` starting at `offset`.
  util::Result<void> add_copy(const std::string& name, const std::string& from,
                              std::uint64_t offset, std::uint64_t size);
  // The two zero blocks that end a tar.
  util::Result<void> finish();

 private:
  util::Result<void> header(const std::string& name, std::uint64_t size);
  util::Result<void> pad(std::uint64_t size);
  std::FILE* out_;
};

// A member as the manifest lists it.
struct ManifestMember {
  std::string name;  // "version-2/snapshot.1c6"
  std::uint64_t size = 0;
  std::string sha256;
};

// Manifest::kind of each archive zkctl writes.
inline constexpr const char* kZooKeeperData = "zookeeper";
inline constexpr const char* kKraftMetadata = "kraft-metadata";

struct Manifest {
  int format = 1;
  std::string kind = "zookeeper";  // what the archive holds
  std::string cluster;
  std::string server;                   // host the state came from
  int server_id = 0;                    // its myid
  std::string mode;                     // its role then ("follower", "observer", ...)
  std::uint64_t snapshot_zxid = 0;      // the snapshot's (fuzzy) zxid
  std::uint64_t last_zxid = 0;          // of the last complete logged transaction
  std::uint64_t txns = 0;               // complete transactions in the logs
  std::optional<long> znode_count;      // after replaying the logs (local load); unset: unknown
  std::optional<long> ephemeral_count;  // of those, ephemeral
  std::string time;                     // UTC, ISO 8601
  std::string zkctl_version;
  std::string zookeeper_version;  // "3.8.0"
  // kind kKraftMetadata: a KRaft node's newest metadata snapshot (server_id is its
  // node.id; the zxid, txns, znode and ZooKeeper fields are unused and not written).
  std::string kafka_version;  // "4.4.0"
  std::string cluster_id;     // meta.properties cluster.id
  std::uint64_t snapshot_offset = 0;
  std::uint32_t snapshot_epoch = 0;
  std::optional<long> record_count;  // metadata records DumpLogSegments read; unset: unknown
  std::vector<ManifestMember> members;
};

std::string manifest_json(const Manifest& m);
util::Result<Manifest> parse_manifest(const std::string& text);

// An archive opened: its manifest and members.
struct Archive {
  std::string path;
  Manifest manifest;
  std::vector<TarEntry> entries;  // manifest.json first, then the state files
};

// Open the archive at `path`: read its tar index and manifest. Errors name the file.
util::Result<Archive> open_archive(const std::string& path);

// Every disagreement between the members and the manifest, one line each: a member
// missing, extra, of another size or sha256. Empty when the archive is intact.
std::vector<std::string> check_members(const Archive& archive);

// sha256 (hex) of `size` bytes of local file `path` from `offset`.
util::Result<std::string> sha256_range(const std::string& path, std::uint64_t offset,
                                       std::uint64_t size);

// Copy member `entry` of archive file `archive` to local file `dest` (mode 0600).
util::Result<void> extract_member(const std::string& archive, const TarEntry& entry,
                                  const std::string& dest);

}  // namespace zkctl::ops
