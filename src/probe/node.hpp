#pragma once
// One ZooKeeper server's state from `srvr` and `mntr`, over TCP, or through SSH when
// the client port cannot be reached directly.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probe/ask.hpp"
#include "probe/four_letter.hpp"
#include "remote/remote.hpp"

namespace zkctl::probe {

// How the answers arrived.
enum class Transport { tcp, ssh };

// "tcp" or "ssh".
const char* to_string(Transport transport);

struct NodeProbe {
  Mode mode = Mode::unknown;  // down: refused or unreachable; unknown: answered
                              // but could not be understood (see detail)
  std::optional<Srvr> srvr;   // srvr's answer when it parsed (mode not_serving too)
  std::optional<Mntr> mntr;   // mntr's answer when it parsed
  std::string detail;         // one line: why down/unknown, mntr problems; empty if all ok
  Transport transport = Transport::tcp;  // that of the answers, else of the last attempt
  Failure failure = Failure::none;       // why srvr got no answer over the last transport
};

// Ask `host`:`client_port` for srvr and mntr (concurrently over TCP). If TCP cannot
// reach the port (timeout, unreachable, name not resolved) and `fallback` is set, ask
// again through it (open_tcp to `host` from that host); TCP then gets half of
// `timeout`. Whole call stays within about `timeout` (plus SSH channel setup).
// A word missing from the whitelist is reported in `detail`, not as down.
// `tls`: ask over TLS (see ask_tcp), over either transport.
NodeProbe probe_node(const std::string& host, int client_port, std::chrono::milliseconds timeout,
                     remote::Remote* fallback, const ClientTls& tls = {});

// Whether a probe asks mntr too (srvr alone gives mode, zxid, connections, latency and
// version; mntr adds peer state and the leader's sync counts).
enum class AskMntr { no, yes };

// probe_node over TCP only, for many servers at once from the calling thread (one poll
// loop, ask_tcp_all): `targets` are host and client port; results in the same order.
// With AskMntr::no, mntr is asked only of servers that refuse srvr by whitelist.
std::vector<NodeProbe> probe_nodes_tcp(const std::vector<std::pair<std::string, int>>& targets,
                                       std::chrono::milliseconds timeout,
                                       AskMntr ask_mntr = AskMntr::yes, const ClientTls& tls = {});

// Ask only through `remote` (for a client port already known to be unreachable over TCP),
// srvr then mntr, within about `timeout`.
NodeProbe probe_node_via(remote::Remote& remote, const std::string& host, int client_port,
                         std::chrono::milliseconds timeout, const ClientTls& tls = {});

}  // namespace zkctl::probe
