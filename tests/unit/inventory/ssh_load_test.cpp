// The inventory's SSH keys: [ssh] user/port/identity_file/config_file/become and the
// per-server/per-node ssh_user, ssh_port, ssh_become overrides; what is not set stays
// unset (empty/0) so the ssh config file can supply it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using namespace test;  // inventory_builder.hpp

const Lines& kBase = test::kThreeVoters;

// The inventory fixture plus an ssh config file naming host a's user.
class SshLoadTest : public test::InventoryTest {
 protected:
  void SetUp() override {
    InventoryTest::SetUp();
    std::ofstream(dir_ / "ssh_config") << "Host a\n  User zkops\n";
  }
};

// `ssh` has `user`, `port` and `become` (`who` names the node in a failure).
void expect_ssh(const std::string& who, const SshSettings& ssh, const std::string& user, int port,
                Become become) {
  SCOPED_TRACE(who);
  EXPECT_EQ(ssh.user, user);
  EXPECT_EQ(ssh.port, port);
  EXPECT_EQ(ssh.become, become);
}

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
  expect_ssh("a", a.ssh, "zkops", 2222, Become::none);
  expect_ssh("b", b.ssh, "admin", 2201, Become::sudo);
  expect_ssh("c", c.ssh, "zkops", 0, Become::sudo);  // port not set: ssh config, else 22
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
  expect_ssh("node 1", n1.ssh, "kafkaops", 2022, Become::sudo);
  expect_ssh("node 2", n2.ssh, "", 0, Become::none);
}

TEST_F(SshLoadTest, UnknownSshKeySuggestsTheNearestOne) {
  const LoadResult r = load(insert_after(kBase, 2, {"[ssh]", "becme = \"sudo\""}));
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(
      HasDiag(r, "inv.toml:4:1: error: unknown key 'becme' in [ssh]; did you mean 'become'?"));
}

}  // namespace
}  // namespace zkctl::inventory
