#include "probe/tls_relay.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <list>
#include <mutex>
#include <thread>

#include "probe/tls_client.hpp"

namespace zkctl::probe {

namespace {

constexpr std::size_t kBufferCap = 256 * 1024;  // per direction and connection

struct AddrInfoFree {
  void operator()(addrinfo* p) const { ::freeaddrinfo(p); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoFree>;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The inode of the IPv4 socket whose local end is `local` and remote end `remote`, or 0.
unsigned long socket_inode(const sockaddr_in& local, const sockaddr_in& remote) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    unsigned laddr = 0, lport = 0, raddr = 0, rport = 0, state = 0;
    unsigned long inode = 0;
    if (std::sscanf(line.c_str(), " %*d: %X:%X %X:%X %X %*s %*s %*s %*u %*u %lu", &laddr, &lport,
                    &raddr, &rport, &state, &inode) != 6) {
      continue;
    }
    if (laddr == local.sin_addr.s_addr && lport == ntohs(local.sin_port) &&
        raddr == remote.sin_addr.s_addr && rport == ntohs(remote.sin_port)) {
      return inode;
    }
  }
  return 0;
}

// Whether /proc/self/fd holds socket:[inode].
bool own_socket(unsigned long inode) {
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool found = false;
  while (const dirent* e = ::readdir(dir)) {
    char target[64] = {};
    const std::string path = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
    if (n > 0 && wanted == std::string(target, static_cast<std::size_t>(n))) {
      found = true;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

}  // namespace

bool peer_is_this_process(int fd) {
  sockaddr_in self{};
  sockaddr_in peer{};
  socklen_t len = sizeof self;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &len) != 0 ||
      self.sin_family != AF_INET) {
    return false;
  }
  len = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
      peer.sin_family != AF_INET) {
    return false;
  }
  // The peer's socket: its local end is our peer, its remote end is us.
  const unsigned long inode = socket_inode(peer, self);
  return inode != 0 && own_socket(inode);
}

namespace {

struct Listener {
  int fd = -1;
  int port = 0;
  TlsRelay::Target target;
  AddrInfoPtr addresses;
};

// One relayed connection: `local` (plaintext, from this process) and `up` (TLS).
struct Pair {
  enum class Phase { connecting, handshaking, relaying };
  const Listener* listener = nullptr;
  int local = -1;
  int up = -1;
  const addrinfo* next_ai = nullptr;
  tls::SslPtr ssl;
  Phase phase = Phase::connecting;
  std::string to_up;     // read from local, not yet written over TLS
  std::string to_local;  // read over TLS, not yet sent to local
  short up_events = POLLOUT;
  bool up_eof = false;
  bool dead = false;
  std::string why;  // why it died, when that is worth reporting

  ~Pair() {
    ssl.reset();
    close_fd(local);
    close_fd(up);
  }
};

// Start a non-blocking connect to the pair's next address; dead when none is left.
void connect_next(Pair& p, int err = 0) {
  close_fd(p.up);
  while (p.next_ai != nullptr) {
    const addrinfo& ai = *p.next_ai;
    p.next_ai = ai.ai_next;
    p.up = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
    if (p.up >= 0 && (::connect(p.up, ai.ai_addr, ai.ai_addrlen) == 0 || errno == EINPROGRESS)) {
      p.phase = Pair::Phase::connecting;
      p.up_events = POLLOUT;
      return;
    }
    err = errno;
    close_fd(p.up);
  }
  p.dead = true;
  const auto& t = p.listener->target;
  p.why = "connect to " + t.host + ":" + std::to_string(t.port) + ": " +
          (err != 0 ? std::strerror(err) : "no address");
}

// After an SSL call returned `r` <= 0: what it waits for, or dead.
void ssl_wait(Pair& p, int r) {
  const int e = SSL_get_error(p.ssl.get(), r);
  if (e == SSL_ERROR_WANT_READ) {
    p.up_events |= POLLIN;
  } else if (e == SSL_ERROR_WANT_WRITE) {
    p.up_events |= POLLOUT;
  } else if (tls::is_eof(p.ssl.get(), r)) {
    p.up_eof = true;
  } else {
    p.dead = true;
    p.why = tls::failure_text(
        p.ssl.get(), r,
        p.phase == Pair::Phase::handshaking ? tls::Stage::handshake : tls::Stage::exchange);
  }
}

// local -> to_up -> TLS, and TLS -> to_local -> local, as far as each can go now.
void move_bytes(Pair& p) {
  char buf[16384];
  while (p.to_up.size() < kBufferCap) {
    const ssize_t n = ::recv(p.local, buf, sizeof buf, 0);
    if (n > 0) {
      p.to_up.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) p.dead = true;
    break;
  }
  if (p.phase != Pair::Phase::relaying) return;
  p.up_events = 0;
  while (!p.to_up.empty()) {
    const int r = SSL_write(p.ssl.get(), p.to_up.data(),
                            static_cast<int>(std::min<std::size_t>(p.to_up.size(), 16384)));
    if (r <= 0) {
      ssl_wait(p, r);
      break;
    }
    p.to_up.erase(0, static_cast<std::size_t>(r));
  }
  while (!p.up_eof && p.to_local.size() < kBufferCap) {
    const int r = SSL_read(p.ssl.get(), buf, sizeof buf);
    if (r <= 0) {
      ssl_wait(p, r);
      break;
    }
    p.to_local.append(buf, static_cast<std::size_t>(r));
  }
  while (!p.to_local.empty()) {
    const ssize_t n = ::send(p.local, p.to_local.data(), p.to_local.size(), MSG_NOSIGNAL);
    if (n > 0) {
      p.to_local.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) p.dead = true;
    break;
  }
  if (p.up_eof && p.to_local.empty()) p.dead = true;
}

// Advance one pair; `up_revents`: what poll saw on its TLS side.
void pump(Pair& p, SSL_CTX* ctx, short up_revents) {
  if (p.phase == Pair::Phase::connecting) {
    if (up_revents == 0) return move_bytes(p);
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(p.up, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      connect_next(p, err != 0 ? err : errno);
      return;
    }
    auto ssl = tls::client_connection(ctx, p.listener->target.host);
    if (!ssl) {
      p.dead = true;
      p.why = ssl.error().message;
      return;
    }
    p.ssl = std::move(*ssl);
    SSL_set_mode(p.ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_fd(p.ssl.get(), p.up);
    p.phase = Pair::Phase::handshaking;
  }
  if (p.phase == Pair::Phase::handshaking) {
    p.up_events = 0;
    const int r = SSL_connect(p.ssl.get());
    if (r != 1) {
      ssl_wait(p, r);
      if (p.up_eof) {
        p.dead = true;
        p.why = tls::closed_during_handshake();
      }
      return move_bytes(p);
    }
    p.phase = Pair::Phase::relaying;
  }
  move_bytes(p);
}

}  // namespace

struct TlsRelay::State {
  tls::CtxPtr ctx;
  std::vector<Listener> listeners;
  std::list<Pair> pairs;
  int wake = -1;  // eventfd: the destructor's stop signal
  std::atomic<int> refused{0};
  mutable std::mutex mutex;
  std::string last_failure;  // guarded by mutex
  std::thread thread;

