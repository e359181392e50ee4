#pragma once
// A loopback TLS relay for clients without TLS of their own (Debian's ZooKeeper C client):
// one listening port on 127.0.0.1 per target; each connection accepted there is carried to
// its target over TLS (chain and host name verified, zkctl's certificate presented). The
// relay speaks with zkctl's identity, so it serves only this process: a connection whose
// peer socket is not one of this process's sockets is closed at once.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::probe {

class TlsRelay {
 public:
  // Where one listening port relays to.
  struct Target {
    std::string host;  // name or address, as the server's certificate names it
    int port = 0;
  };

  // Resolve every target, listen on 127.0.0.1 for each, and start the relay's thread (one
  // poll loop for every connection). An error names the target or file that failed.
  static util::Result<std::unique_ptr<TlsRelay>> start(const std::vector<Target>& targets,
                                                       const ClientTls& tls);
  // Stops the thread and closes every listening socket and connection.
  ~TlsRelay();
  TlsRelay(const TlsRelay&) = delete;
  TlsRelay& operator=(const TlsRelay&) = delete;

  // The local port that relays to targets[i].
  int port(std::size_t i) const;
  // Connections closed unrelayed because they came from another process, so far.
  int refused() const;
  // Why the last relayed connection that failed did ("host:port: TLS handshake: ..."), or "".
  std::string last_failure() const;

  struct State;  // internal

 private:
  explicit TlsRelay(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Whether the peer of the loopback TCP connection `fd` (an accepted IPv4 socket) is a
// socket of this process: its inode, found in /proc/net/tcp by the peer's address, is one
// of /proc/self/fd's.
bool peer_is_this_process(int fd);

}  // namespace zkctl::probe
