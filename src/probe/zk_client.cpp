#include "probe/zk_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

#include "probe/tls_relay.hpp"

namespace zkctl::probe {

struct ZkClient::Session {
  // One host of the connect string, with the addresses it resolved to (for connected_server).
  struct Host {
    std::string spec;                    // "node1:2181" as written
    std::string name;                    // "node1" (brackets of an IPv6 address removed)
    std::vector<std::string> addresses;  // numeric forms of its addresses
    int port = 0;
  };

  std::unique_ptr<TlsRelay> relay;  // with TLS; declared first: outlives the handle
  zhandle_t* zh = nullptr;
  std::string connect_string;
  std::vector<Host> hosts;
  ZkOptions options;

  // Session state as reported to the watcher (ZOO_*_STATE).
  std::mutex mutex;
  std::condition_variable changed;
  int state = 0;
};

namespace {

using Clock = std::chrono::steady_clock;

// The C client logs to stderr by default; zkctl reports errors as values instead. The log
// level and stream are process-wide settings of the C library.
void silence_c_client() {
  static std::once_flag once;
  std::call_once(once, [] {
    zoo_set_debug_level(static_cast<ZooLogLevel>(0));  // 0 disables logging
    if (FILE* devnull = std::fopen("/dev/null", "w")) {
      zoo_set_log_stream(devnull);  // for messages logged before a level check; never closed
    }
  });
}

void session_watcher(zhandle_t* /*zh*/, int type, int state, const char* /*path*/, void* context) {
  if (type != ZOO_SESSION_EVENT || context == nullptr) return;
  auto* session = static_cast<ZkClient::Session*>(context);
  {
    std::lock_guard lock(session->mutex);
    session->state = state;
  }
  session->changed.notify_all();
}

const char* state_name(int state) {
  if (state == ZOO_CONNECTED_STATE) return "connected";
  if (state == ZOO_EXPIRED_SESSION_STATE) return "session expired";
  if (state == ZOO_AUTH_FAILED_STATE) return "authentication failed";
  if (state == ZOO_CONNECTING_STATE) return "connecting";
  if (state == ZOO_ASSOCIATING_STATE) return "associating";
  if (state == ZOO_READONLY_STATE) return "read-only";
  return "not connected";
}

// "h1:2181,h2:2181/chroot" -> its hosts, each resolved (unresolvable ones keep no addresses).
std::vector<ZkClient::Session::Host> parse_hosts(const std::string& connect_string) {
  std::vector<ZkClient::Session::Host> hosts;
  const std::string list = connect_string.substr(0, connect_string.find('/'));
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    ZkClient::Session::Host h;
    h.spec = list.substr(start, end - start);
    const size_t colon = h.spec.rfind(':');
    if (!h.spec.empty() && colon != std::string::npos) {
      std::string name = h.spec.substr(0, colon);
      if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
        name = name.substr(1, name.size() - 2);
      }
      h.port = std::atoi(h.spec.c_str() + colon + 1);
      h.name = name;
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* res = nullptr;
      if (::getaddrinfo(name.c_str(), nullptr, &hints, &res) == 0) {
        for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
          char buf[INET6_ADDRSTRLEN] = {};
          if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, nullptr, 0,
                            NI_NUMERICHOST) == 0) {
            h.addresses.emplace_back(buf);
          }
        }
        ::freeaddrinfo(res);
      }
      hosts.push_back(std::move(h));
    }
    start = end + 1;
  }
  return hosts;
}

// One asynchronous request: the completion fills it in, the caller waits with a deadline.
// Shared, so a completion arriving after the caller gave up (at the latest when the handle is
// closed, with ZCLOSING) still has somewhere to write.
struct Call {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int rc = 0;
  std::optional<std::string> value;  // data, created path
  std::vector<std::string> strings;  // children
};
using CallPtr = std::shared_ptr<Call>;

// The completion's `data`: a heap-allocated CallPtr, deleted by the completion.
template <typename Fill>
void complete(const void* data, int rc, Fill fill) {
  auto* holder = static_cast<CallPtr*>(const_cast<void*>(data));
  {
    std::lock_guard lock((*holder)->mutex);
    (*holder)->rc = rc;
    if (rc == ZOK) fill(**holder);
    (*holder)->done = true;
  }
  (*holder)->done_cv.notify_all();
  delete holder;
}

