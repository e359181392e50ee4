#include "ops/host/java.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <vector>

#include "ops/host/checksum.hpp"
#include "ops/zookeeper/host.hpp"

extern char** environ;

namespace zkctl::ops {

namespace fs = std::filesystem;

int java_major(std::string_view line) {
  auto q = line.find('"');
  if (q == std::string_view::npos) return 0;
  std::string_view v = line.substr(q + 1);
  int major = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), major);
  if (r.ec != std::errc()) return 0;
  if (major == 1 && r.ptr != v.data() + v.size() && *r.ptr == '.') {  // 1.8.0_x -> 8
    int minor = 0;
    auto r2 = std::from_chars(r.ptr + 1, v.data() + v.size(), minor);
    return r2.ec == std::errc() ? minor : 0;
  }
  return major;
}

std::optional<std::string> java_problem(const std::string& version_line, int min_major,
                                        const std::string& product) {
  const std::string fix =
      "install a JDK " + std::to_string(std::max(min_major, 17)) +
      " (Debian: apt-get install openjdk-17-jre-headless), or name one in the inventory's "
      "[java] distribution for zkctl to push";
  if (version_line.empty()) {
    return "java not found in PATH (" + product + " needs Java " + std::to_string(min_major) +
           " or newer): " + fix;
  }
  const int major = java_major(version_line);
  if (major != 0 && major < min_major) {
    return "java is too old: '" + version_line + "' is Java " + std::to_string(major) + ", " +
           product + " needs Java " + std::to_string(min_major) + " or newer: " + fix;
  }
  return std::nullopt;
}

std::string java_dir(const std::string& install_dir) {
  return install_dir + "/java";
}

JdkPackage::JdkPackage(std::string tarball, std::string sha256, Temporary temporary)
    : tarball_(std::move(tarball)),
      sha256_(std::move(sha256)),
      temporary_(temporary == Temporary::yes) {}

JdkPackage::JdkPackage(JdkPackage&& o) noexcept
    : tarball_(std::move(o.tarball_)), sha256_(std::move(o.sha256_)), temporary_(o.temporary_) {
  o.temporary_ = false;
}

JdkPackage& JdkPackage::operator=(JdkPackage&& o) noexcept {
  if (this != &o) {
    if (temporary_) ::unlink(tarball_.c_str());
    tarball_ = std::move(o.tarball_);
    sha256_ = std::move(o.sha256_);
    temporary_ = o.temporary_;
    o.temporary_ = false;
  }
  return *this;
}

std::string JdkPackage::disarm() {
  temporary_ = false;
  return tarball_;
}

JdkPackage::~JdkPackage() {
  if (temporary_) ::unlink(tarball_.c_str());
}

