#pragma once
// A ZooKeeper server's on-disk state as zkctl backs it up: the files of version-2/
// (snapshot.<zxid>, log.<zxid>), which of them make a restorable state (ZooKeeper's own
// rule: the newest whole snapshot and every log from the one holding its zxid on), and
// the transaction log's framing (its last complete transaction, where it ends). Pure.

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace zkctl::ops {

// One file of a server's version-2/ dir as backup/list.sh prints it.
struct StateFile {
  enum class Kind { snapshot, log };
  Kind kind = Kind::snapshot;
  std::string name;        // "snapshot.1c6", "log.128"
  std::uint64_t zxid = 0;  // from the name: a snapshot's (fuzzy) zxid, a log's first zxid
  std::uint64_t size = 0;  // bytes
  bool whole = true;       // snapshot: ends with ZooKeeper's seal (written completely)
};

// What backup/list.sh found on one server.
struct StateListing {
  std::vector<StateFile> files;
  std::optional<std::uint64_t> current_epoch;   // version-2/currentEpoch
  std::optional<std::uint64_t> accepted_epoch;  // version-2/acceptedEpoch
};

// "0x1c6": ZooKeeper's spelling of a zxid.
std::string zxid_hex(std::uint64_t zxid);
// A zxid's epoch (its high 32 bits).
inline std::uint64_t epoch_of(std::uint64_t zxid) {
  return zxid >> 32;
}

// The zxid in a state file name ("snapshot.1c6" -> 0x1c6, "log.100000001"); nullopt for
// any other name (compressed snapshots "snapshot.N.gz" included).
std::optional<StateFile> state_file_of(std::string_view name, std::uint64_t size);

// Parse backup/list.sh's lines; a malformed line is an error naming it.
util::Result<StateListing> parse_listing(std::string_view text);

// The files of one restorable state.
struct StateSelection {
  StateFile snapshot;           // the newest whole snapshot
  std::vector<StateFile> logs;  // the newest log starting at or before it, and every later one
  std::uint64_t bytes() const;
};

// ZooKeeper's own choice (FileTxnLog.getLogFiles): the newest whole snapshot, the newest
// log whose first zxid is at or before the snapshot's, and every log after it. An error
// when there is no whole snapshot.
util::Result<StateSelection> select_state(const StateListing& listing);

// The newest zxid the file names prove to exist (a lower bound of the server's last
// zxid): the highest snapshot or log name; 0 when there is none.
std::uint64_t named_zxid(const StateListing& listing);

// What a transaction log holds, read by its framing: header ("ZKLG", version 2), then
// per transaction crc(8) length(4) bytes(length) 'B'; a zero length, a short or
// unterminated record ends it (ZooKeeper preallocates logs with zeros and may be
// writing the last record).
struct TxnLogScan {
  std::uint64_t end = 0;         // bytes up to the end of the last complete transaction
  std::uint64_t txns = 0;        // complete transactions
  std::uint64_t first_zxid = 0;  // of the first transaction (0: none)
  std::uint64_t last_zxid = 0;   // of the last complete transaction (0: none)
};

// Scan `in` (at most `size` bytes of one log); an error when the header is not a
// ZooKeeper transaction log's.
util::Result<TxnLogScan> scan_txn_log(std::istream& in, std::uint64_t size);

}  // namespace zkctl::ops
