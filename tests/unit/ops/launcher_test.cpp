// The launcher and service-user choices of deploy's steps: which remote commands
// start, stop and settle a node under each launcher (a recording Remote), the
// pre-flight problems of [service] and [java], and the java version parsing.

#include "ops/host/launcher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ops/host/java.hpp"
#include "ops/kafka/host.hpp"
#include "ops/zookeeper/host.hpp"
#include "render/rendered_file.hpp"

namespace zkctl::ops {
namespace {

// Records every command; answers each with exit 0 and `answer`.
class RecordingRemote : public remote::Remote {
 public:
  std::vector<std::string> commands;
  std::string answer = "pid=4242\nstopped\n";

  const std::string& host() const override { return host_; }
  util::Result<remote::CommandResult> run(const std::string& command,
                                          std::chrono::seconds) override {
    commands.push_back(command);
    return remote::CommandResult{0, answer, ""};
  }
  util::Result<void> upload_file(const std::string&, const std::string&, int,
                                 const remote::ProgressFn&) override {
    return util::fail("not in this fake");
  }
  std::vector<std::string> written;  // paths write_file wrote (as root, over SFTP)
  util::Result<void> write_file(const std::string&, const std::string& path, int) override {
    written.push_back(path);
    return {};
  }
  util::Result<std::unique_ptr<remote::Stream>> open_tcp(const std::string&, int) override {
    return util::fail("not in this fake");
  }

