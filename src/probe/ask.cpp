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
#include "probe/tls_client.hpp"

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

// Whether an exchange runs over TLS.
enum class Secure { no, yes };

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
      return where + ": connection refused (nothing listens there: the process is down)";
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
    case Failure::tls:
      return where + ": " + cause;
    case Failure::none:
      break;
  }
  return where + ": " + cause;
}

// Turn a complete answer into an Answer: refusals and empty answers are failures.
// `secure`: it came over TLS (an empty answer then may be a refused client certificate).
Answer judge(std::string text, const std::string& where, std::string_view word,
             std::chrono::milliseconds timeout, Secure secure) {
  switch (classify_answer(text)) {
    case AnswerKind::whitelist_refusal:
      return {Failure::not_whitelisted,
              explain(Failure::not_whitelisted, where, word, timeout, "")};
    case AnswerKind::empty:
      return {Failure::protocol,
              explain(Failure::protocol, where, word, timeout,
                      "closed the connection without answering `" + std::string(word) + "`" +
                          (secure == Secure::yes
                               ? std::string(" (over TLS: the server may have refused zkctl's "
                                             "client certificate)")
                               : std::string()))};
    case AnswerKind::not_serving:
    case AnswerKind::data:
      break;
  }
  return Answer(std::move(text));
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
    case Failure::tls:
      return "tls";
  }
  return "unknown";
}

namespace {

// One question's progress through ask_tcp_all.
struct Exchange {
  enum class Phase { connecting, handshaking, sending, reading, done };
  const TcpQuestion* q = nullptr;
  std::string where;
  const addrinfo* next_ai = nullptr;  // the address to try after the current one
  std::unique_ptr<UniqueFd> fd;
  tls::SslPtr ssl;  // over TLS: the connection once connected
  short want = 0;   // poll events the current phase waits for
  Phase phase = Phase::done;
  std::size_t sent = 0;
  std::string text;
  Failure first_failure = Failure::none;
  std::string first_cause;
  std::optional<Answer> answer;
};

// What every exchange of one ask_tcp_all shares.
struct Shared {
  std::chrono::milliseconds timeout;
  SSL_CTX* ctx = nullptr;  // null: plaintext
};

// Start a non-blocking connect to the next address of `x`; on immediate failure try the
// following ones; with none left, settle the answer.
void start_connect(Exchange& x, const Shared& sh) {
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
      x.want = POLLOUT;
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
  x.answer = Answer(x.first_failure,
                    explain(x.first_failure, x.where, x.q->word, sh.timeout, x.first_cause));
}

void settle(Exchange& x, Failure f, const std::string& cause, const Shared& sh) {
  x.ssl.reset();
  x.fd.reset();
  x.phase = Exchange::Phase::done;
  x.answer = Answer(f, explain(f, x.where, x.q->word, sh.timeout, cause));
}

void finish(Exchange& x, const Shared& sh) {
  x.ssl.reset();
  x.fd.reset();
  x.phase = Exchange::Phase::done;
  x.answer = judge(std::move(x.text), x.where, x.q->word, sh.timeout,
                   sh.ctx != nullptr ? Secure::yes : Secure::no);
}

// Resolve each distinct host:port once and start every question's connect.
std::vector<Exchange> start_all(const std::vector<TcpQuestion>& questions,
                                std::vector<std::pair<std::string, AddrInfoPtr>>& resolved,
                                const Shared& sh) {
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
      x.answer = Answer(Failure::resolve, explain(Failure::resolve, x.where, x.q->word, sh.timeout,
                                                  resolve_error[k]));
      continue;
    }
    x.next_ai = resolved[k].second.get();
    start_connect(x, sh);
  }
  return xs;
}

