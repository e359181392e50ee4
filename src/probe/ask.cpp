#include "probe/ask.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "probe/four_letter.hpp"

namespace zkctl::probe {

namespace {

using Clock = std::chrono::steady_clock;

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

struct AddrInfoFree {
  void operator()(addrinfo* p) const { ::freeaddrinfo(p); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoFree>;

std::string endpoint(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// Milliseconds left until `deadline`, at least 0, for poll().
int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

// Wait for `events` on `fd` until `deadline`. Returns revents, 0 on timeout, -1 (errno) on error.
int wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, ms_left(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n;
    return p.revents;
  }
}

Failure failure_of_errno(int err) {
  switch (err) {
    case ECONNREFUSED:
      return Failure::refused;
    case ETIMEDOUT:
      return Failure::timeout;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
    case EADDRNOTAVAIL:
      return Failure::unreachable;
    default:
      return Failure::protocol;
  }
}

std::string explain(Failure f, const std::string& where, std::string_view word,
                    std::chrono::milliseconds timeout, const std::string& cause) {
  const std::string w(word);
  switch (f) {
    case Failure::refused:
      return where + ": connection refused (nothing listens there: ZooKeeper is down)";
    case Failure::timeout:
      return where + ": no answer to `" + w + "` within " + std::to_string(timeout.count()) +
             " ms (" + cause + ")";
    case Failure::unreachable:
      return where + ": unreachable (" + cause + ")";
    case Failure::resolve:
      return where + ": host name does not resolve (" + cause + ")";
    case Failure::not_whitelisted:
      return where + ": `" + w +
             "` is not in 4lw.commands.whitelist (the server is up; add it to zoo.cfg)";
    case Failure::protocol:
      return where + ": " + cause;
    case Failure::none:
      break;
  }
  return where + ": " + cause;
}

// Turn a complete answer into an Answer: refusals and empty answers are failures.
Answer judge(std::string text, const std::string& where, std::string_view word,
             std::chrono::milliseconds timeout) {
  switch (classify_answer(text)) {
    case AnswerKind::whitelist_refusal:
      return {Failure::not_whitelisted,
              explain(Failure::not_whitelisted, where, word, timeout, "")};
    case AnswerKind::empty:
      return {Failure::protocol,
              explain(Failure::protocol, where, word, timeout,
                      "closed the connection without answering `" + std::string(word) + "`")};
    case AnswerKind::not_serving:
    case AnswerKind::data:
      break;
  }
  return Answer(std::move(text));
}

struct Connected {
  std::unique_ptr<UniqueFd> fd;  // null on failure
  Failure failure = Failure::none;
  std::string cause;
};

// Non-blocking connect to one address, until `deadline`.
Connected connect_one(const addrinfo& ai, Clock::time_point deadline) {
  auto fd = std::make_unique<UniqueFd>(
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol));
  if (fd->get() < 0)
    return {nullptr, Failure::protocol, std::string("socket: ") + std::strerror(errno)};
  if (::connect(fd->get(), ai.ai_addr, ai.ai_addrlen) == 0)
    return {std::move(fd), Failure::none, ""};
  if (errno != EINPROGRESS) return {nullptr, failure_of_errno(errno), std::strerror(errno)};
  const int rev = wait_for(fd->get(), POLLOUT, deadline);
  if (rev == 0)
    return {nullptr, Failure::timeout, "connect timed out: host unreachable or port filtered"};
  if (rev < 0) return {nullptr, Failure::protocol, std::string("poll: ") + std::strerror(errno)};
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return {nullptr, failure_of_errno(err), std::strerror(err)};
  return {std::move(fd), Failure::none, ""};
}

}  // namespace

const char* to_string(Failure failure) {
  switch (failure) {
    case Failure::none:
      return "none";
    case Failure::resolve:
      return "resolve";
    case Failure::refused:
      return "refused";
    case Failure::timeout:
      return "timeout";
    case Failure::unreachable:
      return "unreachable";
    case Failure::not_whitelisted:
      return "not whitelisted";
    case Failure::protocol:
      return "protocol";
  }
  return "unknown";
}

Answer ask_tcp(const std::string& host, int port, std::string_view word,
               std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const auto where = endpoint(host, port);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  AddrInfoPtr addrs(found);
  if (gai != 0)
    return {Failure::resolve, explain(Failure::resolve, where, word, timeout, ::gai_strerror(gai))};

  // Try each address; remember the first failure as the most telling one.
  Connected conn;
  Connected first_failure;
  for (const addrinfo* ai = addrs.get(); ai != nullptr; ai = ai->ai_next) {
    conn = connect_one(*ai, deadline);
    if (conn.fd) break;
    if (first_failure.failure == Failure::none) first_failure = std::move(conn);
    if (Clock::now() >= deadline) break;
  }
  if (!conn.fd) {
    return {first_failure.failure,
            explain(first_failure.failure, where, word, timeout, first_failure.cause)};
  }
  const int fd = conn.fd->get();

  // Write the word.
  std::string_view rest = word;
  while (!rest.empty()) {
    const ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      rest.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return {Failure::protocol, explain(Failure::protocol, where, word, timeout,
                                         std::string("send: ") + std::strerror(errno))};
    }
    const int rev = wait_for(fd, POLLOUT, deadline);
    if (rev == 0) {
      return {Failure::timeout, explain(Failure::timeout, where, word, timeout, "could not send")};
    }
  }

