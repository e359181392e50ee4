#pragma once
// `zkctl backup`: a consistent copy of the ensemble's data, taken without stopping
// anything from the most up-to-date serving server that is not the leader: the newest
// whole snapshot and every transaction log after it (backup/list.sh chooses nothing:
// select_state does, by ZooKeeper's rule), streamed over that server's SSH session as a
// tar read by the service user (backup/stream.sh), then written here as one archive
// (manifest.json + version-2/*, logs cut at their last complete transaction), temp name
// and rename, mode 0600. `backup verify` checks an archive's members and loads it with
// ZooKeeper's own code (ops/backup/local_load).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/backup/archive.hpp"
#include "ops/backup/local_load.hpp"
#include "ops/backup/zk_state.hpp"
#include "ops/context.hpp"
#include "probe/four_letter.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One server as the backup's choice sees it.
struct SourceCandidate {
  std::string host;
  probe::Mode mode = probe::Mode::unknown;
  std::uint64_t zxid = 0;
};

// The server to back up from: among those serving, the highest zxid that is not the
// leader (observers allowed; ties: the first), the leader only when it is the only one
// serving (a single server). nullopt when none serves.
std::optional<std::size_t> choose_source(const std::vector<SourceCandidate>& candidates);

struct BackupOptions {
  std::string out;            // archive path to write
  std::string zkctl_version;  // for the manifest
  // Back up this server's data dir as it is (it need not serve: recover reads a
  // survivor); empty: the choice of choose_source.
  std::string server;
  // Count znodes by loading the archive locally (needs java); no: the count is unknown.
  enum class Count { yes, no } count = Count::yes;
};

struct BackupResult {
  Manifest manifest;
  std::string path;            // where the archive was written
  std::uint64_t bytes = 0;     // archive size
  std::uint64_t streamed = 0;  // bytes read over SSH
  double seconds = 0;          // wall time, streaming and writing
  std::string count_note;      // why znode_count is unknown (local load failed), else ""
};

// Take the backup; progress on ctx.progress() with the bytes streamed.
util::Result<BackupResult> backup(Context& ctx, const BackupOptions& options);

// `zkctl backup` of a KRaft cluster: the newest metadata snapshot
// (<first log dir>/__cluster_metadata-0/<offset>-<epoch>.checkpoint) and meta.properties
// of the controller that follows the leader with the highest LogEndOffset (the leader
// when none follows; options.server: that node), streamed as the service user
// (backup/kraft_stream.sh), its records counted with Kafka's DumpLogSegments from the
// inventory's distribution, written as an archive of kind "kraft-metadata".
util::Result<BackupResult> backup_kraft(Context& ctx, const BackupOptions& options);

// What `backup verify` found.
struct VerifyResult {
  Manifest manifest;
  std::vector<std::string> problems;  // member mismatches, load errors, count differences
  std::optional<LoadResult> loaded;   // what ZooKeeper's own code read
  std::optional<SnapshotDump> dump;   // kraft-metadata: what Kafka's DumpLogSegments read
};

// Check `path`: the manifest, every member's size and sha256, then (members intact)
// load it with the ZooKeeper of `distribution` (a kraft-metadata archive: read its
// snapshot with the Kafka of `kafka_distribution`) and compare with the manifest. An
// error only when the file is not a readable archive at all.
util::Result<VerifyResult> verify_backup(const std::string& path, const std::string& distribution,
                                         std::chrono::seconds timeout,
                                         const std::string& kafka_distribution = "");

// The archive's state files as local-load members.
std::vector<LoadMember> load_members(const Archive& archive);

}  // namespace zkctl::ops
