// `zkctl check` against fake hosts: every host answers the check probe (key=value
// lines) with what the test sets for it; the verdicts are read from the report. The
// distributions are tiny tarballs holding only the jar that names their version, so
// the Java policy of ops/java decides from the real version.

#include "ops/commands/check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"

namespace zkctl::ops {
namespace {

// What one fake host says about itself.
struct HostAnswer {
  std::string java = "openjdk version \"17.0.15\" 2025-04-15";
  long mem_kb = 8L * 1024 * 1024;
  long disk_kb = 50L * 1024 * 1024;
  double clock_offset_s = 0;
  std::map<std::string, std::string> names;  // name -> address; unset names: 10.0.0.<n>
};

class CheckTest : public ::testing::Test {
 protected:
  // The probe's answer for `host`: its java, memory, the dirs asked about, names, clock.
  std::string probe_output(const std::string& host, const std::string& command) {
    const HostAnswer& a = answers_[host];
    std::string out;
    if (!a.java.empty()) out += "java=" + a.java + "\n";
    out += "mem=" + std::to_string(a.mem_kb) + "\n";
    out += "disk=" + std::to_string(a.disk_kb) + " /var/lib/zookeeper\n";
    int n = 0;
    for (const auto& h : all_hosts_) {
      ++n;
      if (command.find(h) == std::string::npos) continue;
      auto it = a.names.find(h);
      out += "name=" + h + " " +
             (it != a.names.end() ? it->second : "10.0.0." + std::to_string(n)) + "\n";
    }
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    out += "clock=" + std::to_string(now + a.clock_offset_s) + "\n";
    return out;
  }

  CheckReport run(const inventory::Cluster& cluster) {
    for (const auto& s : cluster.servers) all_hosts_.push_back(s.host);
    for (const auto& n : cluster.kafka_nodes) all_hosts_.push_back(n.host);
    testing::FakeHosts hosts;
    hosts.host_handler = [this](const std::string& host, const std::string& command) {
      return remote::CommandResult{0, probe_output(host, command), ""};
    };
    Options o = hosts.options(std::chrono::milliseconds(300));
    runner::NullProgress progress;
    Context ctx(cluster, o, progress);
    return check(ctx);
  }

  // The items of check `name` (optionally for `host`).
  static std::vector<CheckItem> items(const CheckReport& r, const std::string& name,
                                      const std::string& host = "*") {
    std::vector<CheckItem> out;
    for (const auto& i : r.items)
      if (i.check == name && (host == "*" || i.host == host)) out.push_back(i);
    return out;
  }

  // The one item of check `name` for `host` (a failure, and an empty item, if not one).
  static CheckItem one(const CheckReport& r, const std::string& name, const std::string& host) {
    auto found = items(r, name, host);
    if (found.size() != 1) {
      ADD_FAILURE() << found.size() << " '" << name << "' items for " << host;
      return {host, name, Verdict::ok, "(none)"};
    }
    return found[0];
  }

  inventory::Cluster zookeeper(int servers) {
    std::vector<inventory::Server> s;
    for (int i = 1; i <= servers; ++i)
      s.push_back(testing::zk_server("node" + std::to_string(i), i));
    auto c = testing::cluster_of(s);
    c.zookeeper.distribution = testing::fake_distribution(
        tmp_.path(), "zk.tar.gz", "apache-zookeeper-3.8.0-bin/lib/zookeeper-3.8.0.jar");
    return c;
  }

  // The java verdict for one ZooKeeper 3.8.0 server whose `java -version` says `line`.
  CheckItem zookeeper_java(const std::string& line) {
    auto c = zookeeper(1);
    answers_["node1"].java = line;
    return one(run(c), "java", "node1");
  }

