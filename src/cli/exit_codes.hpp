#pragma once
// zkctl's documented exit codes (README "Exit codes").

namespace zkctl::cli {

enum ExitCode : int {
  kOk = 0,
  kFailed = 1,           // an operation failed on some host
  kUsage = 2,            // bad command line or inventory; no host was touched
  kNoQuorum = 3,         // status: a tier does not serve (no quorum or leader, a broker out)
  kRefused = 4,          // refused for safety (would break quorum) without --force
  kPreflightFailed = 5,  // pre-flight found a problem; nothing was changed on any host
  kLocked = 6,           // the cluster lock is held by another operation, or a host
                         // could not be locked; nothing was changed
  kDegraded = 7,         // status: every tier serves, but a configured node is down or out of role
  kInterrupted = 130,    // SIGINT/SIGTERM: the step in flight finished, the lock released
};

}  // namespace zkctl::cli
