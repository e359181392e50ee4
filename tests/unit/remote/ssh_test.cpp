// Integration tests for connect_ssh() and SshRemote against a real, private
// sshd listening on 127.0.0.1 (started per test suite, stopped by its PID): host keys,
// authentication, the ssh config, ProxyJump and become = sudo.

#include "ssh_fixture.hpp"

namespace {

TEST_F(SshTest, StrictPolicyWithEmptyKnownHostsRefusesAndNamesFingerprint) {
  ASSERT_EQ(host_fp_.rfind("SHA256:", 0), 0u) << host_fp_;
  auto r = zkctl::remote::connect_ssh(options(HostKeyPolicy::strict));
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_EQ(m.rfind("127.0.0.1: host key not known (ED25519 " + host_fp_ + ")", 0), 0u) << m;
  EXPECT_NE(m.find("--accept-new-host-keys"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_FALSE(fs::exists(case_dir_ / "known_hosts"));
}

TEST_F(SshTest, AcceptNewRecordsKeyAndStrictThenPasses) {
  SshOptions o = options(HostKeyPolicy::accept_new);
  o.known_hosts_file = (case_dir_ / "sub" / "dir" / "known_hosts").string();
  auto first = zkctl::remote::connect_ssh(o);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::string kh = read_file(o.known_hosts_file);
  EXPECT_EQ(kh.rfind(known_hosts_name() + " ssh-ed25519 ", 0), 0u) << kh;

  o.host_key_policy = HostKeyPolicy::strict;
  auto second = zkctl::remote::connect_ssh(o);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(read_file(o.known_hosts_file), kh);
}

TEST_F(SshTest, ChangedKeyIsRefusedEvenWithAcceptNew) {
  std::istringstream other(read_file(dir_ / "other_key.pub"));
  std::string type, blob;
  other >> type >> blob;
  const std::string kh = known_hosts_name() + " " + type + " " + blob + "\n";
  write_file(case_dir_ / "known_hosts", kh);
  auto r = zkctl::remote::connect_ssh(options(HostKeyPolicy::accept_new));
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("127.0.0.1: host key CHANGED (ED25519 " + host_fp_ + ")"), std::string::npos)
      << m;
  EXPECT_NE(m.find("man-in-the-middle"), std::string::npos) << m;
  EXPECT_NE(m.find((case_dir_ / "known_hosts").string()), std::string::npos) << m;
  EXPECT_EQ(read_file(case_dir_ / "known_hosts"), kh);
}

TEST_F(SshTest, ScanHostKeyMatchesSshKeygen) {
  auto k = zkctl::remote::scan_host_key(options());
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(k->type, "ED25519");
  EXPECT_EQ(k->fingerprint, host_fp_);
  EXPECT_EQ(zkctl::remote::to_string(*k), "ED25519 " + host_fp_);
}

TEST_F(SshTest, RejectedKeyNamesWhatWasTried) {
  SshOptions o = options(HostKeyPolicy::accept_new);
  o.identity_file = (dir_ / "stranger_key").string();
  auto r = zkctl::remote::connect_ssh(o);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("127.0.0.1: authentication as " + user_ + " failed"), std::string::npos) << m;
  EXPECT_NE(m.find("stranger_key (rejected)"), std::string::npos) << m;
  EXPECT_NE(m.find("ssh-agent"), std::string::npos) << m;
}

TEST_F(SshTest, EncryptedKeyGivesClearError) {
  SshOptions o = options(HostKeyPolicy::accept_new);
  o.identity_file = (dir_ / "locked_key").string();
  auto r = zkctl::remote::connect_ssh(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("passphrase"), std::string::npos) << r.error().message;
}

TEST_F(SshTest, MissingKeyFileGivesClearError) {
  SshOptions o = options(HostKeyPolicy::accept_new);
  o.identity_file = (dir_ / "no_such_key").string();
  auto r = zkctl::remote::connect_ssh(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no_such_key (cannot read it)"), std::string::npos)
      << r.error().message;
}

// ---- ssh config, ProxyJump, become ------------------------------------------------------------

TEST_F(SshTest, HostAliasFromSshConfigGivesAddressUserPortAndKey) {
  SshOptions o;
  o.host = "zk-alias";
  o.config_file = ssh_config(host_block("zk-alias", "127.0.0.1"));
  o.known_hosts_file = (case_dir_ / "known_hosts").string();
  o.host_key_policy = HostKeyPolicy::accept_new;
  o.connect_timeout_s = 5;
  auto r = zkctl::remote::connect_ssh(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->host(), "zk-alias");
  auto out = (*r)->run("id -un", 10s);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->out, user_ + "\n");
  // The key is recorded under the address connected to, like OpenSSH without HostKeyAlias.
  EXPECT_EQ(read_file(o.known_hosts_file).rfind(known_hosts_name() + " ", 0), 0u);
}

TEST_F(SshTest, ExplicitUserWinsOverTheSshConfig) {
  SshOptions o = options(HostKeyPolicy::accept_new);
  o.config_file = ssh_config("Host 127.0.0.1\n  User nobody-here\n  Port 1\n");
  auto r = zkctl::remote::connect_ssh(o);  // explicit user and port from options()
  ASSERT_TRUE(r.ok()) << r.error().message;
  o.user.clear();
  auto as_config_user = zkctl::remote::connect_ssh(o);
  ASSERT_FALSE(as_config_user.ok());
  EXPECT_NE(as_config_user.error().message.find("authentication as nobody-here failed"),
            std::string::npos)
      << as_config_user.error().message;
}

// The jump host is 127.0.0.1 and the target "localhost", both the private sshd: two
// known_hosts names, so each host's key check can be seen on its own.
class JumpTest : public SshTest {
 protected:
  SshOptions jump_options(HostKeyPolicy policy) const {
    SshOptions o;
    o.host = "target";
    o.config_file = ssh_config(host_block("target", "localhost") + "  ProxyJump jumpbox\n" +
                               host_block("jumpbox", "127.0.0.1"));
    o.known_hosts_file = (case_dir_ / "known_hosts").string();
    o.host_key_policy = policy;
    o.connect_timeout_s = 5;
    return o;
  }
  std::string jump_name() const { return "[127.0.0.1]:" + std::to_string(port_); }
  std::string target_name() const { return "[localhost]:" + std::to_string(port_); }
};

TEST_F(JumpTest, ProxyJumpCarriesCommandsAndUploads) {
  auto r = zkctl::remote::connect_ssh(jump_options(HostKeyPolicy::accept_new));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto out = (*r)->run("echo through; echo err >&2; exit 3", 10s);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->out, "through\n");
  EXPECT_EQ(out->err, "err\n");
  EXPECT_EQ(out->exit_status, 3);
  const std::string data = random_bytes(3 * 1024 * 1024 + 17);
  write_file(case_dir_ / "src.bin", data);
  ASSERT_TRUE((*r)->upload_file((case_dir_ / "src.bin").string(), (case_dir_ / "dst.bin").string(),
                                0640, {})
                  .ok());
  EXPECT_EQ(read_file(case_dir_ / "dst.bin"), data);
  // Both hosts' keys were recorded, each under its own name.
  const std::string kh = read_file(case_dir_ / "known_hosts");
  EXPECT_NE(kh.find(jump_name() + " "), std::string::npos) << kh;
  EXPECT_NE(kh.find(target_name() + " "), std::string::npos) << kh;
}

