#pragma once
// Test helpers: a loopback TCP server answering four-letter words from a map, and a
// fake Remote whose open_tcp returns canned streams.

#include <netinet/in.h>
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

// Answers four-letter words on 127.0.0.1:port() until destroyed.
class FakeZk {
 public:
  explicit FakeZk(std::map<std::string, std::string> answers,
                  Behaviour behaviour = Behaviour::answer)
      : answers_(std::move(answers)), behaviour_(behaviour) {
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
  }
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

  BoundSocket sock_;
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
  std::string host_ = "jump1";
};

// Milliseconds since `t` on the steady clock.
inline std::chrono::milliseconds ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t);
}

}  // namespace probe_test
