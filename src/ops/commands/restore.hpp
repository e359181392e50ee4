#pragma once
// `zkctl restore FILE`: put a backup's state into the inventory's ensemble. First, with
// nothing changed: the archive is checked (every member's sha256) and every server is
// looked at (serving? its zxid, the newest zxid its data dir names), so the command can
// ask before replacing data, never silently over newer data. Then: the whole cluster
// stops (Kafka first), every server gets the snapshot + logs in its own data dir (root
// uploads the archive to a private staging dir, the service user unpacks it; epochs set
// to the archive's, so the ensemble elects from it and leads the next epoch), ZooKeeper
// starts and gets its quorum, the znode count and the epoch are checked against the
// manifest, then Kafka starts. recover uses the same placing.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/backup/archive.hpp"
#include "ops/context.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One server before a restore.
struct ServerData {
  std::string host;
  bool serving = false;
  std::uint64_t zxid = 0;        // serving: its zxid (srvr)
  std::uint64_t named_zxid = 0;  // the newest zxid its data dir's file names show
  std::string error;             // could not be looked at
  std::uint64_t newest() const { return std::max(zxid, named_zxid); }
};

// What restore found before changing anything.
struct RestoreCheck {
  Archive archive;
  std::vector<ServerData> servers;  // inventory order
  bool serving() const;             // some server serves
  // Servers whose data is newer than the archive's last zxid.
  std::vector<const ServerData*> newer() const;
  // Whether the operator must confirm: a server serves, or holds newer data.
  bool needs_confirmation() const { return serving() || !newer().empty(); }
};

// Open `path` and check every member against the manifest; the error lists the
// problems one per line (a damaged or unreadable archive: nothing may be restored).
util::Result<Archive> open_checked(const std::string& path);

// Look at every server (serving? zxid, the newest zxid its data dir names) before
// `archive` (open_checked) replaces their data. An error when a server cannot be looked at.
util::Result<RestoreCheck> check_restore(Context& ctx, Archive archive);

struct RestoreResult {
  bool ok = false;
  std::vector<std::string> errors;  // "host: step: error"
  std::vector<std::string> placed;  // hosts that got the state
  std::vector<std::string> checks;  // what was verified, one line each
  bool kafka_started = true;        // false: ZooKeeper is restored, Kafka did not start
};

// Stop, place `archive` on every server, start, wait for quorum, verify, start Kafka.
RestoreResult restore(Context& ctx, const Archive& archive);

// The verification after the quorum is back, from the leader's `znodes`, `ephemerals`
// and `zxid`, against `m`; empty when it holds, else the disagreement.
std::vector<std::string> restore_mismatches(const Manifest& m, long znodes, long ephemerals,
                                            std::uint64_t zxid);

}  // namespace zkctl::ops