void void_done(int rc, const void* data) {
  complete(data, rc, [](Call&) {});
}
void stat_done(int rc, const Stat* /*stat*/, const void* data) {
  complete(data, rc, [](Call&) {});
}
void data_done(int rc, const char* value, int value_len, const Stat* /*stat*/, const void* data) {
  complete(data, rc, [&](Call& c) {
    c.value = (value != nullptr && value_len > 0) ? std::string(value, value_len) : std::string();
  });
}
void string_done(int rc, const char* value, const void* data) {
  complete(data, rc, [&](Call& c) { c.value = value != nullptr ? value : ""; });
}
void strings_done(int rc, const String_vector* strings, const void* data) {
  complete(data, rc, [&](Call& c) {
    if (strings == nullptr) return;
    for (int i = 0; i < strings->count; ++i) c.strings.emplace_back(strings->data[i]);
  });
}

std::string rc_text(int rc) {
  std::string text = zerror(rc);
  if (rc == ZINVALIDSTATE) text += " (session expired or closed)";
  return text;
}

}  // namespace

namespace {

// Start a request with `start(holder)` (a zoo_a* call given the completion data) and wait up to
// the operation timeout for its completion. Returns the finished Call (check its rc) or an
// error naming `what` and `path` when it could not be sent or did not finish in time.
template <typename Start>
util::Result<CallPtr> run_call(ZkClient::Session& s, const char* what, const std::string& path,
                               Start start) {
  auto call = std::make_shared<Call>();
  auto* holder = new CallPtr(call);
  const int rc = start(static_cast<const void*>(holder));
  if (rc != ZOK) {
    // Not queued, so the completion will not run. (ZMARSHALLINGERROR can come after queueing
    // the completion: leak the holder rather than risk freeing it twice.)
    if (rc != ZMARSHALLINGERROR) delete holder;
    return util::fail(std::string("zookeeper ") + what + " " + path + " (" + s.connect_string +
                      "): " + rc_text(rc));
  }
  std::unique_lock lock(call->mutex);
  if (!call->done_cv.wait_for(lock, s.options.operation_timeout, [&] { return call->done; })) {
    return util::fail(std::string("zookeeper ") + what + " " + path + " (" + s.connect_string +
                      "): no answer within " + std::to_string(s.options.operation_timeout.count()) +
                      " ms");
  }
  return call;
}

util::Error op_error(const ZkClient::Session& s, const char* what, const std::string& path,
                     int rc) {
  return util::fail(std::string("zookeeper ") + what + " " + path + " (" + s.connect_string +
                    "): " + rc_text(rc));
}

}  // namespace

namespace {

// Start `s`'s TLS relay, one port per host; returns the connect string for the C client
// ("127.0.0.1:p1,127.0.0.1:p2" plus the chroot).
util::Result<std::string> start_relay(ZkClient::Session& s) {
  std::vector<TlsRelay::Target> targets;
  for (const auto& h : s.hosts) targets.push_back({h.name, h.port});
  auto relay = TlsRelay::start(targets, s.options.tls);
  if (!relay)
    return util::fail("zookeeper connect to " + s.connect_string + ": " + relay.error().message);
  s.relay = std::move(*relay);
  std::string local;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (i > 0) local += ",";
    local += "127.0.0.1:" + std::to_string(s.relay->port(i));
  }
  const std::size_t slash = s.connect_string.find('/');
  if (slash != std::string::npos) local += s.connect_string.substr(slash);
  return local;
}

}  // namespace

ZkClient::ZkClient(std::unique_ptr<Session> session) : session_(std::move(session)) {}

ZkClient::~ZkClient() {
  if (session_ && session_->zh != nullptr) zookeeper_close(session_->zh);
}

