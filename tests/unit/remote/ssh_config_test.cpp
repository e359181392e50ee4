// resolve_ssh_config(): libssh's ssh_config parser with zkctl's precedence
// (explicit options > the config file > defaults root/22/agent), no network.

#include "remote/ssh_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using zkctl::remote::resolve_ssh_config;
using zkctl::remote::ResolvedSsh;
using zkctl::remote::SshOptions;

namespace {

class SshConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("zkctl-ssh-config-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "home" / ".ssh");
    // A private HOME: the machine's own ~/.ssh/config never leaks into a test.
    if (const char* h = std::getenv("HOME")) old_home_ = h;
    setenv("HOME", (dir_ / "home").c_str(), 1);
    config_ = (dir_ / "ssh_config").string();
    std::ofstream(config_) << "Host zk1 zk1-alias\n"
                              "  HostName 10.0.0.11\n"
                              "  User zkops\n"
                              "  Port 2222\n"
                              "  IdentityFile ~/.ssh/zk_ed25519\n"
                              "Host hidden\n"
                              "  HostName 10.0.0.99\n"
                              "  ProxyJump jumper@bastion:2200\n"
                              "Host chain\n"
                              "  ProxyJump a,b\n"
                              "Host piped\n"
                              "  ProxyCommand nc %h %p\n"
                              "Host *\n"
                              "  User everyone\n";
  }
  void TearDown() override {
    setenv("HOME", old_home_.c_str(), 1);
    fs::remove_all(dir_);
  }

  SshOptions options(const std::string& host) const {
    SshOptions o;
    o.host = host;
    o.config_file = config_;
    return o;
  }

  ResolvedSsh resolve(const SshOptions& o) const {
    auto r = resolve_ssh_config(o);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : ResolvedSsh{};
  }

  fs::path dir_;
  std::string old_home_;
  std::string config_;
};

TEST_F(SshConfigTest, ConfigValuesApplyWhenNothingIsExplicit) {
  const ResolvedSsh r = resolve(options("zk1"));
  EXPECT_EQ(r.hostname, "10.0.0.11");
  EXPECT_EQ(r.user, "zkops");
  EXPECT_EQ(r.port, 2222);
  EXPECT_EQ(r.identity_file, (dir_ / "home" / ".ssh" / "zk_ed25519").string());
  EXPECT_EQ(r.config_file, config_);
  EXPECT_FALSE(r.jump.has_value());
  EXPECT_EQ(r.proxy_command, "");
}

TEST_F(SshConfigTest, EveryNameOfAHostLineMatches) {
  EXPECT_EQ(resolve(options("zk1-alias")).hostname, "10.0.0.11");
}

TEST_F(SshConfigTest, ExplicitValuesWinOverTheConfig) {
  SshOptions o = options("zk1");
  o.user = "root";
  o.port = 22;
  o.identity_file = "/keys/inventory_key";
  const ResolvedSsh r = resolve(o);
  EXPECT_EQ(r.hostname, "10.0.0.11");  // HostName is never set explicitly
  EXPECT_EQ(r.user, "root");
  EXPECT_EQ(r.port, 22);
  EXPECT_EQ(r.identity_file, "/keys/inventory_key");
}

TEST_F(SshConfigTest, FirstMatchingValueWinsLikeOpenSsh) {
  // zk1's User comes before "Host *"'s; an unlisted host only gets "Host *"'s.
  EXPECT_EQ(resolve(options("zk1")).user, "zkops");
  const ResolvedSsh other = resolve(options("node7"));
  EXPECT_EQ(other.user, "everyone");
  EXPECT_EQ(other.hostname, "node7");
  EXPECT_EQ(other.port, 22);
  EXPECT_EQ(other.identity_file, "");  // agent and default keys
}

TEST_F(SshConfigTest, DefaultsWithoutAConfigFile) {
  SshOptions o = options("zk1");
  o.config_file = "none";
  const ResolvedSsh r = resolve(o);
  EXPECT_EQ(r.hostname, "zk1");
  EXPECT_EQ(r.user, "root");
  EXPECT_EQ(r.port, 22);
  EXPECT_EQ(r.identity_file, "");
  EXPECT_EQ(r.config_file, "");
}

TEST_F(SshConfigTest, DefaultFileIsTildeSshConfigWhenItExists) {
  SshOptions o = options("zk1");
  o.config_file.clear();
  EXPECT_EQ(resolve(o).config_file, "");  // no ~/.ssh/config yet: none read
  fs::copy_file(config_, dir_ / "home" / ".ssh" / "config");
  const ResolvedSsh r = resolve(o);
  EXPECT_EQ(r.config_file, (dir_ / "home" / ".ssh" / "config").string());
  EXPECT_EQ(r.hostname, "10.0.0.11");
  EXPECT_EQ(r.user, "zkops");
}

TEST_F(SshConfigTest, AMissingExplicitConfigFileIsAnError) {
  SshOptions o = options("zk1");
  o.config_file = (dir_ / "nope").string();
  auto r = resolve_ssh_config(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "zk1: cannot read the ssh config file " + o.config_file);
}

