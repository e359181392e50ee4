#pragma once
// `zkctl check`: pre-flight on its own, with the checks deploy does not need to
// stop for but operators want to know: java version, disk space in the data
// dirs, memory against the configured heaps, clock skew between hosts, and
// names resolving to the same address on every host (a host whose own name
// resolves to loopback breaks ZooKeeper elections).

#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

enum class Verdict { ok, warn, fail };

struct CheckItem {
  std::string host;   // "" for cluster-wide checks
  std::string check;  // "java", "disk", "memory", "clock", "names", "pre-flight", "status",
                      // "certificate", "racks"
  Verdict verdict = Verdict::ok;
  std::string detail;
};

struct CheckReport {
  std::vector<CheckItem> items;
  bool failed() const;
};

// Parse one host's probe output (exposed for tests): key=value lines.
struct HostProbe {
  std::string java;    // first line of java -version
  int java_major = 0;  // ops::java_major of `java`
  long mem_available_kb = -1;
  std::vector<std::pair<std::string, long>> disk_free_kb;     // dir -> available KiB
  double clock = 0;                                           // seconds since the epoch on the host
  std::vector<std::pair<std::string, std::string>> resolved;  // name -> first address
};
HostProbe parse_host_probe(const std::string& text);

CheckReport check(Context& ctx);

}  // namespace zkctl::ops