namespace {

// Run `argv` locally and wait; its output goes where zkctl's goes. Exit
// statuses up to `max_ok` count as success.
util::Result<void> run_local(const std::vector<std::string>& argv, int max_ok) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (int rc = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ); rc != 0) {
    return util::fail("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return util::fail("waitpid: " + std::string(std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) > max_ok)
    return util::fail(argv[0] + " failed (status " + std::to_string(status) + ")");
  return {};
}

// Run `argv` locally and return what it printed on stdout (stderr is discarded);
// a non-zero exit is an error.
util::Result<std::string> read_local(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) return util::fail("pipe: " + std::string(std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return util::fail("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      if (out.size() < (1u << 20)) out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return util::fail("waitpid: " + std::string(std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return util::fail(argv[0] + " failed (status " + std::to_string(status) + ")");
  return out;
}

}  // namespace

int release_file_major(std::string_view release) {
  const std::string_view key = "JAVA_VERSION=\"";
  for (std::size_t at = release.find(key); at != std::string_view::npos;
       at = release.find(key, at + 1)) {
    if (at != 0 && release[at - 1] != '\n') continue;  // not IMPLEMENTOR_JAVA_VERSION etc.
    std::size_t start = at + key.size();
    std::size_t end = release.find('"', start);
    if (end == std::string_view::npos) return 0;
    return java_major("version \"" + std::string(release.substr(start, end - start)) + "\"");
  }
  return 0;
}

util::Result<int> jdk_major(const std::string& distribution) {
  std::error_code ec;
  std::string release;
  if (fs::is_directory(distribution, ec)) {
    std::ifstream in(fs::path(distribution) / "release", std::ios::binary);
    if (!in) return util::fail("java distribution " + distribution + " has no release file");
    std::ostringstream text;
    text << in.rdbuf();
    release = text.str();
  } else {
    auto list = read_local({"tar", "-tzf", distribution});
    if (!list) return util::fail("java distribution: cannot list " + distribution);
    std::istringstream names(*list);
    std::string name, member;
    while (std::getline(names, name)) {
      auto slash = name.find('/');
      if (slash != std::string::npos && name.substr(slash) == "/release") member = name;
    }
    if (member.empty())
      return util::fail("java distribution " + distribution + " has no <top>/release file");
    auto text = read_local({"tar", "-xzOf", distribution, "--", member});
    if (!text) return util::fail("java distribution: cannot read " + member);
    release = *text;
  }
  int major = release_file_major(release);
  if (major == 0)
    return util::fail("java distribution " + distribution +
                      ": no JAVA_VERSION in its release file");
  return major;
}

util::Result<DistVersion> version_from_listing(const std::string& listing,
                                               render::Product product) {
  const bool zk = product == render::Product::zookeeper;
  static const std::regex zk_jar(
      "/lib/zookeeper-(([0-9]{1,4})\\.([0-9]{1,4})\\.([0-9]{1,4}))[^/]*\\.jar$");
  static const std::regex kafka_jar(
      "/libs/kafka-clients-(([0-9]{1,4})\\.([0-9]{1,4})\\.([0-9]{1,4}))[^/]*\\.jar$");
  std::istringstream names(listing);
  std::string name;
  std::smatch m;
  while (std::getline(names, name)) {
    if (!std::regex_search(name, m, zk ? zk_jar : kafka_jar)) continue;
    return DistVersion{std::stoi(m[2].str()), std::stoi(m[3].str()), std::stoi(m[4].str()),
                       m[1].str()};
  }
  return util::fail(
      std::string("no ") + (zk ? "lib/zookeeper-X.Y.Z.jar" : "libs/kafka-clients-X.Y.Z.jar") +
      " in the distribution: is it a " + (zk ? "ZooKeeper" : "Kafka") + " release tarball?");
}

util::Result<std::string> distribution_listing(const std::string& distribution) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  {
    std::lock_guard lock(mu);
    if (auto it = known.find(distribution); it != known.end()) return it->second;
  }
  auto list = read_local({"tar", "-tzf", distribution});
  if (!list) return util::fail("cannot list " + distribution + ": " + list.error().message);
  std::lock_guard lock(mu);
  return known.emplace(distribution, std::move(*list)).first->second;
}

util::Result<DistVersion> distribution_version(const std::string& distribution,
                                               render::Product product) {
  static std::mutex mu;
  static std::map<std::pair<std::string, render::Product>, DistVersion> known;
  {
    std::lock_guard lock(mu);
    if (auto it = known.find({distribution, product}); it != known.end()) return it->second;
  }
  auto list = distribution_listing(distribution);
  if (!list) return list.error();
  auto v = version_from_listing(*list, product);
  if (!v) return util::fail(distribution + ": " + v.error().message);
  std::lock_guard lock(mu);
  known[{distribution, product}] = *v;
  return v;
}

JavaNeed java_need(render::Product product, const DistVersion& version) {
  if (product == render::Product::zookeeper) return {8, "ZooKeeper " + version.text};
  return {version.major >= 4 ? 17 : 8, "Kafka " + version.text};
}

util::Result<JavaNeed> java_need_of(const std::string& distribution, render::Product product) {
  auto v = distribution_version(distribution, product);
  if (!v) return v.error();
  return java_need(product, *v);
}

util::Result<JdkPackage> prepare_jdk(const std::string& distribution) {
  std::error_code ec;
  if (!fs::is_directory(distribution, ec)) {
    auto sha = sha256_file(distribution);
    if (!sha) return util::fail("java distribution: " + sha.error().message);
    return JdkPackage(distribution, *sha, JdkPackage::Temporary::no);
  }
  const fs::path dir = fs::path(distribution).lexically_normal();
  fs::path base = dir.filename();
  if (base.empty()) base = dir.parent_path().filename();
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/zkctl-jdk-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd < 0) return util::fail("java distribution: cannot create a temp file in " + tmpl);
  ::close(fd);
  JdkPackage pkg(buf.data(), "",
                 JdkPackage::Temporary::yes);  // removes the file on any failure below
  // Reproducible: the same directory packs to the same bytes, so an unchanged
  // JDK is not uploaded again. Dangling links (docs, man pages) are skipped.
  auto packed =
      run_local({"tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                 "--dereference", "--ignore-failed-read", "--warning=no-failed-read",
                 "--warning=no-file-removed", "--use-compress-program=gzip -n", "-cf",
                 pkg.tarball(), "-C", dir.parent_path().string(), "--", base.string()},
                1);  // GNU tar: 1 = a file vanished (a dangling link), not fatal
  if (!packed)
    return util::fail("java distribution: packing " + distribution + ": " + packed.error().message);
  auto sha = sha256_file(pkg.tarball());
  if (!sha) return util::fail("java distribution: " + sha.error().message);
  return JdkPackage(pkg.disarm(), *sha, JdkPackage::Temporary::yes);
}

util::Result<void> push_jdk(remote::Remote& remote, const std::string& install_dir,
                            const JdkPackage& jdk, const remote::ProgressFn& progress,
                            std::chrono::seconds timeout) {
  return upload_release(remote, java_dir(install_dir), jdk.tarball(), jdk.sha256(), progress,
                        timeout);
}

}  // namespace zkctl::ops