  // Read to EOF.
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;  // EOF: the answer is complete
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const int rev = wait_for(fd, POLLIN, deadline);
      if (rev == 0) {
        return {
            Failure::timeout,
            explain(Failure::timeout, where, word, timeout,
                    text.empty() ? "connected, but the server sent nothing: hung or not ZooKeeper"
                                 : "answer incomplete, " + std::to_string(text.size()) +
                                       " bytes before the timeout")};
      }
      continue;  // readable, hung up or error: recv tells which
    }
    // ZooKeeper may reset right after its answer: keep what arrived.
    if (errno == ECONNRESET && !text.empty()) break;
    return {Failure::protocol, explain(Failure::protocol, where, word, timeout,
                                       std::string("recv: ") + std::strerror(errno))};
  }
  return judge(std::move(text), where, word, timeout);
}

namespace {

// One question's progress through ask_tcp_all.
struct Exchange {
  enum class Phase { connecting, sending, reading, done };
  const TcpQuestion* q = nullptr;
  std::string where;
  const addrinfo* next_ai = nullptr;  // the address to try after the current one
  std::unique_ptr<UniqueFd> fd;
  Phase phase = Phase::done;
  std::size_t sent = 0;
  std::string text;
  Failure first_failure = Failure::none;
  std::string first_cause;
  std::optional<Answer> answer;
};

// Start a non-blocking connect to the next address of `x`; on immediate failure try the
// following ones; with none left, settle the answer.
void start_connect(Exchange& x, std::chrono::milliseconds timeout) {
  while (x.next_ai != nullptr) {
    const addrinfo& ai = *x.next_ai;
    x.next_ai = ai.ai_next;
    auto fd = std::make_unique<UniqueFd>(
        ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol));
    int err = 0;
    if (fd->get() < 0) {
      err = errno;
    } else if (::connect(fd->get(), ai.ai_addr, ai.ai_addrlen) == 0 || errno == EINPROGRESS) {
      x.fd = std::move(fd);
      x.phase = Exchange::Phase::connecting;
      return;
    } else {
      err = errno;
    }
    if (x.first_failure == Failure::none) {
      x.first_failure = failure_of_errno(err);
      x.first_cause = std::strerror(err);
    }
  }
  x.phase = Exchange::Phase::done;
  if (x.first_failure == Failure::none) {
    x.first_failure = Failure::unreachable;
    x.first_cause = "no address to connect to";
  }
  x.answer =
      Answer(x.first_failure, explain(x.first_failure, x.where, x.q->word, timeout, x.first_cause));
}

void settle(Exchange& x, Failure f, const std::string& cause, std::chrono::milliseconds timeout) {
  x.fd.reset();
  x.phase = Exchange::Phase::done;
  x.answer = Answer(f, explain(f, x.where, x.q->word, timeout, cause));
}

}  // namespace