util::Result<std::unique_ptr<ZkClient>> ZkClient::connect(const std::string& connect_string,
                                                          std::chrono::milliseconds timeout,
                                                          const ZkOptions& options) {
  silence_c_client();
  auto session = std::make_unique<Session>();
  session->connect_string = connect_string;
  session->options = options;
  session->hosts = parse_hosts(connect_string);
  if (session->hosts.empty()) {
    return util::fail("zookeeper connect string '" + connect_string + "' names no host:port");
  }
  session->state = ZOO_CONNECTING_STATE;
  std::string c_connect = connect_string;
  if (options.tls.enabled()) {
    auto relayed = start_relay(*session);
    if (!relayed) return relayed.error();
    c_connect = *relayed;
  }

  errno = 0;
  session->zh = zookeeper_init2(c_connect.c_str(), session_watcher,
                                static_cast<int>(options.session_timeout.count()), nullptr,
                                session.get(), ZOO_NO_LOG_CLIENTENV, nullptr);
  if (session->zh == nullptr) {
    const int err = errno;
    return util::fail("zookeeper connect to " + connect_string +
                      ": bad connect string or a host does not resolve" +
                      (err != 0 ? std::string(" (") + std::strerror(err) + ")" : std::string()));
  }
  // From here the handle is closed by ~ZkClient on every path.
  std::unique_ptr<ZkClient> client(new ZkClient(std::move(session)));
  Session& s = *client->session_;

  std::unique_lock lock(s.mutex);
  const bool settled = s.changed.wait_for(lock, timeout, [&] {
    return s.state == ZOO_CONNECTED_STATE || s.state == ZOO_EXPIRED_SESSION_STATE ||
           s.state == ZOO_AUTH_FAILED_STATE;
  });
  const int state = s.state;
  lock.unlock();
  if (!settled) {
    const std::string tls_failure = s.relay ? s.relay->last_failure() : "";
    return util::fail("zookeeper connect to " + connect_string + ": no session within " +
                      std::to_string(timeout.count()) +
                      " ms (no server reachable and serving: refused, unreachable, or not in a "
                      "quorum)" +
                      (tls_failure.empty() ? "" : "; last TLS failure: " + tls_failure));
  }
  if (state != ZOO_CONNECTED_STATE) {
    return util::fail("zookeeper connect to " + connect_string + ": " + state_name(state));
  }
  return client;
}

const std::string& ZkClient::connect_string() const {
  return session_->connect_string;
}

std::string ZkClient::connected_server() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (zookeeper_get_connected_host(session_->zh, reinterpret_cast<sockaddr*>(&addr), &len) ==
      nullptr) {
    return "";
  }
  char buf[INET6_ADDRSTRLEN] = {};
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    port = ntohs(in6->sin6_port);
  } else {
    return "";
  }
  const std::string address = buf;
  if (session_->relay) {
    // The C client is on a relay port: the session is on that port's server.
    for (std::size_t i = 0; i < session_->hosts.size(); ++i) {
      if (session_->relay->port(i) == port) return session_->hosts[i].spec;
    }
    return "";
  }
  for (const auto& h : session_->hosts) {
    if (h.port == port &&
        std::find(h.addresses.begin(), h.addresses.end(), address) != h.addresses.end()) {
      return h.spec;
    }
  }
  if (addr.ss_family == AF_INET6) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

util::Result<std::optional<std::string>> ZkClient::get(const std::string& path) {
  Session& s = *session_;
  auto call = run_call(s, "get", path, [&](const void* data) {
    return zoo_aget(s.zh, path.c_str(), 0, data_done, data);
  });
  if (!call) return call.error();
  const Call& c = **call;
  if (c.rc == ZNONODE) return std::optional<std::string>();
  if (c.rc != ZOK) return op_error(s, "get", path, c.rc);
  return std::optional<std::string>(c.value.value_or(""));
}

util::Result<std::vector<std::string>> ZkClient::children(const std::string& path) {
  Session& s = *session_;
  auto call = run_call(s, "list", path, [&](const void* data) {
    return zoo_aget_children(s.zh, path.c_str(), 0, strings_done, data);
  });
  if (!call) return call.error();
  Call& c = **call;
  if (c.rc == ZNONODE) return std::vector<std::string>();
  if (c.rc != ZOK) return op_error(s, "list", path, c.rc);
  std::vector<std::string> names = std::move(c.strings);
  std::sort(names.begin(), names.end());
  return names;
}