TEST_F(JumpTest, UnknownJumpHostKeyIsRefusedInStrictMode) {
  // The target's key is known, the jump host's is not.
  write_file(case_dir_ / "known_hosts", known_hosts_line("localhost", dir_ / "host_key.pub"));
  auto r = zkctl::remote::connect_ssh(jump_options(HostKeyPolicy::strict));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind(
                "target (jump host jumpbox): host key not known (ED25519 " + host_fp_ + ")", 0),
            0u)
      << r.error().message;
}

TEST_F(JumpTest, ChangedJumpHostKeyIsRefusedEvenWithAcceptNew) {
  write_file(case_dir_ / "known_hosts", known_hosts_line("127.0.0.1", dir_ / "other_key.pub"));
  auto r = zkctl::remote::connect_ssh(jump_options(HostKeyPolicy::accept_new));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("target (jump host jumpbox): host key CHANGED"),
            std::string::npos)
      << r.error().message;
}

TEST_F(JumpTest, TargetKeyIsCheckedBehindTheJump) {
  write_file(case_dir_ / "known_hosts", known_hosts_line("127.0.0.1", dir_ / "host_key.pub") +
                                            known_hosts_line("localhost", dir_ / "other_key.pub"));
  auto r = zkctl::remote::connect_ssh(jump_options(HostKeyPolicy::accept_new));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("target: host key CHANGED", 0), 0u) << r.error().message;
}

