#pragma once
// A Remote with no host behind it, for unit tests of operations: it records every
// command and file, and answers commands through a handler the test sets.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "remote/remote.hpp"
#include "remote/ssh.hpp"

namespace zkctl::testing {

// Records what an operation asks of one host; answers with `handler` (default: exit 0, no output).
class FakeRemote : public remote::Remote {
 public:
  using Handler = std::function<remote::CommandResult(const std::string& command)>;

  explicit FakeRemote(std::string host) : host_(std::move(host)) {}

  std::vector<std::string> commands;         // every command run, in order
  std::map<std::string, std::string> files;  // remote path -> content written
  std::map<std::string, int> modes;          // remote path -> mode written
  std::vector<std::string> uploads;          // remote paths uploaded
  Handler handler = [](const std::string&) { return remote::CommandResult{0, "", ""}; };

  const std::string& host() const override { return host_; }
  util::Result<remote::CommandResult> run(const std::string& command,
                                          std::chrono::seconds) override {
    commands.push_back(command);
    return handler(command);
  }
  util::Result<void> upload_file(const std::string&, const std::string& remote_path, int mode,
                                 const remote::ProgressFn&) override {
    uploads.push_back(remote_path);
    modes[remote_path] = mode;
    return {};
  }
  util::Result<void> write_file(const std::string& content, const std::string& remote_path,
                                int mode) override {
    files[remote_path] = content;
    modes[remote_path] = mode;
    return {};
  }
  util::Result<std::unique_ptr<remote::Stream>> open_tcp(const std::string&, int) override {
    return util::fail("fake remote: no TCP channels");
  }

 private:
  std::string host_;
};

// Every command the fake hosts were asked to run, in the order they arrived (thread-safe).
class CommandLog {
 public:
  void add(const std::string& host, const std::string& command) {
    std::lock_guard lock(mu_);
    entries_.push_back({host, command});
  }
  // (host, command) pairs so far.
  std::vector<std::pair<std::string, std::string>> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }
  // Position of the first command containing `part`; -1 if none does.
  int first(const std::string& part) const {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].second.find(part) != std::string::npos) return static_cast<int>(i);
    return -1;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Hands out FakeRemotes as an ops::Options::connector would, and counts the sessions
// opened per host. The remotes stay owned by their Context; `last` points at each
// host's newest one (valid while that Context lives).
class FakeHosts {
 public:
  std::map<std::string, int> opened;        // host -> sessions opened
  std::map<std::string, FakeRemote*> last;  // host -> its newest session
  std::vector<std::string> unreachable;     // hosts whose connect fails
  FakeRemote::Handler handler = [](const std::string&) { return remote::CommandResult{0, "", ""}; };
  // When set, answers instead of `handler`, knowing which host was asked.
  std::function<remote::CommandResult(const std::string& host, const std::string& command)>
      host_handler;

  // Options for a Context over these hosts: their connector, and status probes that
  // give up after `probe_timeout`.
  ops::Options options(std::chrono::milliseconds probe_timeout = std::chrono::milliseconds(500)) {
    ops::Options o;
    o.connector = connector();
    o.probe_timeout = probe_timeout;
    return o;
  }

  std::function<util::Result<std::unique_ptr<remote::Remote>>(const remote::SshOptions&)>
  connector() {
    return [this](const remote::SshOptions& o) -> util::Result<std::unique_ptr<remote::Remote>> {
      std::lock_guard lock(mu_);
      for (const auto& h : unreachable)
        if (h == o.host) return util::fail("connect to " + o.host + ": unreachable (fake)");
      ++opened[o.host];
      auto r = std::make_unique<FakeRemote>(o.host);
      r->handler = handler;
      if (host_handler)
        r->handler = [h = o.host, f = host_handler](const std::string& c) { return f(h, c); };
      last[o.host] = r.get();
      return std::unique_ptr<remote::Remote>(std::move(r));
    };
  }

 private:
  std::mutex mu_;
};

}  // namespace zkctl::testing
