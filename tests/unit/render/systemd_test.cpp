// systemd units (templates/systemd/): golden files under tests/golden/systemd/
// (ZKCTL_UPDATE_GOLDEN=1 rewrites them), systemd's own escaping, and
// `systemd-analyze verify` on units rendered against a real temporary tree.

#include "render/systemd.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "render/kafka.hpp"
#include "render/zookeeper.hpp"
#include "seed_cluster.hpp"
#include "support/golden_compare.hpp"
#include "util/quote.hpp"

namespace zkctl::render {
namespace {

namespace fs = std::filesystem;

void expect_golden(const std::string& name, const std::string& content) {
  test::expect_golden(test::golden_dir() / "systemd" / name, content);
}

// The seed layout with launcher = "systemd", a service user and a pushed JDK, plus
// one Kafka broker on node1.
inventory::Cluster systemd_cluster() {
  auto c = testing::seed_cluster();
  c.service.launcher = inventory::Launcher::systemd;
  c.service.user = "zookeeper";
  c.service.cluster = c.name;
  c.java.distribution = "/var/cache/zkctl/jdk-17.tar.gz";
  for (auto& s : c.servers) {
    s.service = c.service;
    s.java_home = s.install_dir + "/java/current";
  }
  inventory::KafkaSettings k;
  k.distribution = "/var/cache/zkctl/kafka_2.13-3.9.2.tgz";
  k.heap_mb = 256;
  c.kafka = k;
  inventory::KafkaNode n;
  n.host = "node1";
  n.id = 11;
  n.install_dir = "/opt/kafka";
  n.log_dirs = {"/var/lib/kafka/data"};
  n.service = c.service;
  n.java_home = n.install_dir + "/java/current";
  c.kafka_nodes.push_back(n);
  return c;
}

const RenderedFile* find(const std::vector<RenderedFile>& files, const std::string& path) {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

TEST(SystemdUnit, ZooKeeperNodeGetsItsUnitAndJavaHome) {
  const auto c = systemd_cluster();
  auto files = render_zookeeper_node(c, *c.find("node1"));
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 4u);
  const auto* unit = find(*files, "/etc/systemd/system/zkctl-seed-zookeeper.service");
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->owner, FileOwner::root);
  EXPECT_EQ(unit->mode, 0644);
  expect_golden("zkctl-seed-zookeeper.service", unit->content);
  const auto* env = find(*files, "/opt/zookeeper/conf/zookeeper-env.sh");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->owner, FileOwner::root);  // sourced: root's, never the service user's
  expect_golden("zookeeper-env.sh", env->content);
}

TEST(SystemdUnit, KafkaNodeGetsItsUnitAndJavaHome) {
  const auto c = systemd_cluster();
  auto files = render_kafka_node(c, c.kafka_nodes.front());
  ASSERT_TRUE(files.ok()) << files.error().message;
  const auto* unit = find(*files, "/etc/systemd/system/zkctl-seed-kafka.service");
  ASSERT_NE(unit, nullptr);
  expect_golden("zkctl-seed-kafka.service", unit->content);
  const auto* env = find(*files, "/opt/kafka/config/kafka-env.sh");
  ASSERT_NE(env, nullptr);
  expect_golden("kafka-env.sh", env->content);
}

TEST(SystemdUnit, ASuffixedNodeHasAUnitOfItsOwn) {
  EXPECT_EQ(unit_name("k", Product::kafka), "zkctl-k-kafka.service");
  EXPECT_EQ(unit_name("k", Product::kafka, "-4"), "zkctl-k-kafka-4.service");
}

