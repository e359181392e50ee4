#include "ops/cluster/lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "ops/cluster/audit.hpp"
#include "ops/cluster/state.hpp"
#include "remote/scripts.hpp"
#include "runner/runner.hpp"
#include "util/clock.hpp"
#include "util/key_value.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

constexpr std::chrono::seconds kScriptTimeout{30};
// The last line of a refusal naming hosts that could not be locked.
constexpr const char* kCannotLockHint =
    "nothing was changed; a host left unlocked could be changed by another operator "
    "meanwhile: bring it back, or pass --no-lock to go ahead without the lock";

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string random_hex(int words) {
  std::random_device rd;
  std::ostringstream o;
  o << std::hex;
  for (int i = 0; i < words; ++i) o << rd();
  return o.str();
}

// The first line of `path` when it is a plausible id (letters and digits only).
std::string read_id(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return "";
  if (line.empty() || line.size() > 128) return "";
  for (char c : line)
    if (!std::isalnum(static_cast<unsigned char>(c))) return "";
  return line;
}

// `value` with every control character (newlines too) made a space: one info line.
std::string one_line(std::string value) {
  for (char& c : value)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return value;
}

// One host of the cluster to lock: its name and how to reach it.
struct Target {
  std::string host;
  remote::SshOptions ssh;
};

// One target per distinct host (ZooKeeper servers and Kafka nodes sharing a host share
// its lock), in inventory order.
std::vector<Target> lock_targets(const Context& ctx, const LockOptions& options) {
  std::vector<Target> out;
  auto add = [&](const inventory::Node& n) {
    for (const auto& t : out)
      if (t.host == n.host) return;
    out.push_back({n.host, ssh_options_for(n, ctx.options())});
  };
  for (const auto& s : ctx.cluster().servers) add(s);
  for (const auto& n : ctx.cluster().kafka_nodes) add(n);
  for (const auto* n : options.also) add(*n);
  return out;
}

util::Result<std::unique_ptr<remote::Remote>> open_session(const Context& ctx,
                                                           const remote::SshOptions& o) {
  if (ctx.options().connector) return ctx.options().connector(o);
  return remote::connect_ssh(o);
}

// What one take asks of a host.
struct TakeRequest {
  const LockOptions& options;
  std::string cluster;
  std::string token;
  std::string info;     // without expires= (the host adds its own clock's)
  std::string machine;  // this machine's id
};

// Take the lock on `r` (stealing a stale one once): its path, or why not.
util::Result<std::string> take_on(remote::Remote& r, const std::string& host,
                                  const TakeRequest& q) {
  const std::string name = lock_name(q.cluster);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto out = run_script(r, "lock", scripts::cluster_lock_take,
                          {q.options.root, q.options.fallback, name, q.token,
                           std::to_string(q.options.ttl.count()), q.info},
                          kScriptTimeout);
    if (!out) {
      return util::fail("cannot lock cluster " + q.cluster + " on " + host + ": " +
                        out.error().message);
    }
    std::string text = out->out;
    std::string path;
    if (text.rfind("lock=", 0) == 0) {
      const auto nl = text.find('\n');
      path = text.substr(5, nl == std::string::npos ? std::string::npos : nl - 5);
      text = nl == std::string::npos ? "" : text.substr(nl + 1);
    }
    if (path.empty()) {
      return util::fail("cannot lock cluster " + q.cluster + " on " + host +
                        ": unexpected answer from the lock script: " + out->out);
    }
    if (text.rfind("taken", 0) == 0) return path;
    const LockInfo held = parse_lock_info(text);
    if (attempt == 0 && lock_is_stale(held, q.machine)) {
      (void)run_script(r, "unlock", scripts::cluster_lock_steal, {path, held.token},
                       kScriptTimeout);
      continue;
    }
    return util::fail("cluster " + q.cluster + " is " + describe(held) + " (lock " + path + " on " +
                      host + ")");
  }
  return util::fail("cluster " + q.cluster + ": the stale lock on " + host +
                    " could not be taken over");
}

}  // namespace

// A held lock: one session per locked host, and the renewal thread using them.
struct ClusterLock::State {
  struct Held {
    std::string host;
    std::string path;  // the lock dir on that host
    std::unique_ptr<remote::Remote> remote;
  };
  LockOptions options;
  std::string token;
  std::vector<Held> held;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu
  std::thread renewer;

  void warn(const std::string& message) const {
    if (options.warn) {
      options.warn(message);
    } else {
      std::fprintf(stderr, "zkctl: warning: %s\n", message.c_str());
    }
  }

  void renew_all() {
    const std::string ttl = std::to_string(options.ttl.count());
    runner::parallel_for(held.size(), static_cast<int>(held.size()), [&](std::size_t i) {
      auto out = run_script(*held[i].remote, "renew lock", scripts::cluster_lock_renew,
                            {held[i].path, token, ttl}, kScriptTimeout);
      if (!out) {
        warn("could not renew the cluster lock on " + held[i].host + ": " + out.error().message);
      } else if (out->out.rfind("renewed", 0) != 0) {
        warn("the cluster lock on " + held[i].host +
             " was lost (removed, or taken over as stale): another operation may start there");
      }
    });
  }