  testing::TempDir tmp_{"zkctl-check-test"};
  std::map<std::string, HostAnswer> answers_;
  std::vector<std::string> all_hosts_;
};

TEST_F(CheckTest, JavaOlderThanKafka4NeedsFails) {
  auto c = testing::cluster_of({}, {testing::kafka_node("k1", 1, true, true)});
  c.kafka->distribution = testing::fake_distribution(
      tmp_.path(), "kafka.tar.gz", "kafka_2.13-4.0.0/libs/kafka-clients-4.0.0.jar");
  answers_["k1"].java = "openjdk version \"11.0.22\" 2024-01-16";
  auto report = run(c);
  const CheckItem java = one(report, "java", "k1");
  EXPECT_EQ(java.verdict, Verdict::fail);
  EXPECT_NE(java.detail.find("needs Java 17"), std::string::npos) << java.detail;
  EXPECT_TRUE(report.failed());
}

TEST_F(CheckTest, Java11IsEnoughForZooKeeper38) {
  const CheckItem java = zookeeper_java("openjdk version \"11.0.22\" 2024-01-16");
  EXPECT_EQ(java.verdict, Verdict::ok) << java.detail;
}

TEST_F(CheckTest, Java7IsTooOldForZooKeeper) {
  const CheckItem java = zookeeper_java("java version \"1.7.0_80\"");
  EXPECT_EQ(java.verdict, Verdict::fail);
  EXPECT_NE(java.detail.find("needs Java 8"), std::string::npos) << java.detail;
}

TEST_F(CheckTest, NoJavaOnPathFails) {
  const CheckItem java = zookeeper_java("");
  EXPECT_EQ(java.verdict, Verdict::fail);
  EXPECT_NE(java.detail.find("not found"), std::string::npos) << java.detail;
}

TEST_F(CheckTest, LessMemoryThanTheHeapsFails) {
  auto c = zookeeper(2);
  c.zookeeper.heap_mb = 1024;
  answers_["node1"].mem_kb = 512 * 1024;
  auto report = run(c);
  const CheckItem low = one(report, "memory", "node1");
  EXPECT_EQ(low.verdict, Verdict::fail);
  EXPECT_NE(low.detail.find("512 MiB available < 1024"), std::string::npos) << low.detail;
  const CheckItem fine = one(report, "memory", "node2");
  EXPECT_EQ(fine.verdict, Verdict::ok);
}

TEST_F(CheckTest, LessThanAGibibyteOfDiskWarns) {
  auto c = zookeeper(1);
  answers_["node1"].disk_kb = 100 * 1024;
  const CheckItem disk = one(run(c), "disk", "node1");
  EXPECT_EQ(disk.verdict, Verdict::warn);
  EXPECT_NE(disk.detail.find("/var/lib/zookeeper"), std::string::npos);
}

TEST_F(CheckTest, AHostWhoseNameResolvesToLoopbackOnItselfFails) {
  auto c = zookeeper(3);
  answers_["node2"].names["node2"] = "127.0.1.1";
  auto report = run(c);
  auto names = items(report, "names", "node2");
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names[0].verdict, Verdict::fail);
  EXPECT_NE(names[0].detail.find("loopback"), std::string::npos) << names[0].detail;
  EXPECT_TRUE(items(report, "names", "node1").empty());
  // node2's own view differs from the others': a cluster-wide failure too.
  auto cluster_wide = items(report, "names", "");
  EXPECT_TRUE(std::any_of(cluster_wide.begin(), cluster_wide.end(), [](const CheckItem& i) {
    return i.verdict == Verdict::fail && i.detail.find("resolves differently") != std::string::npos;
  }));
}

TEST_F(CheckTest, ANameThatDoesNotResolveFails) {
  auto c = zookeeper(2);
  answers_["node1"].names["node2"] = "";
  const CheckItem names = one(run(c), "names", "node1");
  EXPECT_EQ(names.verdict, Verdict::fail);
  EXPECT_NE(names.detail.find("node2 does not resolve"), std::string::npos);
}

TEST_F(CheckTest, ClockSkewOverASecondWarns) {
  auto c = zookeeper(3);
  answers_["node3"].clock_offset_s = 5;
  auto clock = items(run(c), "clock");
  ASSERT_EQ(clock.size(), 1u);
  EXPECT_EQ(clock[0].verdict, Verdict::warn) << clock[0].detail;
}

TEST_F(CheckTest, ClocksInStepAreOk) {
  auto c = zookeeper(3);
  auto clock = items(run(c), "clock");
  ASSERT_EQ(clock.size(), 1u);
  EXPECT_EQ(clock[0].verdict, Verdict::ok) << clock[0].detail;
}

}  // namespace
}  // namespace zkctl::ops
