// [service] (launcher, user) and [java] (a pushed JDK) in the inventory.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using namespace test;  // inventory_builder.hpp

// The inventory fixture plus a JDK tarball, a JDK directory and a directory without bin/java.
class ServiceLoad : public test::InventoryTest {
 protected:
  void SetUp() override {
    InventoryTest::SetUp();
    fs::create_directories(dir_ / "jdk/bin");
    std::ofstream(dir_ / "jdk.tar.gz") << "x";
    std::ofstream(dir_ / "jdk/bin/java") << "x";
    fs::create_directories(dir_ / "not-a-jdk");
  }

  // Three servers node1..node3 with `extra` between [cluster] and [zookeeper].
  LoadResult load(const std::string& extra) {
    return load_text("[cluster]\nname = \"c\"\n" + extra +
                     "\n[zookeeper]\ndistribution = \"zk.tar.gz\"\n"
                     "[[zookeeper.servers]]\nhost = \"node1\"\nid = 1\n"
                     "[[zookeeper.servers]]\nhost = \"node2\"\nid = 2\n"
                     "[[zookeeper.servers]]\nhost = \"node3\"\nid = 3\n");
  }
};

TEST_F(ServiceLoad, DefaultsAreScriptsRootAndTheHostsJava) {
  auto r = load("");
  ASSERT_TRUE(r.cluster) << dump(r);
  for (const auto& s : r.cluster->servers) {
    EXPECT_EQ(s.service.launcher, Launcher::scripts);
    EXPECT_EQ(s.service.user, "root");
    EXPECT_EQ(s.service.cluster, "c");
    EXPECT_EQ(s.java_home, "");
  }
}

TEST_F(ServiceLoad, SystemdUserAndJdkTarballReachEveryServer) {
  auto r = load(
      "[service]\nlauncher = \"systemd\"\nuser = \"zookeeper\"\n"
      "[java]\ndistribution = \"jdk.tar.gz\"\n");
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_EQ(r.cluster->java.distribution, (dir_ / "jdk.tar.gz").string());
  for (const auto& s : r.cluster->servers) {
    EXPECT_EQ(s.service.launcher, Launcher::systemd);
    EXPECT_EQ(s.service.user, "zookeeper");
    EXPECT_EQ(s.java_home, "/opt/zookeeper/java/current");
  }
}

TEST_F(ServiceLoad, JdkDirectoryIsAccepted) {
  auto r = load("[java]\ndistribution = \"jdk\"\n");
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_EQ(r.cluster->java.distribution, (dir_ / "jdk").string());
}

TEST_F(ServiceLoad, BadValuesAreErrorsWithPositions) {
  auto r = load(
      "[service]\nlauncher = \"upstart\"\nuser = \"root; rm -rf /\"\nusr = \"x\"\n"
      "[java]\ndistribution = \"not-a-jdk\"\n");
  EXPECT_FALSE(r.cluster);
  const std::string d = dump(r);
  EXPECT_NE(d.find("inv.toml:4:12: error: service.launcher: 'upstart' must be \"scripts\" or "
                   "\"systemd\""),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("inv.toml:5:8: error: service.user:"), std::string::npos) << d;
  EXPECT_NE(d.find("unknown key 'usr' in [service]; did you mean 'user'?"), std::string::npos) << d;
  EXPECT_NE(d.find("java.distribution: directory"), std::string::npos) << d;
  EXPECT_NE(d.find("has no bin/java"), std::string::npos) << d;

  auto missing = load("[java]\ndistribution = \"nowhere.tar.gz\"\n");
  EXPECT_NE(dump(missing).find("is neither a JDK tarball nor a JDK directory"), std::string::npos)
      << dump(missing);
}

}  // namespace
}  // namespace zkctl::inventory