  ~State() {
    for (auto& l : listeners) close_fd(l.fd);
    close_fd(wake);
  }

  void accept_from(Listener& l) {
    for (;;) {
      int c = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) return;
      if (!peer_is_this_process(c)) {
        ++refused;  // counted before the close the other side sees
        ::close(c);
        continue;
      }
      Pair& p = pairs.emplace_back();
      p.listener = &l;
      p.local = c;
      p.next_ai = l.addresses.get();
      connect_next(p);
    }
  }

  void run() {
    // OpenSSL writes with write(2): a server gone away must not raise SIGPIPE. This thread
    // only relays, so SIGPIPE stays blocked in it for its whole life.
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, nullptr);
    std::vector<pollfd> fds;
    std::vector<Pair*> owners;  // per pair: its two entries follow the listeners
    for (;;) {
      fds.clear();
      owners.clear();
      fds.push_back({wake, POLLIN, 0});
      for (const auto& l : listeners) fds.push_back({l.fd, POLLIN, 0});
      for (auto& p : pairs) {
        const short local_events = static_cast<short>((p.to_up.size() < kBufferCap ? POLLIN : 0) |
                                                      (p.to_local.empty() ? 0 : POLLOUT));
        fds.push_back({p.local, local_events, 0});
        fds.push_back({p.up_eof ? -1 : p.up, p.up_events, 0});
        owners.push_back(&p);
      }
      if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
      if (fds[0].revents != 0) return;
      for (std::size_t i = 0; i < listeners.size(); ++i) {
        if (fds[1 + i].revents != 0) accept_from(listeners[i]);
      }
      const std::size_t base = 1 + listeners.size();
      for (std::size_t k = 0; k < owners.size(); ++k) {
        pump(*owners[k], ctx.get(), fds[base + 2 * k + 1].revents);
      }
      for (const auto& p : pairs) {
        if (!p.dead || p.why.empty()) continue;
        std::lock_guard lock(mutex);
        last_failure =
            p.listener->target.host + ":" + std::to_string(p.listener->target.port) + ": " + p.why;
      }
      pairs.remove_if([](const Pair& p) { return p.dead; });
    }
  }
};

TlsRelay::TlsRelay(std::unique_ptr<State> state) : state_(std::move(state)) {}

TlsRelay::~TlsRelay() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(state_->wake, &one, sizeof one);  // cannot fail
  if (state_->thread.joinable()) state_->thread.join();
}

int TlsRelay::port(std::size_t i) const {
  return state_->listeners.at(i).port;
}

int TlsRelay::refused() const {
  return state_->refused;
}

std::string TlsRelay::last_failure() const {
  std::lock_guard lock(state_->mutex);
  return state_->last_failure;
}

namespace {

// Resolve `t` and listen for it on 127.0.0.1:0.
util::Result<void> open_listener(Listener& l, const TlsRelay::Target& t) {
  l.target = t;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  std::string name = t.host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(name.c_str(), std::to_string(t.port).c_str(), &hints, &found);
  if (gai != 0) {
    return util::fail("TLS relay to " + t.host + ":" + std::to_string(t.port) +
                      ": host name does not resolve (" + ::gai_strerror(gai) + ")");
  }
  l.addresses.reset(found);
  l.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (l.fd < 0 || ::bind(l.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(l.fd, 16) != 0 || ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return util::fail(std::string("TLS relay: cannot listen on 127.0.0.1: ") +
                      std::strerror(errno));
  }
  l.port = ntohs(a.sin_port);
  return {};
}

}  // namespace

util::Result<std::unique_ptr<TlsRelay>> TlsRelay::start(const std::vector<Target>& targets,
                                                        const ClientTls& tls) {
  auto state = std::make_unique<State>();
  auto ctx = tls::client_context(tls);
  if (!ctx) return ctx.error();
  state->ctx = std::move(*ctx);
  state->listeners.resize(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (auto r = open_listener(state->listeners[i], targets[i]); !r) return r.error();
  }
  state->wake = ::eventfd(0, EFD_CLOEXEC);
  if (state->wake < 0)
    return util::fail(std::string("TLS relay: eventfd: ") + std::strerror(errno));
  State* raw = state.get();
  state->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<TlsRelay>(new TlsRelay(std::move(state)));
}

}  // namespace zkctl::probe
