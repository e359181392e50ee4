// The private-sshd fixture the SSH integration tests share (ssh_test, ssh_transfer_test).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "remote/ssh.hpp"
#include "remote/ssh_remote.hpp"
#include "support/private_sshd.hpp"
#include "util/quote.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using zkctl::remote::HostKeyPolicy;
using zkctl::remote::SshOptions;

using zkctl::testing::connect_loopback;
using zkctl::testing::free_port;

namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

// Run a local helper command; returns its stdout.
std::string sh(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const int rc = pclose(f);
  EXPECT_EQ(rc, 0) << cmd;
  return out;
}

// A listening socket on 127.0.0.1 with `backlog`; returns fd, sets `port`.
int listen_loopback(int backlog, int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(listen(fd, backlog), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

std::string random_bytes(size_t n) {
  std::mt19937_64 rng(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

class SshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    unsetenv("SSH_AUTH_SOCK");  // hermetic: only the keys the tests give
    char tmpl[] = "/tmp/zkctl-remote-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string d = dir_.string();
    // ZKCTL_TEST_SSHD_DEBUG=1: sshd logs at DEBUG2 and the log is printed at teardown.
    const auto level = std::getenv("ZKCTL_TEST_SSHD_DEBUG") ? zkctl::testing::SshdLog::debug
                                                            : zkctl::testing::SshdLog::error;
    const std::string why = sshd_.start(dir_, level);
    ASSERT_EQ(why, "");
    user_ = sshd_.user();
    port_ = sshd_.port();
    sh("ssh-keygen -q -t ed25519 -N '' -C other -f " + d + "/other_key");
    sh("ssh-keygen -q -t ed25519 -N '' -C stranger -f " + d + "/stranger_key");
    sh("ssh-keygen -q -t ed25519 -N 'secret' -C locked -f " + d + "/locked_key");
    {
      std::ofstream ak(dir_ / "authorized_keys", std::ios::app);
      ak << read_file(dir_ / "locked_key.pub");
    }
    // "256 SHA256:... host (ED25519)"
    std::istringstream fp(sh("ssh-keygen -l -E sha256 -f " + d + "/host_key.pub"));
    std::string bits;
    fp >> bits >> host_fp_;
  }

  static void TearDownTestSuite() {
    sshd_.stop();
    if (std::getenv("ZKCTL_TEST_SSHD_DEBUG") != nullptr) {
      std::fprintf(stderr, "--- sshd log ---\n%s", read_file(sshd_.log_path()).c_str());
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void SetUp() override {
    ASSERT_TRUE(sshd_.running()) << "sshd is not running";
    case_dir_ = dir_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(case_dir_);
  }

  // Options for the private sshd with a known_hosts file private to the test.
  SshOptions options(HostKeyPolicy policy = HostKeyPolicy::strict) const {
    SshOptions o = sshd_.options((case_dir_ / "known_hosts").string(), policy, 5);
    o.config_file = "none";  // hermetic: no ~/.ssh/config
    return o;
  }

  // connect_ssh to 127.0.0.1:`port` with a 1 s connect timeout; `took` is how long it took.
  auto connect_timed(int port, Clock::duration& took) const {
    SshOptions o = options();
    o.port = port;
    o.connect_timeout_s = 1;
    const auto start = Clock::now();
    auto r = zkctl::remote::connect_ssh(o);
    took = Clock::now() - start;
    return r;
  }

  // An ssh config file in the case directory with `text`; returns its path.
  std::string ssh_config(const std::string& text) const {
    const fs::path p = case_dir_ / "ssh_config";
    write_file(p, text);
    return p.string();
  }

  // Host lines for the private sshd under `name` with `hostname`, user, port and key.
  std::string host_block(const std::string& name, const std::string& hostname) const {
    return "Host " + name + "\n  HostName " + hostname + "\n  Port " + std::to_string(port_) +
           "\n  User " + user_ + "\n  IdentityFile " + (dir_ / "client_key").string() + "\n";
  }

  // A known_hosts line for the private sshd's key under `name`.
  std::string known_hosts_line(const std::string& name, const fs::path& pub) const {
    std::istringstream in(read_file(pub));
    std::string type, blob;
    in >> type >> blob;
    return "[" + name + "]:" + std::to_string(port_) + " " + type + " " + blob + "\n";
  }

  // Connected Remote with the host key already trusted.
  std::unique_ptr<zkctl::remote::Remote> connect() {
    auto r = zkctl::remote::connect_ssh(options(HostKeyPolicy::accept_new));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : nullptr;
  }

  std::string known_hosts_name() const { return "[127.0.0.1]:" + std::to_string(port_); }

  static inline fs::path dir_;
  static inline std::string host_fp_;
  static inline std::string user_;
  static inline int port_ = 0;
  static inline zkctl::testing::PrivateSshd sshd_;
  fs::path case_dir_;
};

}  // namespace
