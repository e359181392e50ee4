#pragma once
// A TLS server on 127.0.0.1 for tests (OpenSSL, client certificates required): each
// connection is echoed back, or carried in plaintext to a local port (TLS in front of a
// real ZooKeeper, which has no TLS without Netty). A thread per connection; all end with it.

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_zk.hpp"
#include "support/free_port.hpp"
#include "support/test_pki.hpp"

namespace probe_test {

class TlsFront {
 public:
  // Serve with `pki`'s certificate `cert`, trusting its "ca"; `forward_port` 0: echo.
  TlsFront(const TestPki& pki, const std::string& cert, int forward_port = 0)
      : forward_port_(forward_port) {
    ctx_ = server_context({pki.pem(cert), pki.key(cert), pki.pem("ca"), ClientAuth::need});
    ::listen(sock_.fd(), 16);
    thread_ = std::thread([this] {
      // OpenSSL writes with write(2): a client that hung up mid-handshake (one refusing this
      // certificate) must not raise SIGPIPE, which would end the whole test process. The
      // connection threads inherit the mask.
      sigset_t block;
      sigemptyset(&block);
      sigaddset(&block, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &block, nullptr);
      accept_loop();
    });
  }
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;
  ~TlsFront() {
    stop_ = true;
    ::shutdown(sock_.fd(), SHUT_RDWR);
    thread_.join();
    for (auto& t : connections_) t.join();
    SSL_CTX_free(ctx_);
  }
  int port() const { return sock_.port(); }
  // Connections accepted so far (handshake or not).
  int accepted() const { return accepted_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{sock_.fd(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(sock_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++accepted_;
      connections_.emplace_back([this, c] { serve(c); });
    }
  }

  void serve(int c) {
    timeval tv{0, 100 * 1000};  // reads return every 100 ms so stop_ is seen
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, c);
    int up = -1;
    bool ok = false;
    for (int tries = 0; tries < 30 && !stop_; ++tries) {
      const int r = SSL_accept(ssl);
      if (r == 1) ok = true;
      if (r == 1 || SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ) break;
    }
    if (ok && forward_port_ != 0) up = zkctl::testing::connect_loopback(forward_port_);
    if (ok && (forward_port_ == 0 || up >= 0)) relay(ssl, c, up);
    if (up >= 0) ::close(up);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    ::close(c);
  }

  // TLS <-> `up` (or echo when `up` < 0) until either side ends or the front stops.
  void relay(SSL* ssl, int c, int up) {
    char buf[16384];
    while (!stop_) {
      pollfd p[2] = {{c, POLLIN, 0}, {up, POLLIN, 0}};
      if (SSL_pending(ssl) == 0 && ::poll(p, up >= 0 ? 2 : 1, 100) <= 0) continue;
      if (SSL_pending(ssl) > 0 || p[0].revents != 0) {
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) {
          if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ) continue;
          return;
        }
        if (up < 0) {
          SSL_write(ssl, buf, n);
        } else if (::send(up, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) {
          return;
        }
      }
      if (up >= 0 && p[1].revents != 0) {
        const ssize_t n = ::recv(up, buf, sizeof buf, 0);
        if (n <= 0 || SSL_write(ssl, buf, static_cast<int>(n)) <= 0) return;
      }
    }
  }

  BoundSocket sock_;
  SSL_CTX* ctx_ = nullptr;
  int forward_port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<std::thread> connections_;  // touched by the accept thread, then the destructor
  std::thread thread_;
};

}  // namespace probe_test