util::Result<bool> ZkClient::exists(const std::string& path) {
  Session& s = *session_;
  auto call = run_call(s, "exists", path, [&](const void* data) {
    return zoo_aexists(s.zh, path.c_str(), 0, stat_done, data);
  });
  if (!call) return call.error();
  const Call& c = **call;
  if (c.rc == ZNONODE) return false;
  if (c.rc != ZOK) return op_error(s, "exists", path, c.rc);
  return true;
}

util::Result<std::string> ZkClient::create(const std::string& path, const std::string& data,
                                           CreateMode mode) {
  Session& s = *session_;
  int flags = ZOO_PERSISTENT;
  switch (mode) {
    case CreateMode::persistent:
      flags = ZOO_PERSISTENT;
      break;
    case CreateMode::ephemeral:
      flags = ZOO_EPHEMERAL;
      break;
    case CreateMode::persistent_sequential:
      flags = ZOO_PERSISTENT_SEQUENTIAL;
      break;
  }
  auto call = run_call(s, "create", path, [&](const void* ctx) {
    return zoo_acreate(
        s.zh, path.c_str(), data.data(), static_cast<int>(data.size()),
        s.options.acl == ZkAcl::creator ? &ZOO_CREATOR_ALL_ACL : &ZOO_OPEN_ACL_UNSAFE, flags,
        string_done, ctx);
  });
  if (!call) return call.error();
  const Call& c = **call;
  if (c.rc != ZOK) return op_error(s, "create", path, c.rc);
  return c.value.value_or(path);
}

util::Result<void> ZkClient::set(const std::string& path, const std::string& data) {
  Session& s = *session_;
  auto call = run_call(s, "set", path, [&](const void* ctx) {
    return zoo_aset(s.zh, path.c_str(), data.data(), static_cast<int>(data.size()), -1, stat_done,
                    ctx);
  });
  if (!call) return call.error();
  if ((*call)->rc != ZOK) return op_error(s, "set", path, (*call)->rc);
  return {};
}

util::Result<void> ZkClient::remove(const std::string& path) {
  Session& s = *session_;
  auto call = run_call(s, "delete", path, [&](const void* data) {
    return zoo_adelete(s.zh, path.c_str(), -1, void_done, data);
  });
  if (!call) return call.error();
  if ((*call)->rc != ZOK) return op_error(s, "delete", path, (*call)->rc);
  return {};
}

namespace {

// Delete `path` and its subtree, depth first; `retries` more passes when a child appears
// between listing and deleting.
util::Result<void> remove_tree(ZkClient::Session& s, const std::string& path, int retries) {
  auto call = run_call(s, "list", path, [&](const void* data) {
    return zoo_aget_children(s.zh, path.c_str(), 0, strings_done, data);
  });
  if (!call) return call.error();
  if ((*call)->rc == ZNONODE) return {};
  if ((*call)->rc != ZOK) return op_error(s, "list", path, (*call)->rc);
  for (const auto& child : (*call)->strings) {
    auto r = remove_tree(s, path + "/" + child, retries);
    if (!r) return r;
  }
  auto del = run_call(s, "delete", path, [&](const void* data) {
    return zoo_adelete(s.zh, path.c_str(), -1, void_done, data);
  });
  if (!del) return del.error();
  const int rc = (*del)->rc;
  if (rc == ZNOTEMPTY && retries > 0) return remove_tree(s, path, retries - 1);
  if (rc != ZOK && rc != ZNONODE) return op_error(s, "delete", path, rc);
  return {};
}

}  // namespace

util::Result<void> ZkClient::remove_recursive(const std::string& path) {
  if (path.empty() || path == "/") {
    return util::fail("zookeeper delete '" + path + "': refusing to delete the root");
  }
  return remove_tree(*session_, path, 3);
}

util::Result<void> ZkClient::sync(const std::string& path) {
  Session& s = *session_;
  auto call = run_call(s, "sync", path, [&](const void* data) {
    return zoo_async(s.zh, path.c_str(), string_done, data);
  });
  if (!call) return call.error();
  if ((*call)->rc != ZOK) return op_error(s, "sync", path, (*call)->rc);
  return {};
}

}  // namespace zkctl::probe
