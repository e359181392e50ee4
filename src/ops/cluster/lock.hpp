#pragma once
// One changing operation at a time per cluster, across operators and machines:
// a lock directory /tmp/zkctl-<cluster>.lock on every host of the cluster, made
// with mkdir (atomic) and holding who took it, when, for which command, and
// until when it is valid. A lock whose holder died expires: at its deadline,
// or at once when its holder ran on this machine and that process is gone.

#include <chrono>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

struct LockInfo {
  std::string holder;   // user@machine
  long pid = 0;         // the holder's zkctl process on that machine
  std::string since;    // ISO 8601 UTC
  std::string command;  // "restart node3"
  long expires = 0;     // Unix time
  std::string token;    // random; only the taker releases it
};

// Parse the `key=value` lines of a lock's info file (exposed for tests).
LockInfo parse_lock_info(const std::string& text);
// "locked by alice@ops1 since 2026-11-25T17:00:00Z, running restart node3 (pid 42)".
std::string describe(const LockInfo& info);
// True when `info` may be taken over at `now` by a process on `this_machine`.
bool lock_is_stale(const LockInfo& info, long now, const std::string& this_machine);

class ClusterLock {
 public:
  ClusterLock() = default;
  ClusterLock(ClusterLock&& other) noexcept;
  ClusterLock& operator=(ClusterLock&& other) noexcept;
  ClusterLock(const ClusterLock&) = delete;
  ClusterLock& operator=(const ClusterLock&) = delete;
  ~ClusterLock();  // releases (best effort) if still held

  // Take the lock on every reachable host of the cluster for `command`.
  // Fails, releasing what it took, if any host holds a live lock.
  static util::Result<ClusterLock> acquire(Context& ctx, const std::string& command,
                                           std::chrono::seconds ttl);

  // Release on every host where it was taken.
  void release();

 private:
  Context* ctx_ = nullptr;
  std::string token_;
  std::vector<Connection*> held_;  // owned by the Context
};

// The lock directory on a host.
std::string lock_path(const std::string& cluster_name);

}  // namespace zkctl::ops
