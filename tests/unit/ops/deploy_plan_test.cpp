// Deploy's decisions and stages, built against fake hosts (no SSH, no ZooKeeper): what
// each node's facts make deploy upload, write, start, restart or refuse, and that the
// plan `zkctl plan` prints is the list of stages apply runs.

#include "ops/commands/deploy_plan.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>

#include "inventory/load.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/host/checksum.hpp"
#include "remote/scripts.hpp"
#include "render/zookeeper.hpp"
#include "runner/progress.hpp"
#include "support/fake_remote.hpp"

namespace zkctl::ops {
namespace {

namespace fs = std::filesystem;

// A temp dir with a ZooKeeper tarball, $ZKCTL_HOME pointing into it, and a 3-voter
// inventory on 127.0.0.1 (nothing listens on its ports: probes find every server down).
class DeployPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkctl-deploy-plan-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    setenv("ZKCTL_HOME", (dir_ / "home").c_str(), 1);
    fs::create_directories(dir_ / "apache-zookeeper-3.8.0-bin/lib");
    std::ofstream(dir_ / "apache-zookeeper-3.8.0-bin/lib/zookeeper-3.8.0.jar") << "jar";
    // [metrics] is on by default: the distribution ships ZooKeeper's Prometheus provider.
    std::ofstream(dir_ / "apache-zookeeper-3.8.0-bin/lib/zookeeper-prometheus-metrics-3.8.0.jar");
    std::ofstream(dir_ / "apache-zookeeper-3.8.0-bin/lib/simpleclient-0.9.0.jar");
    const std::string tar = "tar -czf " + (dir_ / "zk.tar.gz").string() + " -C " + dir_.string() +
                            " apache-zookeeper-3.8.0-bin";
    ASSERT_EQ(std::system(tar.c_str()), 0);
    sha_ = *sha256_file((dir_ / "zk.tar.gz").string());
    std::string toml =
        "[cluster]\nname = \"t\"\n[security]\ntls = false\nauthentication = "
        "\"none\"\nauthorization = false\n[zookeeper]\ndistribution = \"zk.tar.gz\"\n";
    for (int i = 1; i <= 3; ++i) {
      toml += "[[zookeeper.servers]]\nhost = \"127.0.0.1\"\nid = " + std::to_string(i) +
              "\nclient_port = " + std::to_string(42180 + i) +
              "\npeer_port = " + std::to_string(42280 + i) +
              "\nelection_port = " + std::to_string(42380 + i) + "\ndata_dir = \"/d" +
              std::to_string(i) + "\"\ninstall_dir = \"/i" + std::to_string(i) + "\"\n";
    }
    auto loaded = inventory::load_string(toml, "t.toml", dir_.string());
    ASSERT_TRUE(loaded.cluster) << (loaded.diagnostics.empty() ? ""
                                                               : loaded.diagnostics[0].message);
    cluster_ = *loaded.cluster;
    cluster_.metrics.enabled = false;  // ZooKeeper's stages only (the host agent's: below)
    options_.connector = hosts_.connector();
    options_.probe_timeout = std::chrono::milliseconds(200);
    hosts_.handler = [this](const std::string& command) { return answer(command); };
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The inspect script's answer for the server whose data dir the command names.
  remote::CommandResult answer(const std::string& command) {
    if (command.find("jrelease") == std::string::npos) return {0, "", ""};
    for (const auto& [data_dir, facts] : facts_)
      if (command.find(" " + data_dir + " ") != std::string::npos) return {0, facts, ""};
    return {0, "java=openjdk version \"17.0.15\"\n", ""};
  }

  // Facts of a server deployed as rendered, running (`pid`), with `stale` a file it lacks.
  std::string deployed(const inventory::Server& s, const std::string& stale = "") {
    std::string out = "java=openjdk version \"17.0.15\"\nrelease=" + sha_ +
                      "\npid=" + std::to_string(4000 + s.id) +
                      "\npid_user=root\nmyid=" + std::to_string(s.id) + "\nmark=t\n";
    auto files = render::render_zookeeper_node(cluster_, s, options_.templates);
    for (const auto& f : *files) {
      if (f.path.find(stale) != std::string::npos && !stale.empty()) continue;
      out += "file=" + sha256_hex(f.content) + " " + f.path + "\n";
    }
    return out;
  }

