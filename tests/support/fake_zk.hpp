#pragma once
// Test helpers: a loopback TCP server answering four-letter words from a map (plain, or
// over TLS with OpenSSL as the server side), and a fake Remote whose open_tcp returns
// canned streams or forwards to a loopback port.

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "probe/ask.hpp"
#include "probe/four_letter.hpp"
#include "remote/remote.hpp"

// GoogleTest prints these by name.
namespace zkctl::probe {
inline void PrintTo(Mode mode, std::ostream* os) {
  *os << to_string(mode);
}
inline void PrintTo(Failure failure, std::ostream* os) {
  *os << to_string(failure);
}
}  // namespace zkctl::probe

namespace probe_test {

#ifdef PROBE_DATA_DIR
// A recorded answer from tests/unit/probe/data.
inline std::string read_vector(const std::string& name) {
  std::ifstream in(std::string(PROBE_DATA_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing test vector " + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
#endif

// A socket bound to 127.0.0.1 on a free port; closed on destruction.
class BoundSocket {
 public:
  BoundSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("bind 127.0.0.1:0 failed");
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;
  ~BoundSocket() { ::close(fd_); }
  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

using Answers = std::map<std::string, std::string>;  // word -> answer

enum class Behaviour {
  answer,  // read the word, write answers[word] (or nothing), close
  silent,  // accept, read, never answer (until the server stops)
};

// Whether a TLS FakeZk demands a client certificate.
enum class ClientAuth { none, need };

// The server side of a TLS FakeZk (PEM files).
struct ServerTls {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;  // verifies client certificates
  ClientAuth client_auth = ClientAuth::need;
};

// A TLS server context for `tls` (the caller frees it); throws if a file cannot be used.
inline SSL_CTX* server_context(const ServerTls& tls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr || SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr) != 1) {
    if (ctx != nullptr) SSL_CTX_free(ctx);
    throw std::runtime_error("cannot set up a TLS server with " + tls.cert_file);
  }
  SSL_CTX_set_verify(ctx,
                     tls.client_auth == ClientAuth::need
                         ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                         : SSL_VERIFY_NONE,
                     nullptr);
  return ctx;
}

// Answers four-letter words on 127.0.0.1:port() until destroyed.
class FakeZk {
 public:
  explicit FakeZk(std::map<std::string, std::string> answers,
                  Behaviour behaviour = Behaviour::answer)
      : answers_(std::move(answers)), behaviour_(behaviour) {
    ::listen(sock_.fd(), 16);
    thread_ = std::thread([this] { serve(); });
  }
  // The same over TLS only (a secure client port), one connection at a time.
  FakeZk(const ServerTls& tls, std::map<std::string, std::string> answers)
      : answers_(std::move(answers)), behaviour_(Behaviour::answer) {
    ctx_ = server_context(tls);
    ::listen(sock_.fd(), 16);
    thread_ = std::thread([this] { serve(); });
  }
  FakeZk(const FakeZk&) = delete;
  FakeZk& operator=(const FakeZk&) = delete;
  ~FakeZk() {
    stop_ = true;
    ::shutdown(sock_.fd(), SHUT_RDWR);  // wakes poll/accept
    thread_.join();
    for (int fd : held_) ::close(fd);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  // TLS handshakes that failed so far (a client the server refused, or that refused it).
  int failed_handshakes() const { return failed_handshakes_; }
  int port() const { return sock_.port(); }
  // Answer from now on with `answers` (a server whose mode changes).
  void set_answers(std::map<std::string, std::string> answers) {
    std::lock_guard lock(mu_);
    answers_ = std::move(answers);
  }
  // Words received so far, in order.
  std::vector<std::string> words() const {
    std::lock_guard lock(mu_);
    return words_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{sock_.fd(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(sock_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      if (ctx_ != nullptr) {
        serve_tls(c);
        continue;
      }
      std::string word;
      char buf[4];
      while (word.size() < 4) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 1000) <= 0) break;
        const ssize_t n = ::read(c, buf, 4 - word.size());
        if (n <= 0) break;
        word.append(buf, static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        words_.push_back(word);
      }
      if (behaviour_ == Behaviour::silent) {
        held_.push_back(c);
        continue;
      }
      std::string answer;
      bool known = false;
      {
        std::lock_guard lock(mu_);
        auto it = answers_.find(word);
        if (it != answers_.end()) {
          known = true;
          answer = it->second;
        }
      }
      if (known) {
        std::string_view rest = answer;
        while (!rest.empty()) {
          const ssize_t n = ::send(c, rest.data(), rest.size(), MSG_NOSIGNAL);
          if (n <= 0) break;
          rest.remove_prefix(static_cast<size_t>(n));
        }
      }
      ::close(c);
    }
  }

  // One connection over TLS: handshake, read the word, answer, close_notify, close.
  void serve_tls(int c) {
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
      std::string word;
      char buf[4];
      while (word.size() < 4) {
        const int n = SSL_read(ssl, buf, static_cast<int>(4 - word.size()));
        if (n <= 0) break;
        word.append(buf, static_cast<size_t>(n));
      }
      std::string answer;
      {
        std::lock_guard lock(mu_);
        if (word.size() == 4) words_.push_back(word);
        auto it = answers_.find(word);
        if (it != answers_.end()) answer = it->second;
      }
      if (!answer.empty()) SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
      SSL_shutdown(ssl);
    } else {
      ++failed_handshakes_;
    }
    SSL_free(ssl);
    ::close(c);
  }

  BoundSocket sock_;
  SSL_CTX* ctx_ = nullptr;  // TLS mode when set
  std::atomic<int> failed_handshakes_{0};
  std::map<std::string, std::string> answers_;  // guarded by mu_
  Behaviour behaviour_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> words_;  // guarded by mu_
  std::vector<int> held_;
  std::thread thread_;
};

// A Remote whose open_tcp answers each word from `answers`, or fails with `open_error`.
class FakeRemote : public zkctl::remote::Remote {
 public:
  std::map<std::string, std::string> answers;  // by word (the last written word selects)
  std::string open_error;                      // non-empty: open_tcp fails with it
  std::vector<std::string> opened;             // "host:port" per open_tcp call
  std::vector<std::string> written;            // words written
  int forward_port = 0;  // non-zero: open_tcp really connects to 127.0.0.1:forward_port

  const std::string& host() const override { return host_; }
  zkctl::util::Result<zkctl::remote::CommandResult> run(const std::string&,
                                                        std::chrono::seconds) override {
    return zkctl::util::fail("not in this fake");
  }
  zkctl::util::Result<void> upload_file(const std::string&, const std::string&, int,
                                        const zkctl::remote::ProgressFn&) override {
    return zkctl::util::fail("not in this fake");
  }
  zkctl::util::Result<void> write_file(const std::string&, const std::string&, int) override {
    return zkctl::util::fail("not in this fake");
  }
  zkctl::util::Result<std::unique_ptr<zkctl::remote::Stream>> open_tcp(const std::string& h,
                                                                       int port) override {
    opened.push_back(h + ":" + std::to_string(port));
    if (!open_error.empty()) return zkctl::util::fail(open_error);
    if (forward_port != 0) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(forward_port));
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return zkctl::util::fail("Connection refused");
      }
      return std::unique_ptr<zkctl::remote::Stream>(std::make_unique<SocketStream>(fd));
    }
    return std::unique_ptr<zkctl::remote::Stream>(std::make_unique<WordStream>(this));
  }

