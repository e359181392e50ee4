#pragma once
// A private sshd on 127.0.0.1 for integration tests: its own host key, a client key it
// accepts (authorized_keys in its dir), this user, a free port; stopped by PID.

#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "remote/ssh.hpp"
#include "support/child_process.hpp"
#include "support/free_port.hpp"

namespace zkctl::testing {

enum class SshdLog { error, debug };

class PrivateSshd {
 public:
  PrivateSshd() = default;
  PrivateSshd(const PrivateSshd&) = delete;
  PrivateSshd& operator=(const PrivateSshd&) = delete;
  ~PrivateSshd() { stop(); }

  // Makes the keys and config in `dir` (which must exist) and starts sshd; "" once it
  // listens, else why not.
  std::string start(const std::filesystem::path& dir, SshdLog level = SshdLog::error) {
    dir_ = dir;
    const std::string d = dir.string();
    for (const char* key : {"host", "client"}) {
      const std::string cmd =
          std::string("ssh-keygen -q -t ed25519 -N '' -C ") + key + " -f " + d + "/" + key + "_key";
      if (std::system(cmd.c_str()) != 0) return "ssh-keygen failed: " + cmd;
    }
    std::filesystem::copy_file(dir / "client_key.pub", dir / "authorized_keys",
                               std::filesystem::copy_options::overwrite_existing);
    user_ = ::getpwuid(::getuid())->pw_name;
    port_ = free_port();
    std::ofstream(dir / "sshd_config")
        << "Port " << port_ << "\nListenAddress 127.0.0.1\nHostKey " << d << "/host_key\n"
        << "PidFile none\nUsePAM no\nPermitRootLogin prohibit-password\n"
        << "PubkeyAuthentication yes\nPasswordAuthentication no\n"
        << "KbdInteractiveAuthentication no\nAuthorizedKeysFile " << d << "/authorized_keys\n"
        << "StrictModes no\nAllowTcpForwarding yes\nSubsystem sftp internal-sftp\n"
        << "LogLevel " << (level == SshdLog::debug ? "DEBUG2" : "ERROR") << "\n";
    std::filesystem::create_directories("/run/sshd");  // privilege-separation directory
    pid_ = spawn_logged({"/usr/sbin/sshd", "-D", "-e", "-f", d + "/sshd_config"}, log_path());
    if (pid_ < 0) return "fork failed";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      if (port_open(port_)) return "";
      if (child_exited(pid_)) {
        pid_ = -1;
        return "sshd exited: " + read_text(log_path());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "sshd did not listen on port " + std::to_string(port_) + ": " + read_text(log_path());
  }

  // Stops sshd (SIGTERM, SIGKILL after 5 s); the dir stays.
  void stop() { stop_child(pid_, std::chrono::seconds(5)); }

  // Options that log in as this user with the client key, trusting `known_hosts`.
  remote::SshOptions options(const std::string& known_hosts, remote::HostKeyPolicy policy,
                             int connect_timeout_s) const {
    remote::SshOptions o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.user = user_;
    o.identity_file = (dir_ / "client_key").string();
    o.known_hosts_file = known_hosts;
    o.host_key_policy = policy;
    o.connect_timeout_s = connect_timeout_s;
    return o;
  }

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  std::string log_path() const { return (dir_ / "sshd.log").string(); }

 private:
  std::filesystem::path dir_;
  std::string user_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace zkctl::testing