namespace {

// Resolve each distinct host:port once and start every question's connect.
std::vector<Exchange> start_all(const std::vector<TcpQuestion>& questions,
                                std::vector<std::pair<std::string, AddrInfoPtr>>& resolved,
                                std::chrono::milliseconds timeout) {
  std::vector<std::string> resolve_error;
  std::vector<Exchange> xs(questions.size());
  for (std::size_t i = 0; i < questions.size(); ++i) {
    Exchange& x = xs[i];
    x.q = &questions[i];
    x.where = endpoint(x.q->host, x.q->port);
    std::size_t k = 0;
    while (k < resolved.size() && resolved[k].first != x.where) ++k;
    if (k == resolved.size()) {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      hints.ai_flags = AI_NUMERICSERV;
      addrinfo* found = nullptr;
      const int gai =
          ::getaddrinfo(x.q->host.c_str(), std::to_string(x.q->port).c_str(), &hints, &found);
      resolved.emplace_back(x.where, AddrInfoPtr(found));
      resolve_error.push_back(gai != 0 ? ::gai_strerror(gai) : "");
    }
    if (!resolve_error[k].empty()) {
      x.answer = Answer(Failure::resolve,
                        explain(Failure::resolve, x.where, x.q->word, timeout, resolve_error[k]));
      continue;
    }
    x.next_ai = resolved[k].second.get();
    start_connect(x, timeout);
  }
  return xs;
}

// The deadline passed (or poll failed): every unfinished exchange gets its phase's reason.
void settle_timed_out(const std::vector<Exchange*>& open, std::chrono::milliseconds timeout) {
  for (Exchange* x : open) {
    if (x->phase == Exchange::Phase::connecting) {
      settle(*x, Failure::timeout, "connect timed out: host unreachable or port filtered", timeout);
    } else if (x->phase == Exchange::Phase::sending) {
      settle(*x, Failure::timeout, "could not send", timeout);
    } else {
      settle(*x, Failure::timeout,
             x->text.empty() ? "connected, but the server sent nothing: hung or not ZooKeeper"
                             : "answer incomplete, " + std::to_string(x->text.size()) +
                                   " bytes before the timeout",
             timeout);
    }
  }
}

// Reading: drain what is there; EOF completes the answer.
void read_ready(Exchange& x, std::chrono::milliseconds timeout) {
  char buf[16384];
  for (;;) {
    const ssize_t r = ::recv(x.fd->get(), buf, sizeof buf, 0);
    if (r > 0) {
      x.text.append(buf, static_cast<std::size_t>(r));
      continue;
    }
    if (r == 0 || (errno == ECONNRESET && !x.text.empty())) {
      // EOF, or ZooKeeper's reset right after its answer: keep what arrived.
      x.fd.reset();
      x.phase = Exchange::Phase::done;
      x.answer = judge(std::move(x.text), x.where, x.q->word, timeout);
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      settle(x, Failure::protocol, std::string("recv: ") + std::strerror(errno), timeout);
    return;
  }
}

// One exchange whose socket poll reported ready: connect done, send, or read.
void advance(Exchange& x, std::chrono::milliseconds timeout) {
  const int fd = x.fd->get();
  if (x.phase == Exchange::Phase::connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
      if (x.first_failure == Failure::none) {
        x.first_failure = failure_of_errno(err);
        x.first_cause = std::strerror(err);
      }
      x.fd.reset();
      start_connect(x, timeout);
      return;
    }
    x.phase = Exchange::Phase::sending;
  }
  if (x.phase == Exchange::Phase::sending) {
    const std::string& w = x.q->word;
    const ssize_t s = ::send(fd, w.data() + x.sent, w.size() - x.sent, MSG_NOSIGNAL);
    if (s < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      settle(x, Failure::protocol, std::string("send: ") + std::strerror(errno), timeout);
      return;
    }
    if (s > 0) x.sent += static_cast<std::size_t>(s);
    if (x.sent == w.size()) x.phase = Exchange::Phase::reading;
    return;
  }
  read_ready(x, timeout);
}

}  // namespace

std::vector<Answer> ask_tcp_all(const std::vector<TcpQuestion>& questions,
                                std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<std::pair<std::string, AddrInfoPtr>> resolved;  // outlives the exchanges
  std::vector<Exchange> xs = start_all(questions, resolved, timeout);
  std::vector<pollfd> fds;
  std::vector<Exchange*> owners;
  for (;;) {
    fds.clear();
    owners.clear();
    for (Exchange& x : xs) {
      if (x.phase == Exchange::Phase::done) continue;
      const short ev = x.phase == Exchange::Phase::reading ? POLLIN : POLLOUT;
      fds.push_back({x.fd->get(), ev, 0});
      owners.push_back(&x);
    }
    if (fds.empty()) break;
    const int n = ::poll(fds.data(), fds.size(), ms_left(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      settle_timed_out(owners, timeout);
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0) advance(*owners[i], timeout);
  }
  std::vector<Answer> out;
  out.reserve(xs.size());
  for (Exchange& x : xs) out.push_back(std::move(*x.answer));
  return out;
}

Answer ask_via(remote::Remote& remote, const std::string& host, int port, std::string_view word,
               std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  const auto where = endpoint(host, port) + " via ssh to " + remote.host();

  auto stream = remote.open_tcp(host, port);
  if (!stream) {
    // sshd reports the remote connect's failure as text, e.g. "Connection refused".
    std::string lower = stream.error().message;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const Failure f = lower.find("refused") != std::string::npos     ? Failure::refused
                      : lower.find("timed out") != std::string::npos ? Failure::timeout
                                                                     : Failure::unreachable;
    if (f == Failure::refused) return {f, explain(f, where, word, timeout, "")};
    return {f, where + ": could not open a forwarded connection: " + stream.error().message};
  }
  if (auto w = (*stream)->write_all(std::string(word)); !w) {
    return {Failure::protocol,
            where + ": sending `" + std::string(word) + "`: " + w.error().message};
  }
  auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (left < std::chrono::milliseconds(1)) left = std::chrono::milliseconds(1);
  auto text = (*stream)->read_all(left);
  if (!text) return {Failure::protocol, where + ": reading the answer: " + text.error().message};
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    // read_all returns what arrived by EOF or the timeout; nothing at all after the
    // whole timeout means no answer, before it means closed without one.
    if (Clock::now() - start >= timeout) {
      return {Failure::timeout, explain(Failure::timeout, where, word, timeout,
                                        "connected through ssh, but nothing arrived")};
    }
  }
  return judge(std::move(*text), where, word, timeout);
}

}  // namespace zkctl::probe
