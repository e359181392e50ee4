#pragma once
// One changing operation at a time per cluster, across operators and machines: a lock
// directory zkctl-<cluster>.lock on every host of the cluster, in a root-only directory
// (/run/zkctl, or /var/lib/zkctl where /run cannot hold it), built whole with its info
// (who, which machine, pid, since when, which command, until when) and renamed into place.
// The holder renews it every ttl/3 while the command runs over sessions of its own. A
// lock is stale when its host's own clock is past its expiry, or at once when its holder
// ran on this machine (same machine id) and that process is gone. A host that cannot be
// locked (unreachable, an error) refuses the whole lock.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ops/context.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

struct LockInfo {
  std::string holder;   // user@hostname, for people
  std::string machine;  // the holder machine's id (machine_id())
  long pid = 0;         // the holder's zkctl process on that machine
  std::string since;    // ISO 8601 UTC
  std::string command;  // "zkctl restart node3"
  long expires = 0;     // Unix time on the locked host's clock
  std::string token;    // random; only the taker releases it
  bool stale = false;   // the locked host judged it expired (or unreadable) by its clock
};

// Parse the `key=value` lines of a lock's info (and lock-take's `stale=` line).
LockInfo parse_lock_info(const std::string& text);
// "locked by alice@ops1 since 2026-11-25T17:00:00Z, running restart node3 (pid 42)".
std::string describe(const LockInfo& info);
// True when `info` may be taken over by a process on the machine whose id is `machine`:
// its host judged it stale, or its holder ran on `machine` and that process is gone.
bool lock_is_stale(const LockInfo& info, const std::string& machine);

// This machine's id: /etc/machine-id's, else a random id kept in $ZKCTL_HOME/machine-id
// (made 0600 on first use). Never the host name: two machines may share one.
std::string machine_id();
// machine_id() with its two places given (tests).
std::string machine_id(const std::string& etc_machine_id, const std::string& fallback);

struct LockOptions {
  std::chrono::seconds ttl{300};            // a lock not renewed for this long is stale
  std::chrono::seconds renew_every{0};      // 0: ttl / 3
  std::string root = "/run/zkctl";          // the root-only dir for locks on each host
  std::string fallback = "/var/lib/zkctl";  // used where `root` cannot be made
  // Hosts locked beside the inventory's: the nodes a deploy takes out (they still run).
  std::vector<const inventory::Node*> also;
  // Where renewal problems are told; empty: stderr as "zkctl: warning: ...".
  std::function<void(const std::string&)> warn;
};

class ClusterLock {
 public:
  ClusterLock();
  ClusterLock(ClusterLock&& other) noexcept;
  ClusterLock& operator=(ClusterLock&& other) noexcept;
  ClusterLock(const ClusterLock&) = delete;
  ClusterLock& operator=(const ClusterLock&) = delete;
  ~ClusterLock();  // releases (best effort) if still held

  // Take the lock on every distinct host of the cluster for `command`, over sessions
  // of its own (so renewal never shares a session with the command's steps), and start
  // renewing it. Fails, releasing what it took, when any host holds a live lock or
  // cannot be locked: one line per such host (naming it), then, for hosts that could not
  // be locked, a last line saying nothing was changed and how to go ahead (--no-lock).
  static util::Result<ClusterLock> acquire(Context& ctx, const std::string& command,
                                           const LockOptions& options);

  // Stop renewing and release on every host where it was taken.
  void release();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The lock's directory name on a host (inside LockOptions::root or fallback).
std::string lock_name(const std::string& cluster_name);

}  // namespace zkctl::ops
