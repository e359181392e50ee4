#pragma once
// ZooKeeper upgrades as an inventory edit: `[zookeeper] distribution` pointed at another
// release makes deploy roll it in (one server at a time, the leader last: rolling.hpp).
// Here: what `plan` says of a server whose installed release differs from the
// distribution's, and which version changes are refused. ZooKeeper supports no
// downgrade to an older minor line once the newer release wrote its snapshots, so
// one is refused unless forced.

#include <optional>
#include <string>

#include "ops/host/java.hpp"

namespace zkctl::ops {

// "3.8.0", "3.9.5-293c895a, built on ..." (srvr) -> its major, minor, patch; nullopt
// when it does not start with X.Y.Z.
std::optional<DistVersion> parse_zk_version(const std::string& text);

// "upgrade 3.8.0 -> 3.9.5", "downgrade 3.9.5 -> 3.8.0"; "" when the versions are equal.
std::string version_change_text(const DistVersion& from, const DistVersion& to);

// Why going from `from` (installed) to `to` (the distribution) is refused: a downgrade
// to an older major.minor line. nullopt when it may go ahead.
std::optional<std::string> version_change_refusal(const DistVersion& from, const DistVersion& to);

}  // namespace zkctl::ops
