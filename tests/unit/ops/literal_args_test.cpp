// Property test: inventory values full of shell metacharacters, quotes, newlines, globs,
// `$(...)`, backticks and leading dashes reach the remote side as literal data. Runs the
// real command builder (remote::sh_command, which run_script uses), ops::prepare_dirs (an
// embedded remote script) and SshRemote::write_file against a private
// sshd on 127.0.0.1 (the remote side is this machine, so the test can look at what
// happened); values come from a fixed hostile list plus seeded random ones. Values the
// inventory loader refuses must be refused with a file:line:col error.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "inventory/load.hpp"
#include "ops/zookeeper/host.hpp"
#include "remote/scripts.hpp"
#include "remote/ssh.hpp"
#include "support/private_sshd.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace zkctl::ops {
namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The hostile values; `side` is a directory where any executed injection leaves a file.
std::vector<std::string> hostile_values(const std::string& side) {
  const std::string t = "touch " + side + "/pwned";
  std::vector<std::string> v = {
      "$(" + t + ")",
      "`" + t + "`",
      "; " + t,
      "'; " + t + "; '",
      "\"; " + t + "; \"",
      "&& " + t,
      "| " + t,
      "\n" + t + "\n",
      "$(" + t + ")'\"`" + t + "`",
      "> " + side + "/redirected",
      "a b  c",
      "*",
      "?",
      "[a-z]*",
      "/*",
      "~",
      "~root",
      "-rf",
      "--",
      "-n",
      "-e",
      "--help",
      "\\",
      "\\n",
      "'",
      "\"",
      "''",
      "\"\"",
      "$HOME",
      "${IFS}",
      "$((6*7))",
      "$'\\x41'",
      "!",
      "!!",
      "#comment",
      "a\nb",
      "\n",
      "\t",
      " leading",
      "trailing ",
      "%s%n%x",
      "{a,b}",
      "line1\r\nline2",
      "\x01\x02\x1b[31m\x7f",
      "caf\xc3\xa9",
      "\xff\xfe",
      "",
  };
  return v;
}

// Seeded random values: mostly metacharacters, some letters, newlines and high bytes.
std::vector<std::string> random_values(std::uint64_t seed, int count) {
  static const std::string pool = "$`'\"\\;|&<>(){}[]*?~!#%^= \t\n-_./:,+@abcXYZ019";
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) {
      const auto r = rng() % 100;
      c = r < 90 ? pool[rng() % pool.size()] : static_cast<char>(1 + rng() % 255);  // no NUL
    }
    out.push_back(std::move(s));
  }
  return out;
}

// A TOML basic string holding `v` (control characters as \uXXXX; bytes >= 0x80 as they are,
// so invalid UTF-8 stays invalid for the loader to refuse).
std::string toml_string(const std::string& v) {
  std::string out = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

class LiteralArgsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    unsetenv("SSH_AUTH_SOCK");
    char tmpl[] = "/tmp/zkctl-literal-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string why = sshd_.start(dir_);
    ASSERT_EQ(why, "");
  }

  static void TearDownTestSuite() {
    sshd_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void SetUp() override {
    side_ = dir_ / (std::string("side-") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(side_);
    auto r = remote::connect_ssh(
        sshd_.options((dir_ / "known_hosts").string(), remote::HostKeyPolicy::accept_new, 10));
    ASSERT_TRUE(r.ok()) << r.error().message;
    remote_ = std::move(r).value();
  }

  // Nothing executed an injection: the side directory is still empty.
  void expect_no_side_effects() {
    for (const auto& e : fs::directory_iterator(side_))
      ADD_FAILURE() << "side effect: " << e.path();
  }

  // The hostile list plus `random` seeded random values.
  std::vector<std::string> all_values(int random) {
    auto v = hostile_values(side_.string());
    auto r = random_values(20261125, random);
    v.insert(v.end(), r.begin(), r.end());
    return v;
  }

  static inline fs::path dir_;
  static inline zkctl::testing::PrivateSshd sshd_;
  fs::path side_;
  std::unique_ptr<remote::Remote> remote_;
};

// The script echoes its arguments NUL-separated: the remote saw exactly the bytes given.
TEST_F(LiteralArgsTest, RunScriptArgumentsArriveByteForByte) {
  const auto values = all_values(1000);
  constexpr const char* kEcho = "cd -- \"$1\" && shift && printf '%s\\0' \"$@\"\n";
  const std::size_t batch = 40;
  for (std::size_t start = 0; start < values.size(); start += batch) {
    std::vector<std::string> args = {side_.string()};
    const std::size_t end = std::min(values.size(), start + batch);
    args.insert(args.end(), values.begin() + static_cast<long>(start),
                values.begin() + static_cast<long>(end));
    auto r = remote_->run(remote::sh_command(kEcho, args), 30s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->exit_status, 0) << r->err;
    std::vector<std::string> seen;
    std::size_t pos = 0;
    while (pos < r->out.size()) {
      const std::size_t nul = r->out.find('\0', pos);
      ASSERT_NE(nul, std::string::npos) << "output not NUL-terminated";
      seen.push_back(r->out.substr(pos, nul - pos));
      pos = nul + 1;
    }
    ASSERT_EQ(seen.size(), end - start);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i], values[start + i]) << "value #" << start + i;
    }
  }
  expect_no_side_effects();
}

