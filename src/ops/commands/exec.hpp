#pragma once
// `zkctl exec [NODE...] -- CMD`: run one command on many of the cluster's hosts
// at once, like pssh, and collect each host's output and exit status.

#include <string>
#include <vector>

#include "ops/context.hpp"

namespace zkctl::ops {

struct ExecResult {
  std::string host;
  int exit_status = -1;  // -1: could not run (see error)
  std::string out;
  std::string err;
  std::string error;  // connect/run failure
  double seconds = 0;
};

// The distinct hosts of the cluster (ZooKeeper servers and Kafka nodes), or only
// those named in `only` (an unknown name is an error).
util::Result<std::vector<std::string>> exec_hosts(const inventory::Cluster& cluster,
                                                  const std::vector<std::string>& only);

// Run `argv` (each word quoted) on every host in `hosts` concurrently.
std::vector<ExecResult> exec_on(Context& ctx, const std::vector<std::string>& hosts,
                                const std::vector<std::string>& argv);

// The last `lines` lines of the ZooKeeper server's (or, with `kafka`, the Kafka
// node's) log on `host`.
enum class LogOf { zookeeper, kafka };
util::Result<std::string> tail_log(Context& ctx, const std::string& host, LogOf which, int lines);

}  // namespace zkctl::ops
