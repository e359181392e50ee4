#include "probe/tls_client.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>

#include <cerrno>
#include <cstring>

namespace zkctl::probe::tls {

namespace {

// The first error on OpenSSL's queue of this thread as text, then the queue emptied.
std::string take_errors(unsigned long* first_out = nullptr) {
  const unsigned long first = ERR_peek_error();
  if (first_out != nullptr) *first_out = first;
  std::string text;
  if (first != 0) {
    char buf[256] = {};
    ERR_error_string_n(first, buf, sizeof buf);
    const char* reason = ERR_reason_error_string(first);
    text = reason != nullptr ? reason : buf;
  }
  ERR_clear_error();
  return text;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string verify_text(long verify) {
  std::string text =
      std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    text += " (the server's certificate does not name the host zkctl connected to)";
  } else if (verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
             verify == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
             verify == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
    text += " (the server's certificate is not issued by the cluster CA zkctl trusts)";
  }
  return text;
}

// Text for a failure OpenSSL gave a reason for.
std::string reason_text(int reason, const std::string& what) {
  switch (reason) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return "the server requires a client certificate (" + what + ")";
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
      return "the server did not accept zkctl's client certificate (" + what + ")";
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL:
      return "the server does not speak TLS there, a plaintext port? (" + what + ")";
    default:
      return what;
  }
}

}  // namespace

util::Result<CtxPtr> client_context(const ClientTls& tls) {
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return util::fail("TLS: cannot create a context: " + take_errors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // A peer that closes without close_notify ends the stream (ZooKeeper after its answer).
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca_file.c_str(), nullptr) != 1) {
    return util::fail("TLS: cannot use CA file " + tls.ca_file + ": " + take_errors());
  }
  if (tls.cert_file.empty()) return ctx;
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert_file.c_str()) != 1) {
    return util::fail("TLS: cannot use certificate file " + tls.cert_file + ": " + take_errors());
  }
  const std::string& key = tls.key_file.empty() ? tls.cert_file : tls.key_file;
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return util::fail("TLS: cannot use key file " + key + ": " + take_errors());
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return util::fail("TLS: key file " + key + " does not match certificate " + tls.cert_file +
                      ": " + take_errors());
  }
  return ctx;
}

util::Result<SslPtr> client_connection(SSL_CTX* ctx, const std::string& host) {
  ERR_clear_error();
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) return util::fail("TLS: cannot create a connection: " + take_errors());
  std::string name = host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  if (is_ip_literal(name)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      return util::fail("TLS: cannot verify address " + name + ": " + take_errors());
    }
    return ssl;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl.get(), name.c_str()) != 1 ||
      SSL_set_tlsext_host_name(ssl.get(), name.c_str()) != 1) {
    return util::fail("TLS: cannot verify host name " + name + ": " + take_errors());
  }
  return ssl;
}

std::string failure_text(SSL* ssl, int ret, Stage stage) {
  const int saved_errno = errno;
  const int err = SSL_get_error(ssl, ret);
  const std::string prefix = stage == Stage::handshake ? "TLS handshake: " : "TLS: ";
  const long verify = SSL_get_verify_result(ssl);
  unsigned long first = 0;
  const std::string what = take_errors(&first);
  if (stage == Stage::handshake && verify != X509_V_OK) return prefix + verify_text(verify);
  if (first != 0 && ERR_GET_LIB(first) == ERR_LIB_SSL &&
      ERR_GET_REASON(first) != SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return prefix + reason_text(ERR_GET_REASON(first), what);
  }
  if (err == SSL_ERROR_SYSCALL && ret < 0 && saved_errno != 0) {
    if (stage == Stage::exchange) return ended_after_handshake(std::strerror(saved_errno));
    return closed_during_handshake() + " (" + std::strerror(saved_errno) + ")";
  }
  if (stage == Stage::handshake) return closed_during_handshake();
  return prefix + (what.empty() ? "the server closed the connection" : what);
}

std::string closed_during_handshake() {
  return "TLS handshake: the server closed the connection during the handshake (it probably "
         "requires a client certificate, or does not speak TLS there)";
}

std::string ended_after_handshake(const std::string& cause) {
  return "TLS: the server ended the connection after the handshake (" + cause +
         "): it may have refused zkctl's client certificate";
}

bool is_eof(SSL* ssl, int ret) {
  const int err = SSL_get_error(ssl, ret);
  if (err == SSL_ERROR_ZERO_RETURN) return true;
  return err == SSL_ERROR_SYSCALL && ret == 0 && ERR_peek_error() == 0;
}

SigpipeGuard::SigpipeGuard() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old_);
}

SigpipeGuard::~SigpipeGuard() {
  if (!was_pending_) {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      sigset_t only;
      sigemptyset(&only);
      sigaddset(&only, SIGPIPE);
      const timespec now{0, 0};
      while (sigtimedwait(&only, nullptr, &now) < 0 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

}  // namespace zkctl::probe::tls
