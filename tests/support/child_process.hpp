#pragma once
// Local server processes for integration tests: started with output to a log file, tied
// to the test's life (PR_SET_PDEATHSIG), and stopped by PID (SIGTERM, then SIGKILL).

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace zkctl::testing {

// Last line of a command's stdout ("" on failure).
inline std::string command_output(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) out = buf.data();
    if (::pclose(p) != 0) return "";
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A file's text; only its last `max_chars` characters when it is longer.
inline std::string read_text(const std::filesystem::path& p, size_t max_chars = std::string::npos) {
  std::ifstream in(p, std::ios::binary);
  std::string s(std::istreambuf_iterator<char>(in), {});
  return s.size() > max_chars ? s.substr(s.size() - max_chars) : s;
}

// Forks and execs `argv` (PATH lookup) in `dir` ("" = here) with stdout and stderr to
// `log` and `env` (NAME=value) added; the child dies with the test. Returns the PID.
inline pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log,
                          const std::string& dir = "", const std::vector<std::string>& env = {}) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a killed test
  if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

// True if the child `pid` has exited (and is reaped).
inline bool child_exited(pid_t pid) {
  int status = 0;
  return pid <= 0 || ::waitpid(pid, &status, WNOHANG) != 0;
}

// Stops the child `pid` (SIGCONT, SIGTERM; SIGKILL after `grace`) and sets it to -1.
inline void stop_child(pid_t& pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  ::kill(pid, SIGCONT);
  ::kill(pid, SIGTERM);
  int status = 0;
  const auto end = std::chrono::steady_clock::now() + grace;
  while (::waitpid(pid, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  pid = -1;
}

// Unpacks the tarball `tgz` into `into` without its top folder; false if tar fails.
inline bool unpack_tarball(const std::string& tgz, const std::filesystem::path& into) {
  std::filesystem::create_directories(into);
  const std::string cmd = "tar -xzf '" + tgz + "' -C '" + into.string() + "' --strip-components=1";
  return std::system(cmd.c_str()) == 0;
}

// Checks for java, runs `fixture_cmd` (which prints a tarball's path) and unpacks that
// tarball into `sub` of a new temp dir /tmp/`prefix`.XXXXXX, set in `dir`; "" on
// success, else why not (a reason to skip).
inline std::string unpack_java_fixture(const std::string& fixture_cmd, const std::string& prefix,
                                       const std::string& sub, std::filesystem::path& dir) {
  if (std::system("java -version >/dev/null 2>&1") != 0) return "java not found";
  const std::string tgz = command_output(fixture_cmd + " 2>/dev/null");
  if (tgz.empty() || !std::filesystem::exists(tgz)) return fixture_cmd + " gave no tarball";
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return "mkdtemp failed";
  dir = tmpl;
  if (!unpack_tarball(tgz, dir / sub)) return "could not unpack " + tgz;
  return "";
}

// A server child process with its own temp dir: stop() (and the destructor) stops it by
// PID, SIGKILL after `grace`, and removes the dir.
class ServerProcess {
 public:
  explicit ServerProcess(std::chrono::milliseconds grace) : grace_(grace) {}
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { stop(); }

  void stop() {
    stop_child(pid_, grace_);
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 protected:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;

 private:
  std::chrono::milliseconds grace_;
};

}  // namespace zkctl::testing