  void renew_loop() {
    const auto every = options.renew_every.count() > 0
                           ? options.renew_every
                           : std::max(std::chrono::seconds(1), options.ttl / 3);
    std::unique_lock lk(mu);
    while (!cv.wait_for(lk, every, [this] { return stopping; })) {
      lk.unlock();
      renew_all();
      lk.lock();
    }
  }

  void release() {
    {
      std::lock_guard g(mu);
      stopping = true;
    }
    cv.notify_all();
    if (renewer.joinable()) renewer.join();
    runner::parallel_for(held.size(), static_cast<int>(held.size()), [&](std::size_t i) {
      auto out = run_script(*held[i].remote, "unlock", scripts::cluster_lock_release,
                            {held[i].path, token}, kScriptTimeout);
      if (!out) {
        warn("could not release the cluster lock on " + held[i].host + " (" + out.error().message +
             "); it expires by itself, and the next zkctl from this "
             "machine takes it over at once");
      }
    });
    held.clear();
  }
};

std::string lock_name(const std::string& cluster_name) {
  return "zkctl-" + cluster_name + ".lock";
}

std::string machine_id(const std::string& etc_machine_id, const std::string& fallback) {
  if (auto id = read_id(etc_machine_id); !id.empty()) return id;
  if (auto id = read_id(fallback); !id.empty()) return id;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(fallback).parent_path(), ec);
  const std::string made = random_hex(4);
  const int fd = ::open(fallback.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    const std::string line = made + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (ok) return made;
  }
  if (auto id = read_id(fallback); !id.empty()) return id;  // made by another zkctl meanwhile
  return made;  // unwritable: this process's own id (its locks are then judged by expiry)
}

std::string machine_id() {
  return machine_id("/etc/machine-id", state_home() + "/machine-id");
}

LockInfo parse_lock_info(const std::string& text) {
  LockInfo info;
  util::for_each_key_value(text, [&info](const std::string& k, const std::string& v) {
    if (k == "holder")
      info.holder = v;
    else if (k == "machine")
      info.machine = v;
    else if (k == "pid")
      info.pid = std::atol(v.c_str());
    else if (k == "since")
      info.since = v;
    else if (k == "command")
      info.command = v;
    else if (k == "expires")
      info.expires = std::atol(v.c_str());
    else if (k == "token")
      info.token = v;
    else if (k == "stale")
      info.stale = v == "yes";
  });
  return info;
}

std::string describe(const LockInfo& info) {
  auto or_q = [](const std::string& s) { return s.empty() ? std::string("?") : s; };
  return "locked by " + or_q(info.holder) + " since " + or_q(info.since) + ", running " +
         or_q(info.command) + " (pid " + std::to_string(info.pid) + ")";
}

bool lock_is_stale(const LockInfo& info, const std::string& machine) {
  if (info.stale) return true;
  if (!info.machine.empty() && info.machine == machine && info.pid > 0) {
    return ::kill(static_cast<pid_t>(info.pid), 0) != 0 && errno == ESRCH;
  }
  return false;
}

util::Result<ClusterLock> ClusterLock::acquire(Context& ctx, const std::string& command,
                                               const LockOptions& options) {
  ClusterLock lock;
  State& st = *lock.state_;
  st.options = options;
  st.token = random_hex(3);
  TakeRequest q{options, ctx.cluster().name, st.token, "", machine_id()};
  q.info = "holder=" + one_line(os_user() + "@" + host_name()) + "\nmachine=" + q.machine +
           "\npid=" + std::to_string(getpid()) + "\nsince=" + util::utc_now_iso8601() +
           "\ncommand=" + one_line(command) + "\ntoken=" + st.token;
  const auto targets = lock_targets(ctx, options);
  std::vector<State::Held> slots(targets.size());
  std::vector<std::string> errors(targets.size());
  runner::parallel_for(targets.size(), static_cast<int>(targets.size()), [&](std::size_t i) {
    slots[i].host = targets[i].host;
    auto conn = open_session(ctx, targets[i].ssh);
    if (!conn) {
      errors[i] = "cannot lock cluster " + q.cluster + " on " + targets[i].host + ": " +
                  conn.error().message;
      return;
    }
    slots[i].remote = std::move(*conn);
    auto path = take_on(*slots[i].remote, targets[i].host, q);
    if (path) {
      slots[i].path = *path;
    } else {
      errors[i] = path.error().message;
    }
  });
  // Every host's refusal, one line each; the hint once when a host could not be locked.
  std::string refusal;
  bool cannot = false;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (!errors[i].empty()) {
      refusal += (refusal.empty() ? "" : "\n") + errors[i];
      cannot |= errors[i].rfind("cannot lock", 0) == 0;
    } else if (slots[i].remote) {
      st.held.push_back(std::move(slots[i]));
    }
  }
  if (!refusal.empty()) {
    st.release();
    return util::fail(cannot ? refusal + "\n" + kCannotLockHint : refusal);
  }
  st.renewer = std::thread([&st] { st.renew_loop(); });
  return lock;
}

void ClusterLock::release() {
  if (state_) state_->release();
}

ClusterLock::ClusterLock() : state_(std::make_unique<State>()) {}

ClusterLock::ClusterLock(ClusterLock&& other) noexcept = default;

ClusterLock& ClusterLock::operator=(ClusterLock&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

ClusterLock::~ClusterLock() {
  release();
}

}  // namespace zkctl::ops