TEST_F(SshConfigTest, ProxyJumpIsTakenOverNotRunAsACommand) {
  const ResolvedSsh r = resolve(options("hidden"));
  EXPECT_EQ(r.hostname, "10.0.0.99");
  ASSERT_TRUE(r.jump.has_value());
  EXPECT_EQ(r.jump->host, "bastion");
  EXPECT_EQ(r.jump->user, "jumper");
  EXPECT_EQ(r.jump->port, 2200);
  EXPECT_EQ(r.proxy_command, "");
}

TEST_F(SshConfigTest, ProxyJumpWithoutUserOrPort) {
  std::ofstream(dir_ / "plain") << "Host t\n  ProxyJump bastion\n";
  SshOptions o = options("t");
  o.config_file = (dir_ / "plain").string();
  const ResolvedSsh r = resolve(o);
  ASSERT_TRUE(r.jump.has_value());
  EXPECT_EQ(r.jump->host, "bastion");
  EXPECT_EQ(r.jump->user, "");
  EXPECT_EQ(r.jump->port, 0);
}

TEST_F(SshConfigTest, SeveralJumpHostsOnOneLineAreRefused) {
  auto r = resolve_ssh_config(options("chain"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "chain: ProxyJump in " + config_ +
                                   " names more than one jump host; zkctl follows one (give the "
                                   "jump host its own ProxyJump line to chain)");
}

TEST_F(SshConfigTest, AProxyCommandRunsOnlyWithTheExplicitFlag) {
  SshOptions o = options("piped");
  auto refused = resolve_ssh_config(o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "piped: the ssh config " + config_ +
                " line 12 has ProxyCommand, which would run a command on this machine; zkctl "
                "runs no local command from an ssh config unless --allow-proxy-command is given "
                "(ProxyJump needs no flag)");
  o.local_commands = zkctl::remote::LocalCommands::allow;
  const ResolvedSsh r = resolve(o);
  EXPECT_FALSE(r.jump.has_value());
  EXPECT_EQ(r.proxy_command, "nc %h %p");
}

// A config with `text` in a file of its own; returns its path.
class LocalCommandTest : public SshConfigTest {
 protected:
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  zkctl::util::Result<ResolvedSsh> resolve_with(const std::string& config,
                                                const std::string& host = "zk9") const {
    SshOptions o;
    o.host = host;
    o.config_file = config;
    return resolve_ssh_config(o);
  }
  std::string pwned() const { return (dir_ / "PWNED").string(); }
};

TEST_F(LocalCommandTest, ProxyCommandIsFoundInAnyCaseWithEqualsAndInIncludedFiles) {
  for (const std::string line :
       {"  pRoXyCoMmAnD=nc %h %p\n", "  PROXYCOMMAND = nc %h %p\n", "\"ProxyCommand\" nc %h\n"}) {
    auto r = resolve_with(write("c1", "Host zk9\n" + line));
    ASSERT_FALSE(r) << line;
    EXPECT_NE(r.error().message.find("line 2 has ProxyCommand"), std::string::npos)
        << r.error().message;
  }
  const std::string inc = write("conf.d/zk.conf", "Match host zk9\n  ProxyCommand nc %h %p\n");
  auto r = resolve_with(write("c2", "Include " + (dir_ / "conf.d").string() + "/*.conf\n"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(inc + " line 2 has ProxyCommand"), std::string::npos)
      << r.error().message;
}

TEST_F(LocalCommandTest, ProxyCommandNoneOrForAnotherHostIsFine) {
  EXPECT_TRUE(resolve_with(write("c",
                                 "Host zk9\n  ProxyCommand none\nHost other\n"
                                 "  ProxyCommand nc %h %p\n")));
}

TEST_F(LocalCommandTest, MatchExecIsRefusedBeforeLibsshCouldRunIt) {
  const std::string touch = "touch " + pwned();
  for (const std::string line :
       {"Match exec \"" + touch + "\"\n", "match Host zk9 EXEC=\"" + touch + "\"\n",
        "Match !exec \"" + touch + "\"\n", "Host zk9\nMatch all\nMatch exec \"" + touch + "\"\n"}) {
    auto r = resolve_with(write("c", line));
    ASSERT_FALSE(r) << line;
    EXPECT_NE(r.error().message.find("has Match exec, which would run a command on this machine"),
              std::string::npos)
        << r.error().message;
    EXPECT_FALSE(fs::exists(pwned())) << line;
  }
  // A relative Include is looked for under ~/.ssh, as libssh does.
  std::ofstream(dir_ / "home" / ".ssh" / "more") << "Match exec \"" << touch << "\"\n";
  EXPECT_FALSE(resolve_with(write("c", "Include more\n")));
  write("inc.d/x", "Match exec \"" + touch + "\"\n");
  EXPECT_FALSE(
      resolve_with(write("c", "Host zk9\n  Include " + (dir_ / "inc.d").string() + "/x\n")));
  EXPECT_FALSE(fs::exists(pwned()));
}

TEST_F(LocalCommandTest, WithTheFlagMatchExecRunsAsLibsshWould) {
  SshOptions o;
  o.host = "zk9";
  o.config_file = write("c", "Match exec \"touch " + pwned() + "\"\n  User matched\n");
  o.local_commands = zkctl::remote::LocalCommands::allow;
  auto r = resolve_ssh_config(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(fs::exists(pwned()));
  EXPECT_EQ(r->user, "matched");
}

}  // namespace