// Become::sudo as root (sudo never asks root for a password): commands and the staged
// upload path (SFTP to /tmp, then cp + rename beside the destination as root).
TEST_F(SshTest, BecomeSudoRunsCommandsAndInstallsUploadsAtomically) {
  if (!fs::exists("/usr/bin/sudo")) GTEST_SKIP() << "sudo is not installed";
  if (user_ != "root") GTEST_SKIP() << "needs root (passwordless sudo)";
  SshOptions o = options(HostKeyPolicy::accept_new);
  o.become = zkctl::remote::Become::sudo;
  auto r = zkctl::remote::connect_ssh(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto out = (*r)->run("echo \"$SUDO_USER\"", 10s);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->out, "root\n");  // it really went through sudo
  const fs::path dest = case_dir_ / "conf" / "zoo.cfg";
  fs::create_directories(dest.parent_path());
  write_file(dest, "old\n");
  ASSERT_TRUE((*r)->write_file("new content\n", dest.string(), 0644).ok());
  EXPECT_EQ(read_file(dest), "new content\n");
  EXPECT_EQ(fs::status(dest).permissions() & fs::perms::mask, static_cast<fs::perms>(0644));
  // No temp file beside it, no staging file left behind.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dest.parent_path()))
    names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"zoo.cfg"});
  EXPECT_EQ(sh("ls -A /tmp | grep -c '^.zkctl-upload-' || true"), "0\n");
  auto missing = (*r)->write_file("x", (case_dir_ / "nodir" / "f").string(), 0644);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "127.0.0.1: cannot write " +
                                         (case_dir_ / "nodir" / "f").string() + ": directory " +
                                         (case_dir_ / "nodir").string() + " does not exist");
}

TEST(SudoFailure, MessagesNameHostAndUser) {
  using zkctl::remote::detail::sudo_failure;
  EXPECT_EQ(sudo_failure("node1", "zkops", 1, "sudo: a password is required\n"),
            "sudo on node1 needs a password; zkctl needs NOPASSWD sudo for user zkops");
  EXPECT_EQ(sudo_failure("node1", "zkops", 127, "sh: 1: exec: sudo: not found\n"),
            "node1: become = \"sudo\", but sudo is not installed there (sh: 1: exec: sudo: not "
            "found)");
  EXPECT_EQ(sudo_failure("node1", "zkops", 1, "zkops is not in the sudoers file.\n"),
            "sudo on node1 refuses user zkops: zkops is not in the sudoers file.");
}

}  // namespace

// No identity file: the key comes from a real ssh-agent (SSH_AUTH_SOCK).
TEST_F(SshTest, AuthenticatesThroughSshAgent) {
  const std::string sock = (case_dir_ / "agent.sock").string();
  const std::string home = (case_dir_ / "home").string();
  fs::create_directories(home);  // no ~/.ssh default keys to fall back on
  const std::string out = sh("ssh-agent -s -a " + sock);
  const auto at = out.find("SSH_AGENT_PID=");
  ASSERT_NE(at, std::string::npos) << out;
  const pid_t agent = static_cast<pid_t>(std::atoi(out.c_str() + at + 14));
  ASSERT_GT(agent, 0);
  sh("SSH_AUTH_SOCK=" + sock + " ssh-add -q " + (dir_ / "client_key").string() + " 2>&1");
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home ? old_home : "";
  setenv("SSH_AUTH_SOCK", sock.c_str(), 1);
  setenv("HOME", home.c_str(), 1);

  SshOptions o = options(HostKeyPolicy::accept_new);
  o.identity_file.clear();
  auto r = zkctl::remote::connect_ssh(o);
  std::string echoed;
  if (r.ok()) {
    auto res = r.value()->run("echo via-agent", 10s);
    if (res.ok()) echoed = res->out;
  }
  // Without the agent the same options must fail: the agent really did the work.
  unsetenv("SSH_AUTH_SOCK");
  auto without = zkctl::remote::connect_ssh(o);

  setenv("HOME", saved_home.c_str(), 1);
  kill(agent, SIGTERM);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(echoed, "via-agent\n");
  EXPECT_FALSE(without.ok());
}
