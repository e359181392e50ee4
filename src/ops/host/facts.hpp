#pragma once
// What one inspect round trip finds on any host, ZooKeeper's or Kafka's: the part
// HostFacts (zk_host) and KafkaFacts (kafka_host) share, and the parser of the
// `key=value` lines the inspect scripts print for it.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zkctl::ops {

// A listening TCP port on the host and the PIDs holding it (empty when `ss`
// could not name them).
struct Listener {
  int port = 0;
  std::vector<int> pids;
};

// One problem line per port in `listeners` held by anything but `own_pid`
// ("port 2181 is already in use by pid 99 (not this cluster's ZooKeeper)").
std::vector<std::string> port_conflicts(const std::vector<Listener>& listeners,
                                        std::optional<int> own_pid, const std::string& product);

// Parse one `listen=PORT <ss line>` value into `listeners` (merging a port seen twice).
void add_listener(const std::string& value, std::vector<Listener>& listeners);

struct CommonFacts {
  std::string java_version;             // first line of `java -version`; empty: no java
  std::vector<std::string> unwritable;  // dirs that cannot be created
  std::string release_sha256;           // checksum of the installed distribution; empty: none
  std::string java_release_sha256;      // checksum of the pushed JDK installed; empty: none
  std::string pid1;                     // /proc/1/comm: "systemd" on systemd hosts
  bool user_exists = true;              // the service user is known on the host
  std::map<std::string, std::string> file_sha256;  // remote path -> checksum (present files)
  std::optional<int> pid;                          // the running server's PID
  std::string pid_user;                            // the user it runs as ("" when unknown)
  std::vector<Listener> listeners;                 // on the server's ports
  bool restart_pending = false;  // an interrupted deploy owes it a restart (restart-pending.sh)
};

// Read one `key=value` line of an inspect script into `facts`; false when `key`
// is not one of the common ones (the caller's own keys).
bool parse_common_fact(const std::string& key, const std::string& value, CommonFacts& facts);

}  // namespace zkctl::ops