TEST(SystemdUnit, ScriptsLauncherRendersNoUnit) {
  auto c = testing::seed_cluster();
  auto files = render_zookeeper_node(c, *c.find("node1"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 3u);
  for (const auto& f : *files) EXPECT_EQ(f.path.find("/etc/systemd"), std::string::npos);
}

TEST(SystemdUnit, EscapesSpecifiersVariablesAndQuotes) {
  SystemdUnitValues v;
  v.cluster = "c";
  v.user = "zk";
  v.working_dir = "/opt/a%b";
  v.exec_start = {"/opt/a b/$x/zk\"s.sh", "start-foreground"};
  v.environment = {{"ZOOCFGDIR", "/opt/50%/c\\d"}};
  auto text = render_systemd_unit(v);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("WorkingDirectory=/opt/a%%b\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("ExecStart=\"/opt/a b/$$x/zk\\\"s.sh\" \"start-foreground\"\n"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("Environment=\"ZOOCFGDIR=/opt/50%%/c\\\\d\"\n"), std::string::npos) << *text;
}

TEST(SystemdUnit, RejectsValuesThatWouldBreakTheUnit) {
  SystemdUnitValues v;
  v.user = "zk";
  v.exec_start = {"relative/zkServer.sh"};
  EXPECT_FALSE(render_systemd_unit(v).ok());
  v.exec_start = {"/bin/true"};
  v.user = "root\nExecStartPre=/bin/evil";
  EXPECT_FALSE(render_systemd_unit(v).ok());
  v.user = "zk";
  v.environment = {{"A B", "x"}};
  EXPECT_FALSE(render_systemd_unit(v).ok());
  v.environment = {{"A", "x\nExecStartPre=/bin/evil"}};
  EXPECT_FALSE(render_systemd_unit(v).ok());
}

// `systemd-analyze verify FILE`: exit status and every line it prints (it only
// warns, exit 0, on many bad settings, so a clean unit prints nothing).
std::pair<int, std::string> analyze(const fs::path& unit) {
  const std::string cmd =
      "systemd-analyze verify --man=no " + util::shell_quote(unit.string()) + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class SystemdAnalyze : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(std::system("command -v systemd-analyze >/dev/null 2>&1"), 0)
        << "systemd-analyze missing: scripts/setup.sh installs the systemd package";
    char tmpl[] = "/tmp/zkctl-units-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // An executable stand-in for a distribution script at `path`.
  static void executable(const fs::path& path) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "#!/bin/sh\nexit 0\n";
    ::chmod(path.c_str(), 0755);
  }
  // The cluster of systemd_cluster() with every install dir under root_ and
  // root as the service user (it exists on every machine).
  inventory::Cluster cluster_in_tree() const {
    auto c = systemd_cluster();
    c.service.user = "root";
    for (auto& s : c.servers) {
      s.install_dir = (root_ / "zookeeper").string();
      s.service.user = "root";
    }
    for (auto& n : c.kafka_nodes) {
      n.install_dir = (root_ / "kafka").string();
      n.service.user = "root";
    }
    return c;
  }
  fs::path root_;
};

TEST_F(SystemdAnalyze, RenderedUnitsVerifyClean) {
  const auto c = cluster_in_tree();
  executable(root_ / "zookeeper/current/bin/zkServer.sh");
  executable(root_ / "kafka/current/bin/kafka-server-start.sh");
  auto zk = zookeeper_unit_file(c, *c.find("node1"));
  ASSERT_TRUE(zk.ok()) << zk.error().message;
  auto kafka = kafka_unit_file(c, c.kafka_nodes.front());
  ASSERT_TRUE(kafka.ok()) << kafka.error().message;
  for (const auto* f : {&*zk, &*kafka}) {
    const fs::path unit = root_ / fs::path(f->path).filename();
    std::ofstream(unit) << f->content;
    auto [rc, out] = analyze(unit);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "") << unit;
  }
}

TEST_F(SystemdAnalyze, ReportsAMissingProgram) {
  // The same unit without the distribution unpacked: the check is real.
  const auto c = cluster_in_tree();
  auto zk = zookeeper_unit_file(c, *c.find("node1"));
  ASSERT_TRUE(zk.ok());
  const fs::path unit = root_ / "zkctl-seed-zookeeper.service";
  std::ofstream(unit) << zk->content;
  auto [rc, out] = analyze(unit);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("zkServer.sh"), std::string::npos) << out;
}

}  // namespace
}  // namespace zkctl::render