 private:
  // Answers once the word is written.
  class WordStream : public zkctl::remote::Stream {
   public:
    explicit WordStream(FakeRemote* r) : r_(r) {}
    zkctl::util::Result<void> write_all(const std::string& data) override {
      r_->written.push_back(data);
      word_ = data;
      return {};
    }
    zkctl::util::Result<std::string> read_all(std::chrono::milliseconds) override {
      auto it = r_->answers.find(word_);
      return it == r_->answers.end() ? std::string() : it->second;
    }

   private:
    FakeRemote* r_;
    std::string word_;
  };
  // A real loopback connection (for TLS over the "channel").
  class SocketStream : public zkctl::remote::Stream {
   public:
    explicit SocketStream(int fd) : fd_(fd) {}
    ~SocketStream() override { ::close(fd_); }
    zkctl::util::Result<void> write_all(const std::string& data) override {
      std::string_view rest = data;
      while (!rest.empty()) {
        const ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (n <= 0) return zkctl::util::fail("send failed");
        rest.remove_prefix(static_cast<size_t>(n));
      }
      return {};
    }
    zkctl::util::Result<std::string> read_all(std::chrono::milliseconds timeout) override {
      std::string out;
      for (;;) {
        auto some = read_some(timeout);
        if (!some || some->empty()) return out;
        out += *some;
      }
    }
    zkctl::util::Result<std::string> read_some(std::chrono::milliseconds timeout) override {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::string();
      char buf[16384];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == ECONNRESET) return std::string();  // sshd: the channel closes
      if (n < 0) return zkctl::util::fail("recv failed");
      return std::string(buf, static_cast<size_t>(n));
    }

   private:
    int fd_;
  };
  std::string host_ = "jump1";
};

// Milliseconds since `t` on the steady clock.
inline std::chrono::milliseconds ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t);
}

}  // namespace probe_test
