#pragma once
// Send a four-letter word to a ZooKeeper client port and read the answer to EOF,
// over plain TCP or through an SSH connection (for ports only the host can reach).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "probe/tls.hpp"
#include "remote/remote.hpp"
#include "util/result.hpp"

namespace zkctl::probe {

// Why asking failed.
enum class Failure {
  none,             // it answered
  resolve,          // the host name does not resolve
  refused,          // connection refused: nothing listens there (the process is down)
  timeout,          // no connection or no complete answer within the timeout (black-holed, hung)
  unreachable,      // no route to the host / network unreachable, or the SSH tunnel failed
  not_whitelisted,  // the server is up but the word is not in 4lw.commands.whitelist
  protocol,         // closed without answering, reset, or another I/O error
  tls,              // TLS failed: handshake (certificate, host name, client certificate) or after
};

// "refused", "timeout", ...
const char* to_string(Failure failure);

// A util::Result<std::string> (the whole answer, or an error naming host:port and
// the cause) that also says which Failure it was; slices to the plain Result.
class [[nodiscard]] Answer : public util::Result<std::string> {
 public:
  Answer(std::string text) : util::Result<std::string>(std::move(text)) {}  // NOLINT
  Answer(Failure failure, std::string message)
      : util::Result<std::string>(util::fail(std::move(message))), failure_(failure) {}

  // Failure::none exactly when ok().
  Failure failure() const { return failure_; }

 private:
  Failure failure_ = Failure::none;
};

// Ask `word` at `host`:`port` over TCP: resolve with getaddrinfo, non-blocking connect,
// write, read to EOF; connect+write+read are bounded by `timeout` (name resolution
// itself is not: use /etc/hosts names or addresses). A whitelist refusal is a failure;
// "not currently serving requests" is an answer. With `tls` enabled the word goes over
// TLS (the server's chain and `host` verified, zkctl's certificate presented); the
// handshake is bounded by the same `timeout`.
Answer ask_tcp(const std::string& host, int port, std::string_view word,
               std::chrono::milliseconds timeout, const ClientTls& tls = {});

// One question for ask_tcp_all.
struct TcpQuestion {
  std::string host;
  int port = 0;
  std::string word;
};

// ask_tcp for every question at once, from the calling thread: names are resolved one
// after another (each distinct host once), then every connection runs in one poll loop,
// all bounded together by `timeout` (TLS handshakes too, non-blocking in the same loop).
// Answers come back in the order of `questions`.
std::vector<Answer> ask_tcp_all(const std::vector<TcpQuestion>& questions,
                                std::chrono::milliseconds timeout, const ClientTls& tls = {});

// Ask `word` at `host`:`port` as seen from the host `remote` is connected to
// (remote.open_tcp; "localhost" there is that host). The read is bounded by
// `timeout`; opening the channel is bounded by the Remote's own timeouts. With `tls`
// enabled, TLS runs over the channel (the certificate must name `host` as given).
Answer ask_via(remote::Remote& remote, const std::string& host, int port, std::string_view word,
               std::chrono::milliseconds timeout, const ClientTls& tls = {});

}  // namespace zkctl::probe