 private:
  std::string host_ = "node1";
};

CommonFacts facts(const std::string& pid1, bool user_exists) {
  CommonFacts f;
  f.pid1 = pid1;
  f.user_exists = user_exists;
  return f;
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

inventory::ServiceSettings service(inventory::Launcher l, const std::string& user = "root") {
  inventory::ServiceSettings s;
  s.launcher = l;
  s.user = user;
  s.cluster = "prod";
  return s;
}

inventory::Server server(inventory::Launcher l, const std::string& user = "root") {
  inventory::Server s;
  s.host = "node1";
  s.id = 1;
  s.install_dir = "/opt/zookeeper";
  s.data_dir = "/var/lib/zookeeper";
  s.service = service(l, user);
  return s;
}

inventory::KafkaNode kafka_node(inventory::Launcher l) {
  inventory::KafkaNode n;
  n.host = "node1";
  n.id = 11;
  n.install_dir = "/opt/kafka";
  n.log_dirs = {"/var/lib/kafka/data"};
  n.service = service(l);
  return n;
}

constexpr auto kT = std::chrono::seconds(5);

TEST(Launcher, SystemdStartsStopsAndFindsZooKeeperWithSystemctl) {
  RecordingRemote r;
  const auto s = server(inventory::Launcher::systemd);
  auto pid = start_server(r, s, kT);
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  EXPECT_EQ(*pid, 4242);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_TRUE(has(r.commands[0], "systemctl start")) << r.commands[0];
  EXPECT_TRUE(has(r.commands[0], "zkctl-prod-zookeeper.service")) << r.commands[0];
  EXPECT_FALSE(has(r.commands[0], "zkServer.sh")) << r.commands[0];

  auto stopped = stop_server(r, s, kT, kT);
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(*stopped);
  EXPECT_TRUE(has(r.commands[1], "systemctl stop")) << r.commands[1];
  EXPECT_FALSE(has(r.commands[1], "kill -TERM")) << r.commands[1];

  auto p = server_pid(r, s, kT);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(has(r.commands[2], "MainPID")) << r.commands[2];
}

TEST(Launcher, RemoveUnitDisablesAndDeletesTheUnitFile) {
  RecordingRemote r;
  r.answer = "removed\n";
  auto removed = remove_unit(r, "zkctl-prod-zookeeper.service", kT);
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_TRUE(*removed);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_TRUE(has(r.commands[0], "systemctl disable")) << r.commands[0];
  EXPECT_TRUE(has(r.commands[0], "/etc/systemd/system/zkctl-prod-zookeeper.service"))
      << r.commands[0];
  r.answer = "absent\n";
  removed = remove_unit(r, "zkctl-prod-zookeeper.service", kT);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(*removed);
}

TEST(Launcher, ScriptsStartZooKeeperWithZkServerShAsTheServiceUser) {
  RecordingRemote r;
  auto pid = start_server(r, server(inventory::Launcher::scripts, "zookeeper"), kT);
  ASSERT_TRUE(pid.ok());
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_TRUE(has(r.commands[0], "as_user \"$user\" \"$install/current/bin/zkServer.sh\" start"))
      << r.commands[0];
  EXPECT_TRUE(has(r.commands[0], "setpriv")) << r.commands[0];
  EXPECT_TRUE(r.commands[0].ends_with(" zookeeper")) << r.commands[0];  // the user argument
  EXPECT_FALSE(has(r.commands[0], "systemctl start")) << r.commands[0];

  auto stopped = stop_server(r, server(inventory::Launcher::scripts), kT, kT);
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(has(r.commands[1], "kill -TERM")) << r.commands[1];
}

TEST(Launcher, SystemdStartsAndStopsKafkaWithSystemctl) {
  RecordingRemote r;
  const auto n = kafka_node(inventory::Launcher::systemd);
  ASSERT_TRUE(start_kafka(r, n, kT).ok());
  EXPECT_TRUE(has(r.commands[0], "systemctl start")) << r.commands[0];
  EXPECT_TRUE(has(r.commands[0], "zkctl-prod-kafka.service")) << r.commands[0];
  EXPECT_FALSE(has(r.commands[0], "kafka-server-start.sh")) << r.commands[0];
  ASSERT_TRUE(stop_kafka(r, n, kT, kT).ok());
  EXPECT_TRUE(has(r.commands[1], "systemctl stop")) << r.commands[1];

  RecordingRemote s;
  ASSERT_TRUE(start_kafka(s, kafka_node(inventory::Launcher::scripts), kT).ok());
  EXPECT_TRUE(has(s.commands[0], "kafka-server-start.sh\" -daemon")) << s.commands[0];
}

TEST(Launcher, SettleMakesConfigsRootsAndEnablesTheUnitOnlyWithSystemd) {
  std::vector<render::RenderedFile> files = {
      {.path = "/opt/zookeeper/conf/zoo.cfg",
       .content = "",
       .mode = 0640,
       .owner = render::FileOwner::root_service},
      {.path = "/opt/zookeeper/conf/zookeeper-env.sh", .content = "", .mode = 0644},
      {.path = "/var/lib/zookeeper/myid",
       .content = "",
       .mode = 0644,
       .owner = render::FileOwner::service},
      {.path = "/etc/systemd/system/zkctl-prod-zookeeper.service", .content = "", .mode = 0644}};
  RecordingRemote r;
  ASSERT_TRUE(settle_service(r, service(inventory::Launcher::systemd, "zk"),
                             render::Product::zookeeper, files, kT)
                  .ok());
  ASSERT_EQ(r.commands.size(), 2u);
  // No dir here (NDIRS 0); each config root's with its mode, a secret with the service's group.
  EXPECT_TRUE(
      r.commands[0].ends_with(" zkctl zk 0 group 640 /opt/zookeeper/conf/zoo.cfg root 644 "
                              "/opt/zookeeper/conf/zookeeper-env.sh root 644 "
                              "/etc/systemd/system/zkctl-prod-zookeeper.service"))
      << r.commands[0];
  EXPECT_FALSE(has(r.commands[0], "myid")) << "in the data dir, written as the service user";
  EXPECT_TRUE(has(r.commands[1], "systemctl daemon-reload")) << r.commands[1];
  EXPECT_TRUE(has(r.commands[1], "systemctl enable")) << r.commands[1];
  EXPECT_TRUE(has(r.commands[1], "zkctl-prod-zookeeper.service")) << r.commands[1];

  RecordingRemote s;
  ASSERT_TRUE(settle_service(s, service(inventory::Launcher::scripts, "zk"),
                             render::Product::zookeeper, files, kT)
                  .ok());
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_FALSE(has(s.commands[0], "systemctl enable")) << s.commands[0];
  EXPECT_FALSE(has(s.commands[0], "daemon-reload")) << s.commands[0];
}

TEST(Launcher, OwnDirsChownsRecursivelyWithoutFollowingLinks) {
  RecordingRemote r;
  ASSERT_TRUE(own_dirs(r, "zk", {"/var/lib/zookeeper", "", "/opt/zookeeper/logs"}, kT).ok());
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_TRUE(has(r.commands[0], "chown -R -P")) << r.commands[0];
  EXPECT_TRUE(r.commands[0].ends_with(" zkctl zk 3 /var/lib/zookeeper '' /opt/zookeeper/logs"))
      << r.commands[0];
}

TEST(Launcher, FilesInTheServicesDirsAreWrittenAsTheServiceUser) {
  const render::RenderedFile cfg{.path = "/opt/zookeeper/conf/zoo.cfg", .content = "x=1\n"};
  const render::RenderedFile myid{.path = "/var/lib/zookeeper/myid",
                                  .content = "1\n",
                                  .mode = 0644,
                                  .owner = render::FileOwner::service};
  RecordingRemote r;
  ASSERT_TRUE(write_files(r, "zk", {&cfg, &myid}, kT).ok());
  EXPECT_EQ(r.written, std::vector<std::string>{"/opt/zookeeper/conf/zoo.cfg"});
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_TRUE(has(r.commands[0], "setpriv")) << r.commands[0];
  EXPECT_TRUE(has(r.commands[0], "mv -f -T")) << r.commands[0];
  EXPECT_TRUE(r.commands[0].ends_with(" zkctl zk /var/lib/zookeeper/myid 644 '1\n'"))
      << r.commands[0];
}

TEST(Launcher, KafkaEnvIsSourcedByTheServiceUsersShellNeverByRoot) {
  RecordingRemote r;
  ASSERT_TRUE(start_kafka(r, kafka_node(inventory::Launcher::scripts), kT).ok());
  ASSERT_TRUE(format_kafka_storage(r, kafka_node(inventory::Launcher::scripts), "id", kT).ok());
  for (const auto& c : r.commands) {
    EXPECT_TRUE(has(c, "env_as_user \"$user\" \"$env\"")) << c;
    EXPECT_FALSE(has(c, "\n. \"$env\"")) << c;
  }
}

TEST(Launcher, PreflightWantsSystemdAsPid1AndAnExistingUser) {
  auto p = service_problems(service(inventory::Launcher::systemd), facts("sshd", true));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(has(p[0], "PID 1 on this host is 'sshd', not systemd")) << p[0];
  EXPECT_TRUE(
      service_problems(service(inventory::Launcher::systemd), facts("systemd", true)).empty());
  EXPECT_TRUE(service_problems(service(inventory::Launcher::scripts), facts("sshd", true)).empty());
  auto u = service_problems(service(inventory::Launcher::scripts, "zk"), facts("sshd", false));
  ASSERT_EQ(u.size(), 1u);
  EXPECT_TRUE(has(u[0], "service user 'zk' does not exist")) << u[0];
}

TEST(Launcher, InspectFactsCarryPid1UserAndPushedJdk) {
  auto f =
      parse_facts("pid1=sshd\nnouser=1\njrelease=abc\n", server(inventory::Launcher::scripts), {});
  EXPECT_EQ(f.pid1, "sshd");
  EXPECT_FALSE(f.user_exists);
  EXPECT_EQ(f.java_release_sha256, "abc");
  auto k = parse_kafka_facts("pid1=systemd\njrelease=def\n");
  EXPECT_EQ(k.pid1, "systemd");
  EXPECT_TRUE(k.user_exists);
  EXPECT_EQ(k.java_release_sha256, "def");
}

TEST(Java, MajorVersionFromJavaVersionLine) {
  EXPECT_EQ(java_major("openjdk version \"17.0.15\" 2025-04-15"), 17);
  EXPECT_EQ(java_major("java version \"1.8.0_392\""), 8);
  EXPECT_EQ(java_major("openjdk version \"21\" 2023-09-19"), 21);
  EXPECT_EQ(java_major("openjdk version \"11.0.2\" 2019-01-15 LTS"), 11);
  EXPECT_EQ(java_major("java (unknown version)"), 0);
}

TEST(Java, KafkaNeedsJava17From4) {
  EXPECT_EQ(java_need(render::Product::kafka, {4, 1, 0, "4.1.0"}).min_major, 17);
  EXPECT_EQ(java_need(render::Product::kafka, {3, 9, 2, "3.9.2"}).min_major, 8);
}

TEST(Java, ProblemsNameTheFix) {
  auto missing = java_problem("", 8, "ZooKeeper 3.8");
  ASSERT_TRUE(missing);
  EXPECT_TRUE(has(*missing, "java not found in PATH")) << *missing;
  EXPECT_TRUE(has(*missing, "apt-get install openjdk-17-jre-headless")) << *missing;
  EXPECT_TRUE(has(*missing, "[java] distribution")) << *missing;
  auto old = java_problem("openjdk version \"11.0.2\"", 17, "Kafka 4.x");
  ASSERT_TRUE(old);
  EXPECT_TRUE(has(*old, "too old")) << *old;
  EXPECT_TRUE(has(*old, "needs Java 17")) << *old;
  EXPECT_FALSE(java_problem("openjdk version \"17.0.15\"", 17, "Kafka 4.x"));
  EXPECT_FALSE(java_problem("java version \"1.8.0_392\"", 8, "ZooKeeper 3.8"));
}

TEST(Java, PushedJdkNeedsNoSystemJava) {
  auto s = server(inventory::Launcher::scripts);
  HostFacts none;  // no java on PATH
  auto without = preflight_problems(s, none, JavaNeed{8, "ZooKeeper 3.8.0"});
  ASSERT_EQ(without.size(), 1u);
  EXPECT_TRUE(has(without[0], "java not found")) << without[0];
  s.java_home = "/opt/zookeeper/java/current";
  EXPECT_TRUE(preflight_problems(s, none, JavaNeed{8, "ZooKeeper 3.8.0"}).empty());

  auto n = kafka_node(inventory::Launcher::scripts);
  KafkaFacts old;
  old.java_version = "openjdk version \"11.0.2\"";
  EXPECT_EQ(kafka_preflight_problems(n, old, "", JavaNeed{17, "Kafka 4.4.0"}).size(), 1u);
  n.java_home = "/opt/kafka/java/current";
  EXPECT_TRUE(kafka_preflight_problems(n, old, "", JavaNeed{17, "Kafka 4.4.0"}).empty());
}

TEST(Java, ReleaseFileMajor) {
  EXPECT_EQ(release_file_major("IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n"), 17);
  EXPECT_EQ(release_file_major("JAVA_VERSION=\"1.8.0_392\"\n"), 8);
  EXPECT_EQ(release_file_major("JAVA_VERSION=\"21\"\n"), 21);
  EXPECT_EQ(release_file_major("IMPLEMENTOR_JAVA_VERSION=\"99\"\n"), 0);
  EXPECT_EQ(release_file_major("nothing here"), 0);
}

TEST(Java, JdkMajorFromADirectoryOrATarball) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zkctl-jdk-rel-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "jdk-11/bin");
  std::ofstream(dir / "jdk-11/release") << "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"11.0.2\"\n";
  std::ofstream(dir / "jdk-11/bin/release") << "JAVA_VERSION=\"99\"\n";  // not the top one
  auto from_dir = jdk_major((dir / "jdk-11").string());
  ASSERT_TRUE(from_dir.ok()) << from_dir.error().message;
  EXPECT_EQ(*from_dir, 11);
  const std::string tar =
      "tar -czf '" + (dir / "jdk.tgz").string() + "' -C '" + dir.string() + "' jdk-11";
  ASSERT_EQ(std::system(tar.c_str()), 0);
  auto from_tarball = jdk_major((dir / "jdk.tgz").string());
  ASSERT_TRUE(from_tarball.ok()) << from_tarball.error().message;
  EXPECT_EQ(*from_tarball, 11);
  fs::remove(dir / "jdk-11/release");
  EXPECT_FALSE(jdk_major((dir / "jdk-11").string()).ok());
  fs::remove_all(dir);
}

TEST(Java, DirectoryIsPackedReproduciblyAndRemovedAfterUse) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zkctl-jdk-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "jdk/bin");
  std::ofstream(dir / "jdk/bin/java") << "#!/bin/sh\n";
  std::ofstream(dir / "elsewhere.cfg") << "cfg\n";
  fs::create_symlink(dir / "elsewhere.cfg", dir / "jdk/jvm.cfg");  // followed: self-contained
  fs::create_symlink(dir / "missing", dir / "jdk/docs");           // dangling: skipped
  std::string first_path;
  std::string first_sha;
  {
    auto a = prepare_jdk((dir / "jdk").string());
    ASSERT_TRUE(a.ok()) << a.error().message;
    first_path = a->tarball();
    first_sha = a->sha256();
    EXPECT_TRUE(fs::exists(first_path));
    const std::string list = "tar -tvzf '" + first_path + "' > '" + (dir / "list").string() + "'";
    ASSERT_EQ(std::system(list.c_str()), 0);
    std::ifstream in(dir / "list");
    std::string listing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(listing.find("jdk/bin/java"), std::string::npos) << listing;
    EXPECT_NE(listing.find("-rw"), std::string::npos) << listing;
    EXPECT_EQ(listing.find("jdk/jvm.cfg ->"), std::string::npos) << "links are followed";
    auto b = prepare_jdk((dir / "jdk").string());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->sha256(), first_sha) << "the same directory packs to the same bytes";
  }
  EXPECT_FALSE(fs::exists(first_path)) << "temporary tarball removed";
  auto tarball = prepare_jdk((dir / "elsewhere.cfg").string());
  ASSERT_TRUE(tarball.ok());
  EXPECT_EQ(tarball->tarball(), (dir / "elsewhere.cfg").string());
  tarball = util::fail("release");  // a given tarball is never removed
  EXPECT_TRUE(fs::exists(dir / "elsewhere.cfg"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace zkctl::ops
