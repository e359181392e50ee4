// The inventory's SSH keys: [ssh] user/port/identity_file/config_file/become and the
// per-server/per-node ssh_user, ssh_port, ssh_become overrides; what is not set stays
// unset (empty/0) so the ssh config file can supply it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inventory/load.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

const Lines kBase = {
    "[cluster]",                     // 1
    "name = \"t\"",                  // 2
    "[zookeeper]",                   // 3
    "distribution = \"zk.tar.gz\"",  // 4
    "[[zookeeper.servers]]",         // 5
    "host = \"a\"",                  // 6
    "id = 1",                        // 7
    "[[zookeeper.servers]]",         // 8
    "host = \"b\"",                  // 9
    "id = 2",                        // 10
    "[[zookeeper.servers]]",         // 11
    "host = \"c\"",                  // 12
    "id = 3",                        // 13
};

Lines insert_after(Lines base, size_t after, const Lines& extra) {
  base.insert(base.begin() + static_cast<long>(after), extra.begin(), extra.end());
  return base;
}

std::string dump(const LoadResult& r) {
  std::string out = "diagnostics:\n";
  for (const auto& d : r.diagnostics) out += "  " + d.str() + "\n";
  return out;
}

::testing::AssertionResult HasDiag(const LoadResult& r, const std::string& expected) {
  for (const auto& d : r.diagnostics)
    if (d.str() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "missing: " << expected << "\n" << dump(r);
}

class SshLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("zkctl-ssh-load-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "zk.tar.gz") << "x";
    std::ofstream(dir_ / "ssh_config") << "Host a\n  User zkops\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  LoadResult load(const Lines& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    return load_string(text, "inv.toml", dir_.string());
  }

  fs::path dir_;
};

TEST_F(SshLoadTest, NothingSetLeavesUserPortAndKeyToTheSshConfig) {
  const LoadResult r = load(kBase);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  for (const auto& s : r.cluster->servers) {
    EXPECT_EQ(s.ssh.user, "");
    EXPECT_EQ(s.ssh.port, 0);
    EXPECT_EQ(s.ssh.identity_file, "");
    EXPECT_EQ(s.ssh.config_file, "");  // ~/.ssh/config if it exists
    EXPECT_EQ(s.ssh.become, Become::none);
  }
}

TEST_F(SshLoadTest, ClusterValuesAndPerServerOverrides) {
  Lines l = insert_after(kBase, 10, {"ssh_user = \"admin\"", "ssh_port = 2201"});
  l = insert_after(l, 7, {"ssh_become = \"none\"", "ssh_port = 2222"});
  l = insert_after(l, 2,
                   {"[ssh]", "user = \"zkops\"", "config_file = \"ssh_config\"",
                    "become = \"sudo\"", "identity_file = \"keys/id\""});
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  const auto& a = r.cluster->servers[0];
  const auto& b = r.cluster->servers[1];
  const auto& c = r.cluster->servers[2];
  EXPECT_EQ(a.ssh.user, "zkops");
  EXPECT_EQ(a.ssh.port, 2222);
  EXPECT_EQ(a.ssh.become, Become::none);
  EXPECT_EQ(b.ssh.user, "admin");
  EXPECT_EQ(b.ssh.port, 2201);
  EXPECT_EQ(b.ssh.become, Become::sudo);
  EXPECT_EQ(c.ssh.user, "zkops");
  EXPECT_EQ(c.ssh.port, 0);  // not set: ssh config, else 22
  EXPECT_EQ(c.ssh.become, Become::sudo);
  for (const auto* s : {&a, &b, &c}) {
    EXPECT_EQ(s->ssh.config_file, (dir_ / "ssh_config").string());
    EXPECT_EQ(s->ssh.identity_file, (dir_ / "keys" / "id").string());
  }
}

TEST_F(SshLoadTest, ConfigFileNoneReadsNoConfig) {
  const LoadResult r = load(insert_after(kBase, 2, {"[ssh]", "config_file = \"none\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->servers[0].ssh.config_file, "none");
}

TEST_F(SshLoadTest, BadBecomeAndMissingConfigFileAreErrorsWithPositions) {
  Lines l = insert_after(kBase, 7, {"ssh_become = \"doas\""});
  l = insert_after(l, 2, {"[ssh]", "become = \"sduo\"", "config_file = \"missing_config\""});
  const LoadResult r = load(l);
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:4:10: error: ssh.become: 'sduo' is not a become method; "
                      "expected 'sudo' or 'none'; did you mean 'sudo'?"));
  EXPECT_TRUE(HasDiag(r, "inv.toml:5:15: error: ssh.config_file: '" +
                             (dir_ / "missing_config").string() +
                             "' is not a file (\"none\": read no ssh config)"));
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:11:14: error: zookeeper.servers[0].ssh_become: 'doas' is not a "
                      "become method; expected 'sudo' or 'none'"));
}

TEST_F(SshLoadTest, BecomeMustBeAString) {
  const LoadResult r = load(insert_after(kBase, 2, {"[ssh]", "become = true"}));
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(HasDiag(r, "inv.toml:4:10: error: ssh.become: expected a string, got a boolean"));
}

TEST_F(SshLoadTest, KafkaNodesTakeSshOverridesToo) {
  Lines l = kBase;
  for (const std::string& line :
       {"[kafka]", "distribution = \"zk.tar.gz\"", "[[kafka.nodes]]", "host = \"a\"", "id = 1",
        "ssh_user = \"kafkaops\"", "ssh_port = 2022", "ssh_become = \"sudo\"", "[[kafka.nodes]]",
        "host = \"b\"", "id = 2"})
    l.push_back(line);
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  const auto& n1 = r.cluster->kafka_nodes[0];
  const auto& n2 = r.cluster->kafka_nodes[1];
  EXPECT_EQ(n1.ssh.user, "kafkaops");
  EXPECT_EQ(n1.ssh.port, 2022);
  EXPECT_EQ(n1.ssh.become, Become::sudo);
  EXPECT_EQ(n2.ssh.user, "");
  EXPECT_EQ(n2.ssh.port, 0);
  EXPECT_EQ(n2.ssh.become, Become::none);
}

TEST_F(SshLoadTest, UnknownSshKeySuggestsTheNearestOne) {
  const LoadResult r = load(insert_after(kBase, 2, {"[ssh]", "becme = \"sudo\""}));
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(
      HasDiag(r, "inv.toml:4:1: error: unknown key 'becme' in [ssh]; did you mean 'become'?"));
}

}  // namespace
}  // namespace zkctl::inventory