// The deadline passed (or poll failed): every unfinished exchange gets its phase's reason.
void settle_timed_out(const std::vector<Exchange*>& open, const Shared& sh) {
  for (Exchange* x : open) {
    if (x->phase == Exchange::Phase::connecting) {
      settle(*x, Failure::timeout, "connect timed out: host unreachable or port filtered", sh);
    } else if (x->phase == Exchange::Phase::handshaking) {
      settle(*x, Failure::timeout, "connected, but the TLS handshake did not complete", sh);
    } else if (x->phase == Exchange::Phase::sending) {
      settle(*x, Failure::timeout, "could not send", sh);
    } else {
      settle(*x, Failure::timeout,
             x->text.empty() ? "connected, but the server sent nothing: hung or not ZooKeeper"
                             : "answer incomplete, " + std::to_string(x->text.size()) +
                                   " bytes before the timeout",
             sh);
    }
  }
}

// An SSL call returned `r` <= 0: wait for what it wants (true), or settle the failure.
bool tls_wait_or_settle(Exchange& x, int r, tls::Stage stage, const Shared& sh) {
  const int e = SSL_get_error(x.ssl.get(), r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    x.want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    return true;
  }
  settle(x, Failure::tls, tls::failure_text(x.ssl.get(), r, stage), sh);
  return false;
}

// Reading: drain what is there; EOF completes the answer.
void read_ready(Exchange& x, const Shared& sh) {
  char buf[16384];
  for (;;) {
    if (x.ssl) {
      const int r = SSL_read(x.ssl.get(), buf, sizeof buf);
      if (r > 0) {
        x.text.append(buf, static_cast<std::size_t>(r));
        continue;
      }
      // EOF, or a reset right after the answer: keep what arrived.
      if (tls::is_eof(x.ssl.get(), r) ||
          (SSL_get_error(x.ssl.get(), r) == SSL_ERROR_SYSCALL && !x.text.empty()))
        return finish(x, sh);
      tls_wait_or_settle(x, r, tls::Stage::exchange, sh);
      return;
    }
    const ssize_t r = ::recv(x.fd->get(), buf, sizeof buf, 0);
    if (r > 0) {
      x.text.append(buf, static_cast<std::size_t>(r));
      continue;
    }
    // EOF, or ZooKeeper's reset right after its answer: keep what arrived.
    if (r == 0 || (errno == ECONNRESET && !x.text.empty())) return finish(x, sh);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      settle(x, Failure::protocol, std::string("recv: ") + std::strerror(errno), sh);
    x.want = POLLIN;
    return;
  }
}

// The connect finished: its error tries the next address; else TLS starts or the word goes.
void connected(Exchange& x, const Shared& sh) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(x.fd->get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) {
    if (x.first_failure == Failure::none) {
      x.first_failure = failure_of_errno(err);
      x.first_cause = std::strerror(err);
    }
    x.fd.reset();
    start_connect(x, sh);
    return;
  }
  x.phase = Exchange::Phase::sending;
  if (sh.ctx == nullptr) return;
  auto ssl = tls::client_connection(sh.ctx, x.q->host);
  if (!ssl) return settle(x, Failure::tls, ssl.error().message, sh);
  x.ssl = std::move(*ssl);
  SSL_set_fd(x.ssl.get(), x.fd->get());
  x.phase = Exchange::Phase::handshaking;
}

// Sending the word (plain or over TLS); then reading.
void send_word(Exchange& x, const Shared& sh) {
  const std::string& w = x.q->word;
  if (x.ssl) {
    const int r = SSL_write(x.ssl.get(), w.data(), static_cast<int>(w.size()));
    if (r <= 0) {
      tls_wait_or_settle(x, r, tls::Stage::exchange, sh);
      return;
    }
    x.sent = w.size();
  } else {
    const ssize_t s = ::send(x.fd->get(), w.data() + x.sent, w.size() - x.sent, MSG_NOSIGNAL);
    if (s < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      settle(x, Failure::protocol, std::string("send: ") + std::strerror(errno), sh);
      return;
    }
    if (s > 0) x.sent += static_cast<std::size_t>(s);
  }
  x.want = POLLOUT;
  if (x.sent == w.size()) {
    x.phase = Exchange::Phase::reading;
    read_ready(x, sh);
  }
}