// Remote paths built from hostile names: prepare_dirs (a shell script with the paths as
// arguments) creates exactly those directories, and write_file (SFTP, then mv when the
// file exists) writes exactly those files.
TEST_F(LiteralArgsTest, HostilePathsAreCreatedLiterally) {
  int tried = 0;
  for (const auto& v : all_values(100)) {
    // One path component: no '/', not empty, not . or .., and short enough for a name.
    if (v.empty() || v == "." || v == ".." || v.find('/') != std::string::npos || v.size() > 200)
      continue;
    ++tried;
    const fs::path base = side_ / ("case" + std::to_string(tried));
    inventory::Server s;
    s.host = "127.0.0.1";
    s.install_dir = (base / v / "inst").string();
    s.data_dir = (base / ("d" + v)).string();
    auto r = prepare_dirs(*remote_, s, 30s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(fs::is_directory(base / v / "inst" / "conf")) << v;
    EXPECT_TRUE(fs::is_directory(base / v / "inst" / "logs")) << v;
    EXPECT_TRUE(fs::is_directory(base / ("d" + v))) << v;
    const fs::path file = base / v / ("f" + v);
    for (const std::string& content : {v, v + "again"}) {  // second write replaces (mv path)
      auto w = remote_->write_file(content, file.string(), 0644);
      ASSERT_TRUE(w.ok()) << w.error().message;
      EXPECT_EQ(read_file(file), content);
    }
    // Nothing but what was asked for appeared under the case directory.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::recursive_directory_iterator(base)) ++entries;
    EXPECT_EQ(entries, 7u) << v;  // v/, v/inst, v/inst/conf, v/inst/conf/tls, v/inst/logs, v/fv, dv
    fs::remove_all(base);
  }
  EXPECT_GT(tried, 100);
  expect_no_side_effects();
}

// Every value either loads byte for byte or is refused with a file:line:col error; the
// accepted remote dirs then reach the host literally.
TEST_F(LiteralArgsTest, LoaderAcceptsLiterallyOrRefusesWithAPosition) {
  const fs::path dist = dir_ / "dist.tgz";
  std::ofstream(dist).put('x');
  const std::regex where(R"(^inv\.toml:[1-9][0-9]*:[1-9][0-9]*: error: .+)");
  int accepted = 0, refused = 0;
  for (const auto& v : all_values(150)) {
    // Outside side_: a value holding side_'s path would otherwise nest a literal dir there.
    const fs::path parent = dir_ / "loader-data";
    const std::string data_dir = parent.string() + "/data " + v;
    std::string text =
        "[cluster]\nname = \"lit\"\n[security]\ntls = false\nauthentication = "
        "\"none\"\nauthorization = false\n[zookeeper]\ndistribution = " +
        toml_string(dist.string()) + "\ndata_dir = " + toml_string(data_dir) +
        "\n[zookeeper.config]\n\"autopurge.snapRetainCount\" = " + toml_string(v) +
        "\n[[zookeeper.servers]]\nhost = \"127.0.0.1\"\nid = 1\n";
    auto r = inventory::load_string(text, "inv.toml", dir_.string());
    if (r.has_errors()) {
      ++refused;
      for (const auto& d : r.diagnostics) {
        if (d.severity != inventory::Diagnostic::Severity::error) continue;
        EXPECT_TRUE(std::regex_match(d.str(), where)) << d.str();
      }
      continue;
    }
    ++accepted;
    ASSERT_TRUE(r.cluster);
    const auto& c = *r.cluster;
    ASSERT_EQ(c.servers.size(), 1u);
    std::string expected = data_dir;  // the loader drops trailing slashes, nothing else
    while (expected.size() > 1 && expected.back() == '/') expected.pop_back();
    EXPECT_EQ(c.servers[0].data_dir, expected);
    ASSERT_FALSE(c.zookeeper.extra_config.empty());
    EXPECT_EQ(c.zookeeper.extra_config.back().second, v);
    inventory::Server s = c.servers[0];
    s.install_dir = (dir_ / "loader-inst").string();
    auto p = prepare_dirs(*remote_, s, 30s);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(fs::is_directory(data_dir)) << data_dir;
    fs::remove_all(parent);
    fs::remove_all(dir_ / "loader-inst");
  }
  // Both branches were exercised.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
  expect_no_side_effects();
}

}  // namespace
}  // namespace zkctl::ops
