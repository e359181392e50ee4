#pragma once
// `zkctl recover`: after a lost majority (fewer than a majority of voters can ever come
// back). With no quorum serving, every server the inventory lists is looked at; each
// survivor's data dir (the newest whole snapshot and its logs) is copied here as a
// backup archive, whose logs give its last zxid. The survivor with the highest zxid is
// the source: once the operator confirms, restore's placing puts its state on every
// server of the (edited) inventory, and the ensemble starts from it. Writes after that
// zxid, acknowledged only by the lost servers, are lost.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/backup/archive.hpp"
#include "ops/commands/restore.hpp"
#include "ops/context.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One server as recover found it.
struct Survivor {
  std::string host;
  std::string archive;          // local copy of its state ("" : none)
  std::uint64_t last_zxid = 0;  // of its last complete logged transaction
  std::optional<long> znodes;   // after replay (local load), when known
  std::string why_not;          // no copy: unreachable, no data, ...
};

struct RecoverSurvey {
  std::vector<Survivor> servers;      // inventory order
  std::optional<std::size_t> source;  // index of the survivor with the highest zxid
};

// The survivor to rebuild from: the highest last zxid (ties: the first); nullopt if none.
std::optional<std::size_t> choose_survivor(const std::vector<Survivor>& servers);

// Refuse (error) while a quorum serves; else copy every survivor's state into `dir`
// (local, private) and choose the source.
util::Result<RecoverSurvey> survey(Context& ctx, const std::string& dir,
                                   const std::string& zkctl_version);

}  // namespace zkctl::ops