  // Every server deployed as rendered and running, but from release `sha` of `version`.
  void every_server_runs(const std::string& sha, const std::string& version) {
    for (const auto& s : cluster_.servers) {
      std::string f = deployed(s);
      f.replace(f.find("release=" + sha_), 8 + sha_.size(),
                "release=" + sha + "\nversion=" + version);
      facts_["/d" + std::to_string(s.id)] = f;
    }
  }

  // The stages as `plan` lists them: "stage: job | job".
  std::vector<std::string> plan_lines(DeployReport& report) {
    runner::NullProgress progress;
    Context ctx(cluster_, options_, progress);
    report = deploy(ctx, DeployMode::plan_only);
    std::vector<std::string> lines;
    for (const auto& s : report.stages) {
      std::string line = s.name + ":";
      for (const auto& j : s.jobs) line += " " + j + " |";
      lines.push_back(line);
    }
    return lines;
  }

  fs::path dir_;
  std::string sha_;
  inventory::Cluster cluster_;
  Options options_;
  testing::FakeHosts hosts_;
  std::map<std::string, std::string> facts_;  // data dir -> inspect output
};

TEST_F(DeployPlanTest, FreshHostsGetEverythingAndStartTogether) {
  DeployReport report;
  auto lines = plan_lines(report);
  ASSERT_EQ(report.outcome, DeployOutcome::ok)
      << (report.preflight.empty() ? "" : report.preflight[0]);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "install: 127.0.0.1: upload, configure | 127.0.0.1: upload, configure | 127.0.0.1: "
            "upload, configure |");
  EXPECT_EQ(lines[1], "start: 127.0.0.1: start | 127.0.0.1: start | 127.0.0.1: start |");
  EXPECT_EQ(lines[2].rfind("wait:", 0), 0u);
  for (const auto& c : report.changes) EXPECT_EQ(c.action, "start");
  EXPECT_EQ(hosts_.opened["127.0.0.1"], 3);  // one session per node
}

// [metrics] on and a [monitoring] host: one host agent per distinct host, then Prometheus, each
// installed, started and waited for after ZooKeeper; a missing binary names its package.
// Metrics alone (the default) put nothing on a host beyond the JVMs' endpoints: the host agent
// serves a monitoring host, so a cluster without one needs no prometheus-node-exporter.
TEST_F(DeployPlanTest, NoHostAgentWithoutAMonitoringHost) {
  cluster_.metrics.enabled = true;
  DeployReport report;
  for (const auto& line : plan_lines(report))
    EXPECT_EQ(line.find("host-agent"), std::string::npos) << line;
  EXPECT_EQ(report.outcome, DeployOutcome::ok)
      << (report.preflight.empty() ? "" : report.preflight[0]);
}

TEST_F(DeployPlanTest, HostAgentAndPrometheusComeAfterZooKeeper) {
  cluster_.metrics.enabled = true;
  cluster_.monitoring.host = "127.0.0.1";
  DeployReport report;
  auto lines = plan_lines(report);
  ASSERT_EQ(report.outcome, DeployOutcome::ok)
      << (report.preflight.empty() ? "" : report.preflight[0]);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[3], "host-agent install: 127.0.0.1: configure |");
  EXPECT_EQ(lines[4], "host-agent start: 127.0.0.1: start |");
  EXPECT_EQ(lines[5], "host-agent wait: 127.0.0.1: wait for role |");
  EXPECT_EQ(lines[6], "prometheus install: 127.0.0.1: configure |");
  EXPECT_EQ(lines[7], "prometheus start: 127.0.0.1: start |");
  EXPECT_EQ(lines[8], "prometheus wait: 127.0.0.1: wait for role |");

  hosts_.handler = [this](const std::string& command) {
    if (command.find("/usr/bin/prometheus ") != std::string::npos)
      return remote::CommandResult{0, "binary=missing\n", ""};
    return answer(command);
  };
  lines = plan_lines(report);
  EXPECT_EQ(report.outcome, DeployOutcome::preflight_failed);
  ASSERT_EQ(report.preflight.size(), 1u);
  EXPECT_EQ(report.preflight[0],
            "127.0.0.1: prometheus: /usr/bin/prometheus is missing: install Debian's prometheus "
            "package on this host (apt-get install prometheus)");
}

