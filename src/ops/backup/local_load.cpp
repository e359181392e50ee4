#include "ops/backup/local_load.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ops/backup/zk_state.hpp"
#include "probe/ask.hpp"
#include "probe/four_letter.hpp"

extern char** environ;

namespace zkctl::ops {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Removes its dir tree when it goes away.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

util::Result<fs::path> make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/zkctl-load.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    return util::fail("cannot make a temp dir: " + std::string(std::strerror(errno)));
  return fs::path(pattern);
}

// Start `argv` with stdout and stderr into `log` (stdin /dev/null); its pid.
util::Result<pid_t> spawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return util::fail("cannot run " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Wait for `pid` up to `timeout` (then SIGKILL); its exit status, -1 if killed.
int wait_for(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The first and last 4 KiB of `p` (SnapshotFormatter prints every znode: its count comes
// first, the last zxid at the end).
std::string head_and_tail(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec || size <= 8192) return read_text(p);
  std::ifstream in(p, std::ios::binary);
  std::string out(4096, '\0');
  in.read(out.data(), 4096);
  std::string tail(4096, '\0');
  in.seekg(static_cast<std::streamoff>(size - 4096));
  in.read(tail.data(), 4096);
  return out + "\n" + tail;
}

// The last line of `text` that is not empty, for messages.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// Unpack `distribution` into `into`; the one top dir.
util::Result<fs::path> unpack(const std::string& distribution, const fs::path& into,
                              std::chrono::seconds timeout) {
  fs::create_directories(into);
  auto pid =
      spawn({"tar", "-xzf", distribution, "-C", into.string()}, (into / ".tar.log").string());
  if (!pid) return pid.error();
  if (wait_for(*pid, timeout) != 0)
    return util::fail("cannot unpack " + distribution + ": " +
                      last_line(read_text(into / ".tar.log")));
  for (const auto& e : fs::directory_iterator(into))
    if (e.is_directory() && (fs::exists(e.path() / "lib") || fs::exists(e.path() / "libs")))
      return e.path();
  return util::fail(distribution + ": no <top>/lib or <top>/libs in the tarball");
}

util::Result<void> copy_member(const LoadMember& m, const fs::path& dest) {
  std::ifstream in(m.path, std::ios::binary);
  std::ofstream out(dest, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(m.offset));
  std::vector<char> buf(1 << 20);
  for (std::uint64_t left = m.size; left > 0;) {
    const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buf.size()));
    if (!in.read(buf.data(), n) || !out.write(buf.data(), n))
      return util::fail("cannot copy " + m.name + " to " + dest.string());
    left -= static_cast<std::uint64_t>(n);
  }
  return {};
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

// Ask the standalone server until it serves; fills the counts and zxid of `r`.
util::Result<void> ask_loaded(int port, pid_t pid, Clock::time_point deadline, LoadResult& r) {
  std::string last = "no answer";
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return util::fail("the server exited: " + last);
    auto srvr = probe::ask_tcp("127.0.0.1", port, "srvr", std::chrono::milliseconds(1000));
    if (srvr) {
      auto s = probe::parse_srvr(*srvr);
      auto mntr = probe::ask_tcp("127.0.0.1", port, "mntr", std::chrono::milliseconds(1000));
      auto m = mntr ? probe::parse_mntr(*mntr) : util::Result<probe::Mntr>(mntr.error());
      if (s && s->mode == probe::Mode::standalone && m && m->znode_count) {
        r.last_zxid = probe::zxid_number(s->zxid).value_or(0);
        r.znode_count = *m->znode_count;
        auto e = m->raw.find("zk_ephemerals_count");
        if (e != m->raw.end()) r.ephemeral_count = std::atol(e->second.c_str());
        return {};
      }
      last = s ? probe::to_string(s->mode) : s.error().message;
    } else {
      last = srvr.error().message;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return util::fail("the server did not serve in time: " + last);
}

// Run ZooKeeperServerMain over `data` and read what it loaded into `r`.
util::Result<void> replay(const fs::path& top, const fs::path& work, Clock::time_point deadline,
                          LoadResult& r) {
  const int port = free_loopback_port();
  if (port == 0) return util::fail("no free loopback port");
  std::ofstream(work / "zoo.cfg") << "tickTime=2000\ndataDir=" << (work / "data").string()
                                  << "\nclientPort=" << port
                                  << "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
                                     "4lw.commands.whitelist=srvr,mntr\n";
  auto pid = spawn({"java", "-Xmx512m", "-cp", (top / "lib").string() + "/*",
                    "org.apache.zookeeper.server.ZooKeeperServerMain", (work / "zoo.cfg").string()},
                   (work / "server.log").string());
  if (!pid) return pid.error();
  auto asked = ask_loaded(port, *pid, deadline, r);
  ::kill(*pid, SIGKILL);
  ::waitpid(*pid, nullptr, 0);
  if (!asked)
    return util::fail("local ZooKeeper could not load the state: " + asked.error().message + " (" +
                      last_line(read_text(work / "server.log")) + ")");
  return {};
}

}  // namespace

util::Result<LoadResult> parse_snapshot_formatter(const std::string& output) {
  LoadResult r;
  const std::string count_key = "ZNode Details (count=";
  const std::string zxid_key = "Last zxid: ";
  auto at = output.find(count_key);
  auto zx = output.rfind(zxid_key);
  if (at == std::string::npos || zx == std::string::npos)
    return util::fail("SnapshotFormatter printed no znode count or last zxid: " +
                      last_line(output));
  r.snapshot_znodes = std::atol(output.c_str() + at + count_key.size());
  std::size_t end = output.find_first_of("\r\n", zx);
  auto z = probe::zxid_number(output.substr(zx + zxid_key.size(), end - zx - zxid_key.size()));
  if (!z) return util::fail("SnapshotFormatter printed a malformed last zxid");
  r.snapshot_zxid = *z;
  return r;
}

util::Result<LoadResult> load_locally(const std::vector<LoadMember>& members,
                                      const std::string& distribution,
                                      std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto made = make_temp_dir();
  if (!made) return made.error();
  TempDir work{*made};
  auto top = unpack(distribution, work.path / "dist", timeout);
  if (!top) return top.error();
  fs::create_directories(work.path / "data" / "version-2");
  std::string snapshot;
  for (const auto& m : members) {
    const fs::path dest = work.path / "data" / "version-2" / m.name;
    if (auto c = copy_member(m, dest); !c) return c.error();
    if (m.name.starts_with("snapshot.")) snapshot = dest.string();
  }
  const auto out = (work.path / "formatter.out").string();
  auto pid = spawn({"java", "-cp", (*top / "lib").string() + "/*",
                    "org.apache.zookeeper.server.SnapshotFormatter", snapshot},
                   out);
  if (!pid) return pid.error();
  if (wait_for(*pid, timeout) != 0)
    return util::fail("SnapshotFormatter could not read the snapshot: " +
                      last_line(read_text(out)));
  auto r = parse_snapshot_formatter(head_and_tail(out));
  if (!r) return r.error();
  fs::remove(out);
  if (auto rp = replay(*top, work.path, deadline, *r); !rp) return rp.error();
  for (const auto& e : fs::directory_iterator(*top / "lib")) {
    const std::string n = e.path().filename().string();
    if (n.starts_with("zookeeper-") && n.ends_with(".jar") && !n.starts_with("zookeeper-jute"))
      r->zookeeper_version = n.substr(10, n.size() - 14);
  }
  return r;
}

util::Result<SnapshotDump> dump_kraft_snapshot(const LoadMember& member,
                                               const std::string& distribution,
                                               std::chrono::seconds timeout) {
  auto made = make_temp_dir();
  if (!made) return made.error();
  TempDir work{*made};
  auto top = unpack(distribution, work.path / "dist", timeout);
  if (!top) return top.error();
  // DumpLogSegments reads the offset and epoch from the file name: keep it.
  const fs::path dest = work.path / member.name;
  if (auto c = copy_member(member, dest); !c) return c.error();
  const auto out = (work.path / "dump.out").string();
  auto pid = spawn({"java", "-Xmx512m", "-cp", (*top / "libs").string() + "/*",
                    "org.apache.kafka.tools.DumpLogSegments", "--cluster-metadata-decoder",
                    "--files", dest.string()},
                   out);
  if (!pid) return pid.error();
  const int rc = wait_for(*pid, timeout);
  const std::string text = read_text(out);
  auto d = parse_snapshot_dump(text);
  if (!d)
    return util::fail("Kafka's DumpLogSegments could not read the snapshot: " + last_line(text));
  if (rc != 0)
    d->problems.push_back("DumpLogSegments failed (exit " + std::to_string(rc) +
                          "): " + last_line(text));
  return d;
}

}  // namespace zkctl::ops