// One exchange whose socket poll reported ready: connect done, handshake, send, or read.
void advance(Exchange& x, const Shared& sh) {
  if (x.phase == Exchange::Phase::connecting) {
    connected(x, sh);
    if (x.phase == Exchange::Phase::sending) x.want = POLLOUT;  // plaintext: send when writable
  }
  if (x.phase == Exchange::Phase::handshaking) {
    const int r = SSL_connect(x.ssl.get());
    if (r != 1) {
      tls_wait_or_settle(x, r, tls::Stage::handshake, sh);
      return;
    }
    x.phase = Exchange::Phase::sending;
  }
  if (x.phase == Exchange::Phase::sending) return send_word(x, sh);
  if (x.phase == Exchange::Phase::reading) read_ready(x, sh);
}

// Every answer the same failure (no TLS context could be made).
std::vector<Answer> all_failed(const std::vector<TcpQuestion>& questions,
                               const std::string& cause) {
  std::vector<Answer> out;
  for (const auto& q : questions)
    out.emplace_back(Failure::tls, endpoint(q.host, q.port) + ": " + cause);
  return out;
}

}  // namespace

std::vector<Answer> ask_tcp_all(const std::vector<TcpQuestion>& questions,
                                std::chrono::milliseconds timeout, const ClientTls& tls) {
  const auto deadline = Clock::now() + timeout;
  tls::CtxPtr ctx;
  if (tls.enabled()) {
    auto made = tls::client_context(tls);
    if (!made) return all_failed(questions, made.error().message);
    ctx = std::move(*made);
  }
  const Shared sh{timeout, ctx.get()};
  const tls::SigpipeGuard no_sigpipe;                         // OpenSSL's writes to a closed peer
  std::vector<std::pair<std::string, AddrInfoPtr>> resolved;  // outlives the exchanges
  std::vector<Exchange> xs = start_all(questions, resolved, sh);
  std::vector<pollfd> fds;
  std::vector<Exchange*> owners;
  for (;;) {
    fds.clear();
    owners.clear();
    for (Exchange& x : xs) {
      if (x.phase == Exchange::Phase::done) continue;
      fds.push_back({x.fd->get(), x.want, 0});
      owners.push_back(&x);
    }
    if (fds.empty()) break;
    const int n = ::poll(fds.data(), fds.size(), ms_left(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      settle_timed_out(owners, sh);
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0) advance(*owners[i], sh);
  }
  std::vector<Answer> out;
  out.reserve(xs.size());
  for (Exchange& x : xs) out.push_back(std::move(*x.answer));
  return out;
}

Answer ask_tcp(const std::string& host, int port, std::string_view word,
               std::chrono::milliseconds timeout, const ClientTls& tls) {
  auto answers = ask_tcp_all({{host, port, std::string(word)}}, timeout, tls);
  return std::move(answers.front());
}

namespace {

// Where one TLS step over a forwarded channel ended.
struct StepEnd {
  enum class Kind { ok, eof, timeout, failed } kind = Kind::ok;
  Failure failure = Failure::none;
  std::string cause;
};

// TLS over a forwarded channel: OpenSSL reads and writes memory BIOs, which this moves to
// and from the channel.
class ChannelTls {
 public:
  ChannelTls(remote::Stream& stream, tls::SslPtr ssl, Clock::time_point deadline)
      : stream_(stream), ssl_(std::move(ssl)), deadline_(deadline) {
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);  // empty: "retry" until the channel says EOF
    SSL_set_bio(ssl_.get(), in_, out_);
  }

  // Run `op` (an SSL call on ssl()) until it succeeds, the peer ends, time runs out or
  // it fails; the bytes it produced are sent, the bytes it waits for are read.
  template <typename Op>
  StepEnd step(Op op, tls::Stage stage) {
    for (;;) {
      const int r = op(ssl_.get());
      if (auto sent = flush(); !sent)
        return {StepEnd::Kind::failed, Failure::protocol, sent.error().message};
      if (r > 0) return {};
      if (tls::is_eof(ssl_.get(), r)) return {StepEnd::Kind::eof, Failure::none, {}};
      const int e = SSL_get_error(ssl_.get(), r);
      if (e == SSL_ERROR_WANT_WRITE) continue;
      if (e != SSL_ERROR_WANT_READ) {
        return {StepEnd::Kind::failed, Failure::tls, tls::failure_text(ssl_.get(), r, stage)};
      }
      const auto left = std::chrono::milliseconds(ms_left(deadline_));
      if (left.count() <= 0) return {StepEnd::Kind::timeout, Failure::timeout, {}};
      auto data = stream_.read_some(left);
      if (!data) return {StepEnd::Kind::failed, Failure::protocol, data.error().message};
      if (data->empty()) {
        if (ms_left(deadline_) <= 0) return {StepEnd::Kind::timeout, Failure::timeout, {}};
        BIO_set_mem_eof_return(in_, 0);  // the channel ended: OpenSSL sees EOF
      } else {
        BIO_write(in_, data->data(), static_cast<int>(data->size()));
      }
    }
  }

 private:
  util::Result<void> flush() {
    std::string bytes;
    char buf[16384];
    int n = 0;
    while ((n = BIO_read(out_, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    if (bytes.empty()) return {};
    return stream_.write_all(bytes);
  }

  remote::Stream& stream_;
  tls::SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  Clock::time_point deadline_;
};

// ask_via's exchange over TLS on an open channel.
Answer ask_over_channel_tls(remote::Stream& stream, const ClientTls& tls, const std::string& host,
                            std::string_view word, const std::string& where,
                            std::chrono::milliseconds timeout, Clock::time_point deadline) {
  auto ctx = tls::client_context(tls);
  if (!ctx) return {Failure::tls, where + ": " + ctx.error().message};
  auto ssl = tls::client_connection(ctx->get(), host);
  if (!ssl) return {Failure::tls, where + ": " + ssl.error().message};
  ChannelTls channel(stream, std::move(*ssl), deadline);
  tls::Stage stage = tls::Stage::handshake;
  const auto end_of = [&](const StepEnd& end, const char* phase) -> Answer {
    if (end.kind == StepEnd::Kind::timeout) {
      return {Failure::timeout, explain(Failure::timeout, where, word, timeout,
                                        std::string("connected through ssh, ") + phase)};
    }
    if (stage == tls::Stage::handshake && end.kind == StepEnd::Kind::eof) {
      return {Failure::tls, where + ": " + tls::closed_during_handshake()};
    }
    if (end.kind == StepEnd::Kind::eof) {
      return judge("", where, word, timeout, Secure::yes);
    }
    if (stage == tls::Stage::exchange && end.failure == Failure::protocol) {
      return {Failure::tls, where + ": " + tls::ended_after_handshake(end.cause)};
    }
    return {end.failure, where + ": " + end.cause};
  };
  StepEnd end = channel.step([](SSL* s) { return SSL_connect(s); }, tls::Stage::handshake);
  if (end.kind != StepEnd::Kind::ok) return end_of(end, "but the TLS handshake did not complete");
  stage = tls::Stage::exchange;
  const std::string w(word);
  end = channel.step([&](SSL* s) { return SSL_write(s, w.data(), static_cast<int>(w.size())); },
                     tls::Stage::exchange);
  if (end.kind != StepEnd::Kind::ok) return end_of(end, "but could not send");
  std::string text;
  char buf[16384];
  const auto read = [&](SSL* s) {
    const int r = SSL_read(s, buf, sizeof buf);
    if (r > 0) text.append(buf, static_cast<std::size_t>(r));
    return r;
  };
  do {
    end = channel.step(read, tls::Stage::exchange);
  } while (end.kind == StepEnd::Kind::ok);
  // EOF ends the answer; so does a reset right after it.
  if (end.kind == StepEnd::Kind::eof || (end.kind == StepEnd::Kind::failed && !text.empty()))
    return judge(std::move(text), where, word, timeout, Secure::yes);
  return end_of(end, text.empty() ? "but nothing arrived" : "but the answer is incomplete");
}

}  // namespace

Answer ask_via(remote::Remote& remote, const std::string& host, int port, std::string_view word,
               std::chrono::milliseconds timeout, const ClientTls& tls) {
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
  if (tls.enabled()) {
    return ask_over_channel_tls(**stream, tls, host, word, where, timeout, start + timeout);
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
  return judge(std::move(*text), where, word, timeout, Secure::no);
}

}  // namespace zkctl::probe