TEST_F(DeployPlanTest, InSyncAndRunningChangesNothing) {
  for (const auto& s : cluster_.servers) facts_["/d" + std::to_string(s.id)] = deployed(s);
  DeployReport report;
  auto lines = plan_lines(report);
  ASSERT_EQ(report.outcome, DeployOutcome::ok);
  ASSERT_EQ(lines.size(), 2u);  // configure (idempotent) and the wait; no upload, start, restart
  EXPECT_EQ(lines[0],
            "install: 127.0.0.1: configure | 127.0.0.1: configure | 127.0.0.1: configure |");
  for (const auto& c : report.changes) {
    EXPECT_EQ(c.action, "none");
    EXPECT_FALSE(c.upload);
    EXPECT_TRUE(c.files.empty());
  }
}

TEST_F(DeployPlanTest, AChangedConfigRestartsThatServerWithTheReason) {
  for (const auto& s : cluster_.servers)
    facts_["/d" + std::to_string(s.id)] = deployed(s, s.id == 2 ? "zoo.cfg" : "");
  DeployReport report;
  auto lines = plan_lines(report);
  ASSERT_EQ(report.outcome, DeployOutcome::ok);
  ASSERT_EQ(report.stages.size(), 3u);
  EXPECT_EQ(report.stages[1].name, "restart");
  ASSERT_EQ(report.stages[1].jobs.size(), 1u);
  EXPECT_EQ(report.stages[1].jobs[0], "127.0.0.1: rolling restart (zoo.cfg changed)");
  EXPECT_NE(report.stages[1].order.find("leader last"), std::string::npos);
  EXPECT_EQ(report.changes[1].action, "restart");
  ASSERT_EQ(report.changes[1].files.size(), 1u);
  EXPECT_NE(report.changes[1].files[0].path.find("zoo.cfg"), std::string::npos);
}

TEST_F(DeployPlanTest, ARestartAnInterruptedDeployOwesIsDoneThoughNothingDiffers) {
  // Server 3's configs were written by a deploy cut off before its roll reached it: they match
  // the inventory now, but its install dir holds the mark (restart-pending.sh).
  for (const auto& s : cluster_.servers)
    facts_["/d" + std::to_string(s.id)] = deployed(s) + (s.id == 3 ? "restart_pending=1\n" : "");
  DeployReport report;
  auto lines = plan_lines(report);
  ASSERT_EQ(report.outcome, DeployOutcome::ok);
  ASSERT_EQ(report.stages.size(), 3u);
  EXPECT_EQ(report.stages[1].name, "restart");
  ASSERT_EQ(report.stages[1].jobs.size(), 1u);
  EXPECT_EQ(report.stages[1].jobs[0],
            "127.0.0.1: rolling restart (restart left undone by an interrupted deploy)");
  EXPECT_EQ(report.changes[2].action, "restart");
  EXPECT_TRUE(report.changes[2].files.empty());
  EXPECT_EQ(report.changes[0].action, "none");
}

TEST_F(DeployPlanTest, AnUnreachableHostStopsTheWholePlanBeforeAnyChange) {
  hosts_.unreachable = {"127.0.0.1"};
  DeployReport report;
  auto lines = plan_lines(report);
  EXPECT_EQ(report.outcome, DeployOutcome::preflight_failed);
  EXPECT_TRUE(lines.empty());
  ASSERT_FALSE(report.preflight.empty());
  EXPECT_NE(report.preflight[0].find("unreachable"), std::string::npos);
}

