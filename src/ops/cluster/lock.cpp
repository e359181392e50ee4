#include "ops/cluster/lock.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <random>
#include <sstream>
#include <utility>

#include "remote/scripts.hpp"
#include "runner/runner.hpp"
#include "util/clock.hpp"
#include "util/key_value.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

std::string this_machine() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string user_name() {
  const char* u = std::getenv("USER");
  if (u == nullptr || *u == 0) u = std::getenv("LOGNAME");
  return u != nullptr && *u != 0 ? u : std::to_string(getuid());
}

std::string random_token() {
  std::random_device rd;
  std::ostringstream o;
  o << std::hex << rd() << rd() << rd();
  return o.str();
}

// One connection per distinct host of the cluster (ZooKeeper servers and Kafka
// nodes sharing a host share its lock).
std::vector<Connection*> lock_connections(Context& ctx) {
  const auto& c = ctx.cluster();
  std::vector<const inventory::Server*> zk;
  std::vector<const inventory::KafkaNode*> kafka;
  std::vector<std::string> seen;
  auto fresh = [&](const std::string& host) {
    if (std::find(seen.begin(), seen.end(), host) != seen.end()) return false;
    seen.push_back(host);
    return true;
  };
  for (const auto& s : c.servers)
    if (fresh(s.host)) zk.push_back(&s);
  for (const auto& n : c.kafka_nodes)
    if (fresh(n.host)) kafka.push_back(&n);
  auto out = ctx.connect(zk);
  auto more = ctx.connect(kafka);
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

}  // namespace

std::string lock_path(const std::string& cluster_name) {
  return "/tmp/zkctl-" + cluster_name + ".lock";
}

LockInfo parse_lock_info(const std::string& text) {
  LockInfo info;
  util::for_each_key_value(text, [&info](const std::string& k, const std::string& v) {
    if (k == "holder")
      info.holder = v;
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
  });
  return info;
}

std::string describe(const LockInfo& info) {
  return "locked by " + (info.holder.empty() ? std::string("?") : info.holder) + " since " +
         (info.since.empty() ? std::string("?") : info.since) + ", running " +
         (info.command.empty() ? std::string("?") : info.command) + " (pid " +
         std::to_string(info.pid) + ")";
}

bool lock_is_stale(const LockInfo& info, long now, const std::string& machine) {
  if (info.expires <= 0 || info.expires < now) return true;
  auto at = info.holder.rfind('@');
  std::string holder_machine = at == std::string::npos ? "" : info.holder.substr(at + 1);
  if (holder_machine == machine && info.pid > 0) {
    return ::kill(static_cast<pid_t>(info.pid), 0) != 0 && errno == ESRCH;
  }
  return false;
}

util::Result<ClusterLock> ClusterLock::acquire(Context& ctx, const std::string& command,
                                               std::chrono::seconds ttl) {
  ClusterLock lock;
  lock.ctx_ = &ctx;
  lock.token_ = random_token();
  const std::string machine = this_machine();
  const long now = static_cast<long>(std::time(nullptr));
  std::string info = "holder=" + user_name() + "@" + machine + "\npid=" + std::to_string(getpid()) +
                     "\nsince=" + util::utc_now_iso8601() + "\ncommand=" + command +
                     "\nexpires=" + std::to_string(now + ttl.count()) + "\ntoken=" + lock.token_;
  for (char& c : info)
    if (c != '\n' && (static_cast<unsigned char>(c) < 0x20)) c = ' ';
  const std::string path = lock_path(ctx.cluster().name);
  auto conns = lock_connections(ctx);
  std::mutex mu;
  std::string refusal;
  runner::parallel_for(conns.size(), static_cast<int>(conns.size()), [&](std::size_t i) {
    if (!conns[i]->remote) return;  // unreachable: nothing to lock there; the operation reports it
    auto& r = *conns[i]->remote;
    const std::string& host = conns[i]->host;
    auto timeout = std::chrono::seconds(30);
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto out = run_script(r, "lock", scripts::cluster_lock_take,
                            {path, lock.token_, info, machine, std::to_string(now)}, timeout);
      if (!out) {
        std::lock_guard g(mu);
        if (refusal.empty()) refusal = host + ": " + out.error().message;
        return;
      }
      if (out->out.rfind("taken", 0) == 0) {
        std::lock_guard g(mu);
        lock.held_.push_back(conns[i]);
        return;
      }
      LockInfo held = parse_lock_info(out->out);
      if (held.token == lock.token_) return;
      if (attempt == 0 && lock_is_stale(held, now, machine)) {
        (void)run_script(r, "unlock", scripts::cluster_lock_steal, {path, held.token}, timeout);
        continue;
      }
      std::lock_guard g(mu);
      if (refusal.empty()) {
        refusal = "cluster " + ctx.cluster().name + " is " + describe(held) + " (lock " + path +
                  " on " + host + ")";
      }
      return;
    }
  });
  if (!refusal.empty()) {
    lock.release();
    return util::fail(refusal);
  }
  return lock;
}

void ClusterLock::release() {
  if (ctx_ == nullptr) return;
  const std::string path = lock_path(ctx_->cluster().name);
  runner::parallel_for(held_.size(), static_cast<int>(held_.size()), [&](std::size_t i) {
    if (held_[i]->remote) {
      (void)run_script(*held_[i]->remote, "unlock", scripts::cluster_lock_release, {path, token_},
                       std::chrono::seconds(30));
    }
  });
  held_.clear();
  ctx_ = nullptr;
}

ClusterLock::ClusterLock(ClusterLock&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)),
      token_(std::move(other.token_)),
      held_(std::move(other.held_)) {}

ClusterLock& ClusterLock::operator=(ClusterLock&& other) noexcept {
  if (this != &other) {
    release();
    ctx_ = std::exchange(other.ctx_, nullptr);
    token_ = std::move(other.token_);
    held_ = std::move(other.held_);
  }
  return *this;
}

ClusterLock::~ClusterLock() {
  release();
}

}  // namespace zkctl::ops
