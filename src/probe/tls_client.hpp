#pragma once
// OpenSSL pieces zkctl's own TLS clients share (four-letter words, the ZooKeeper relay):
// a client context from a ClientTls, one connection verified against a host name or
// address, and one-line reasons for a failed handshake or read. Internal to src/probe/.

#include <openssl/ssl.h>
#include <signal.h>

#include <memory>
#include <string>

#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::probe::tls {

struct CtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

// A client context for `tls`: TLS 1.2 or newer, the server's chain verified against
// tls.ca_file, tls.cert_file/key_file presented when set (key_file empty: the key is in
// cert_file). The error names the file that could not be used.
util::Result<CtxPtr> client_context(const ClientTls& tls);

// A connection of `ctx` that verifies the server's certificate names `host` (an IP
// literal is matched against IP SANs, a name against DNS SANs and sent as SNI).
util::Result<SslPtr> client_connection(SSL_CTX* ctx, const std::string& host);

// Where a TLS call failed: the handshake or the exchange after it.
enum class Stage { handshake, exchange };

// One line saying why the SSL call on `ssl` that returned `ret` failed (after
// SSL_get_error gave neither WANT_READ nor WANT_WRITE), e.g. "TLS handshake: certificate
// verify failed: hostname mismatch". Empties OpenSSL's error queue of this thread.
std::string failure_text(SSL* ssl, int ret, Stage stage);

// "TLS handshake: the server closed the connection during the handshake (...)".
std::string closed_during_handshake();

// "TLS: the server ended the connection after the handshake (`cause`): ...", for a reset
// or a failed write right after it (how a refused client certificate shows in TLS 1.3).
std::string ended_after_handshake(const std::string& cause);

// Whether `ssl`'s last call returning `ret` means the peer ended the stream (close_notify
// or a plain EOF, which ZooKeeper's Netty may send after its answer).
bool is_eof(SSL* ssl, int ret);

// OpenSSL writes to sockets with write(2), so a peer gone away raises SIGPIPE, which would
// end zkctl. While a guard lives, SIGPIPE is blocked in this thread; one raised meanwhile is
// taken off the pending set before the mask is restored (the process's handlers unchanged).
class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_{};
  bool was_pending_ = false;
};

}  // namespace zkctl::probe::tls