TEST_F(DeployPlanTest, AnotherClustersDataIsRefusedInPreflight) {
  for (const auto& s : cluster_.servers) facts_["/d" + std::to_string(s.id)] = deployed(s);
  facts_["/d3"] += "mark=other\n";
  runner::NullProgress progress;
  Context ctx(cluster_, options_, progress);
  DeployReport report = deploy(ctx, DeployMode::preflight_only);
  EXPECT_EQ(report.outcome, DeployOutcome::preflight_failed);
  ASSERT_FALSE(report.preflight.empty());
  EXPECT_NE(report.preflight[0].find("other"), std::string::npos) << report.preflight[0];
}

TEST_F(DeployPlanTest, AnOlderInstalledReleaseIsAnUpgradeRolledWithTheVersionsNamed) {
  every_server_runs("old", "3.7.2");
  DeployReport report;
  auto lines = plan_lines(report);
  ASSERT_EQ(report.outcome, DeployOutcome::ok)
      << (report.refusals.empty() ? "" : report.refusals[0]);
  ASSERT_EQ(report.stages.size(), 3u);
  EXPECT_EQ(report.stages[1].name, "restart");
  EXPECT_NE(report.stages[1].order.find("leader last"), std::string::npos);
  ASSERT_EQ(report.stages[1].jobs.size(), 3u);
  for (const auto& j : report.stages[1].jobs)
    EXPECT_EQ(j, "127.0.0.1: rolling restart (upgrade 3.7.2 -> 3.8.0)");
}

TEST_F(DeployPlanTest, ARunningServersOwedRestartIsMarkedOnceBeforeItsInstallSteps) {
  // An upgrade: each running server gets upload and configure, then its restart.
  every_server_runs("old", "3.7.2");
  std::mutex mu;
  std::vector<std::string> commands;
  hosts_.handler = [&](const std::string& command) {
    std::lock_guard lock(mu);
    commands.push_back(command);
    return answer(command);
  };
  options_.connector = hosts_.connector();
  options_.wait_timeout = std::chrono::seconds(1);  // the roll's gate: no server listens here
  runner::NullProgress progress;
  Context ctx(cluster_, options_, progress);
  DeployReport report = deploy(ctx, DeployMode::apply);
  EXPECT_EQ(report.uploaded, 3);
  for (const auto& s : cluster_.servers) {
    const auto set =
        remote::script_command(remote::scripts::host_restart_pending, {"set", s.install_dir});
    EXPECT_EQ(std::count(commands.begin(), commands.end(), set), 1) << s.install_dir;
  }
}

TEST_F(DeployPlanTest, ADowngradeToAnOlderMinorLineIsRefusedUnlessForced) {
  every_server_runs("new", "3.9.5");
  runner::NullProgress progress;
  Context ctx(cluster_, options_, progress);
  DeployReport refused = deploy(ctx, DeployMode::plan_only, Force::no);
  EXPECT_EQ(refused.outcome, DeployOutcome::refused);
  ASSERT_EQ(refused.refusals.size(), 3u);
  EXPECT_EQ(refused.refusals[0].rfind("127.0.0.1: downgrade 3.9.5 -> 3.8.0 goes back", 0), 0u)
      << refused.refusals[0];
  EXPECT_NE(refused.refusals[0].find("--force"), std::string::npos);
  EXPECT_TRUE(refused.stages.empty());
  Context forced_ctx(cluster_, options_, progress);
  DeployReport forced = deploy(forced_ctx, DeployMode::plan_only, Force::yes);
  ASSERT_EQ(forced.outcome, DeployOutcome::ok);
  ASSERT_EQ(forced.stages.size(), 3u);
  EXPECT_EQ(forced.stages[1].jobs[0], "127.0.0.1: rolling restart (downgrade 3.9.5 -> 3.8.0)");
}

}  // namespace
}  // namespace zkctl::ops
