#include "inventory/load.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using namespace test;  // inventory_builder.hpp

// A server's ports (client, peer, election, admin) and dirs (install, data, data log).
struct Layout {
  int client, peer, election, admin;
  std::string install, data, data_log;
};

// `s` has the ports and dirs of `want`.
void expect_layout(const Server& s, const Layout& want) {
  SCOPED_TRACE(s.host);
  EXPECT_EQ(s.ports.client, want.client);
  EXPECT_EQ(s.ports.peer, want.peer);
  EXPECT_EQ(s.ports.election, want.election);
  EXPECT_EQ(s.ports.admin, want.admin);
  EXPECT_EQ(s.install_dir, want.install);
  EXPECT_EQ(s.data_dir, want.data);
  EXPECT_EQ(s.data_log_dir, want.data_log);
}

// A valid three-voter inventory; tests edit it by line number (1-based).
const Lines& kBase = test::kThreeVoters;

// 1-based numbers of the lines of `text` that start with `prefix`.
std::vector<int> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<int> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.rfind(prefix, 0) == 0) out.push_back(n);
  return out;
}

class LoadTest : public test::InventoryTest {};

// ---- the shipped inventories ------------------------------------------------

TEST_F(LoadTest, SeedParsesToTheExpectedModel) {
  const fs::path seed = fs::path(ZKCTL_SOURCE_ROOT) / "inventories" / "seed.toml";
  const std::string text = read_text(seed);  // for line numbers
  const LoadResult r = load_shipped(seed, "seed.toml", {"apache-zookeeper-3.8.0-bin.tar.gz"});
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  // The seed's layout is open, and says so: its one warning.
  EXPECT_TRUE(
      HasWarnings(r, {"seed.toml:" + std::to_string(lines_starting_with(text, "[security]").at(0)) +
                      ":1: warning: [security] is open: no TLS, no authentication, no "
                      "authorization (every client can read and change everything)"}));
  EXPECT_EQ(errors(r), 0u);
  const Cluster& c = *r.cluster;
  EXPECT_TRUE(c.security.open());

  EXPECT_EQ(c.name, "seed");
  EXPECT_EQ(c.source_file, "seed.toml");
  EXPECT_EQ(c.ssh.user, "root");
  EXPECT_EQ(c.ssh.port, 22);
  EXPECT_EQ(c.ssh.identity_file, "/var/lib/zkctl-lab/id_ed25519");
  EXPECT_EQ(c.ssh.known_hosts_file, "/var/lib/zkctl-lab/known_hosts");
  EXPECT_EQ(c.ssh.connect_timeout_s, 10);
  EXPECT_EQ(c.ssh.command_timeout_s, 300);

  const ZooKeeperSettings& z = c.zookeeper;
  EXPECT_EQ(z.distribution, (dir_ / "apache-zookeeper-3.8.0-bin.tar.gz").string());
  EXPECT_EQ(z.distribution_pos.file, "seed.toml");
  EXPECT_EQ(z.distribution_pos.line, lines_starting_with(text, "distribution =").at(0));
  EXPECT_EQ(z.distribution_pos.col, 16);
  EXPECT_EQ(z.heap_mb, 256);
  EXPECT_EQ(z.tick_time_ms, 2000);
  EXPECT_EQ(z.init_limit, 10);
  EXPECT_EQ(z.sync_limit, 5);
  EXPECT_EQ(z.four_letter_words,
            (std::vector<std::string>{"srvr", "stat", "mntr", "ruok", "conf", "isro"}));
  using KV = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(z.extra_config,
            (KV{{"autopurge.snapRetainCount", "3"}, {"autopurge.purgeInterval", "24"}}));

  const std::vector<int> headers = lines_starting_with(text, "[[zookeeper.servers]]");
  ASSERT_EQ(c.servers.size(), 4u);
  ASSERT_EQ(headers.size(), 4u);
  const char* hosts[] = {"node1", "node2", "node3", "nn01"};
  for (size_t i = 0; i < 4; ++i) {
    const Server& s = c.servers[i];
    EXPECT_EQ(s.host, hosts[i]);
    EXPECT_EQ(s.id, static_cast<int>(i) + 1);
    EXPECT_EQ(s.role, i < 3 ? Role::voter : Role::observer);
    expect_layout(s, {2181, 2888, 3888, 0, "/opt/zookeeper", "/var/lib/zookeeper", ""});
    EXPECT_EQ(s.ssh.user, "root");
    EXPECT_EQ(s.ssh.port, 22);
    EXPECT_EQ(s.ssh.identity_file, "/var/lib/zkctl-lab/id_ed25519");
    EXPECT_EQ(s.ssh.known_hosts_file, "/var/lib/zkctl-lab/known_hosts");
    EXPECT_EQ(s.pos.file, "seed.toml");
    EXPECT_EQ(s.pos.line, headers[i]);
    EXPECT_EQ(s.pos.col, 1);
  }
  EXPECT_EQ(c.voters().size(), 3u);
  EXPECT_EQ(c.majority(), 2);
  ASSERT_NE(c.find("nn01"), nullptr);
  EXPECT_EQ(c.find("nn01")->id, 4);
}

TEST_F(LoadTest, ProductionExampleResolvesOverrides) {
  const fs::path file =
      fs::path(ZKCTL_SOURCE_ROOT) / "inventories" / "examples" / "production.toml";
  const std::string text = read_text(file);
  touch(dir_ / "dist" / "apache-zookeeper-3.8.4-bin.tar.gz");
  ::setenv("HOME", "/home/op", 1);
  const LoadResult r = load_string(text, "production.toml", dir_.string());
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const Cluster& c = *r.cluster;
  EXPECT_FALSE(c.security.open());  // examples stay secure by default
  EXPECT_TRUE(c.security.tls);
  EXPECT_EQ(c.ssh.identity_file, "/home/op/.ssh/zkctl_ed25519");
  ASSERT_EQ(c.servers.size(), 7u);
  EXPECT_EQ(c.voters().size(), 5u);
  EXPECT_EQ(
      c.zookeeper.four_letter_words,
      (std::vector<std::string>{"srvr", "stat", "mntr", "ruok", "conf", "isro", "envi", "wchs"}));

  const Server& zk4 = *c.find("zk4.eu1.example.net");
  EXPECT_EQ(zk4.data_dir, "/srv/zookeeper/data");
  EXPECT_EQ(zk4.data_log_dir, "/srv/zookeeper/txlog");
  EXPECT_EQ(zk4.ssh.port, 2222);
  EXPECT_EQ(zk4.ssh.user, "deploy");
  const Server& zk5 = *c.find("10.20.0.15");
  EXPECT_EQ(zk5.ssh.user, "zkadmin");
  EXPECT_EQ(zk5.data_log_dir, "/txlog/zookeeper");
  const Server& obs12 = c.servers[6];
  EXPECT_EQ(obs12.id, 12);
  EXPECT_EQ(obs12.role, Role::observer);
  EXPECT_EQ(obs12.ports.client, 2182);
  EXPECT_EQ(obs12.ports.peer, 2889);
  EXPECT_EQ(obs12.ports.election, 3889);
  EXPECT_EQ(obs12.ports.admin, 8082);
  EXPECT_EQ(obs12.install_dir, "/opt/zookeeper-12");
  EXPECT_EQ(c.servers[5].ports.admin, 8081);
  EXPECT_EQ(c.servers[0].ports.admin, 8080);
}

TEST_F(LoadTest, ProductionExampleWithoutTheTarballReportsOnlyThat) {
  const fs::path file =
      fs::path(ZKCTL_SOURCE_ROOT) / "inventories" / "examples" / "production.toml";
  const LoadResult r = load_string(read_text(file), "production.toml", dir_.string());
  EXPECT_FALSE(r.cluster.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_NE(r.diagnostics[0].message.find("does not exist"), std::string::npos) << dump(r);
}

// ---- files --------------------------------------------------------------------

TEST_F(LoadTest, LoadFileResolvesRelativePathsAgainstTheFilesDirectory) {
  const fs::path file = dir_ / "inv" / "lab.toml";
  fs::create_directories(file.parent_path());
  std::ofstream(file) << join(replace_line(kBase, 4, "distribution = \"../zk.tar.gz\""));
  const LoadResult r = load_file(file.string());
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->source_file, file.string());
  EXPECT_EQ(r.cluster->zookeeper.distribution, (dir_ / "zk.tar.gz").string());
  EXPECT_EQ(r.cluster->zookeeper.distribution_pos.file, file.string());
}

TEST_F(LoadTest, LoadFileReportsAnUnreadableFile) {
  const std::string path = (dir_ / "nope.toml").string();
  const LoadResult r = load_file(path);
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(HasDiag(r, path + ": error: cannot read the inventory: No such file or directory"));
}

TEST_F(LoadTest, DiagnosticWithoutPositionOmitsLineAndColumn) {
  Diagnostic d{Diagnostic::Severity::warning, SourcePos{"x.toml", 0, 0}, "hello"};
  EXPECT_EQ(d.str(), "x.toml: warning: hello");
  d.pos = SourcePos{"x.toml", 3, 4};
  d.severity = Diagnostic::Severity::error;
  EXPECT_EQ(d.str(), "x.toml:3:4: error: hello");
}

// ---- syntax, keys, types --------------------------------------------------------

TEST_F(LoadTest, TomlSyntaxError) {
  const LoadResult r = load({"[cluster]", "name = \"t\"", "name = \"u\""});
  EXPECT_FALSE(r.cluster.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:3:8: error: TOML syntax error while parsing key-value pair: "
                      "cannot redefine existing string 'name'"));
}

TEST_F(LoadTest, TomlSyntaxErrorStaysOnOneLine) {
  const LoadResult r = load({"[cluster]", "name = \"t", "\""});
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  const std::string s = r.diagnostics[0].str();
  EXPECT_EQ(s.rfind("inv.toml:2:", 0), 0u) << s;
  EXPECT_EQ(s.find('\n'), std::string::npos) << s;
}

TEST_F(LoadTest, UnknownKeysEverywhereWithSuggestions) {
  Lines l = kBase;
  l.push_back("[sssh]");                          // 14
  l.push_back("user = \"root\"");                 // 15
  l = insert_after(l, 6, {"clien_port = 2181"});  // 7; later lines shift by 1
  l = insert_after(l, 2, {"colour = \"red\""});   // 3; later lines shift by 1
  const LoadResult r = load(l);
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:3:1: error: unknown key 'colour' in [cluster]",
                    "inv.toml:8:1: error: unknown key 'clien_port' in [[zookeeper.servers]]; "
                    "did you mean 'client_port'?",
                    "inv.toml:16:2: error: unknown key 'sssh' at top level; did you mean 'ssh'?"}));
}

TEST_F(LoadTest, UnknownKeysInSshAndZooKeeper) {
  Lines l = insert_after(kBase, 4, {"data_dri = \"/x\""});
  l = insert_after(l, 0, {"[ssh]", "identity = \"k\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasDiag(r, "inv.toml:2:1: error: unknown key 'identity' in [ssh]"));
  EXPECT_TRUE(HasDiag(
      r, "inv.toml:7:1: error: unknown key 'data_dri' in [zookeeper]; did you mean 'data_dir'?"));
}

TEST_F(LoadTest, WrongTypes) {
  Lines l = insert_after(kBase, 4, {"client_port = \"2181\"", "heap_mb = 1.5", "install_dir = 5"});
  l = insert_after(l, 0, {"ssh = 3"});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:1:7: error: ssh: expected a table, got an integer",
          "inv.toml:6:15: error: zookeeper.client_port: expected an integer, got a string",
          "inv.toml:7:11: error: zookeeper.heap_mb: expected an integer, got a float",
          "inv.toml:8:15: error: zookeeper.install_dir: expected a string, got an integer"}));
}

TEST_F(LoadTest, ServersMustBeAnArrayOfTables) {
  const LoadResult r =
      load({"[cluster]", "name = \"t\"", "[zookeeper]", "distribution = \"zk.tar.gz\"",
            "[zookeeper.servers]", "host = \"a\""});
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:5:1: error: zookeeper.servers: expected an array of tables "
                      "([[zookeeper.servers]]), got a table"));
}

// ---- required keys ------------------------------------------------------------------

TEST_F(LoadTest, MissingClusterTable) {
  Lines l(kBase.begin() + 2, kBase.end());
  const LoadResult r = load(l);
  EXPECT_TRUE(HasDiag(r, "inv.toml:1:1: error: missing required table [cluster]"));
}

TEST_F(LoadTest, MissingClusterName) {
  Lines l = kBase;
  l.erase(l.begin() + 1);
  const LoadResult r = load(l);
  EXPECT_TRUE(HasOnlyError(r, "inv.toml:1:1: error: missing required key 'name' in [cluster]"));
}

TEST_F(LoadTest, MissingZooKeeperTable) {
  const LoadResult r = load({"[cluster]", "name = \"t\""});
  EXPECT_TRUE(HasDiag(r, "inv.toml:1:1: error: missing required table [zookeeper]"));
}

TEST_F(LoadTest, MissingDistribution) {
  Lines l = kBase;
  l.erase(l.begin() + 3);
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasOnlyError(r, "inv.toml:3:1: error: missing required key 'distribution' in [zookeeper]"));
}

TEST_F(LoadTest, MissingHostAndId) {
  Lines l = kBase;
  l.erase(l.begin() + 5, l.begin() + 7);  // server 1 keeps only its header (line 5)
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasErrors(r, {"inv.toml:5:1: error: missing required key 'host' in [[zookeeper.servers]]",
                    "inv.toml:5:1: error: missing required key 'id' in [[zookeeper.servers]]"}));
}

TEST_F(LoadTest, NoServers) {
  const LoadResult r = load(Lines(kBase.begin(), kBase.begin() + 4));
  EXPECT_TRUE(HasOnlyError(
      r, "inv.toml:3:1: error: no servers: add at least one [[zookeeper.servers]] entry"));
}

TEST_F(LoadTest, NoVoters) {
  Lines l = insert_after(kBase, 13, {"role = \"observer\""});
  l = insert_after(l, 10, {"role = \"observer\""});
  l = insert_after(l, 7, {"role = \"observer\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:5:1: error: no voters: every server is an observer; "
                           "at least one must have role = \"voter\""));
}

// ---- server values -------------------------------------------------------------------

TEST_F(LoadTest, IdOutsideRange) {
  Lines l = replace_line(kBase, 7, "id = 0");
  l = replace_line(l, 10, "id = 256");
  const LoadResult r = load(l);
  EXPECT_TRUE(HasDiag(r, "inv.toml:7:6: error: zookeeper.servers[0].id: 0 is outside 1..255"));
  EXPECT_TRUE(HasDiag(r, "inv.toml:10:6: error: zookeeper.servers[1].id: 256 is outside 1..255"));
}

TEST_F(LoadTest, DuplicateIdPointsAtTheSecondAndNamesTheFirst) {
  const LoadResult r = load(replace_line(kBase, 13, "id = 1"));
  EXPECT_TRUE(HasOnlyError(
      r, "inv.toml:13:6: error: duplicate server id 1: already used by server 'a' at line 5"));
}

TEST_F(LoadTest, SameHostWithTheSamePortsAndDataDir) {
  const LoadResult r =
      load(replace_line(kBase, 9, "host = \"A\""));  // host names compare case-insensitively
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:9:8: error: host 'A' install_dir '/opt/zookeeper' is already used "
          "by server id 1 (line 5) as its install_dir",
          "inv.toml:9:8: error: host 'A' already runs server id 1 (line 5) with the same ports: "
          "client_port 2181, peer_port 2888, election_port 3888; give one of them its own ports",
          "inv.toml:9:8: error: host 'A' data_dir '/var/lib/zookeeper' is already used by "
          "server id 1 (line 5) as its data_dir"}));
}

TEST_F(LoadTest, SameHostWithDistinctPortsAndDirsIsFine) {
  Lines l = replace_line(kBase, 9, "host = \"a\"");
  l = insert_after(l, 10,
                   {"client_port = 2182", "peer_port = 2889", "election_port = 3889",
                    "data_dir = \"/var/lib/zookeeper-2\"", "install_dir = \"/opt/zk-2\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(r.cluster.has_value()) << dump(r);
}

TEST_F(LoadTest, SameHostOverriddenPortCollision) {
  Lines l = replace_line(kBase, 9, "host = \"a\"");
  l = insert_after(l, 10,
                   {"client_port = 2182", "peer_port = 2889", "election_port = 2181",
                    "data_dir = \"/var/lib/zookeeper-2\"", "install_dir = \"/opt/zk-2\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:13:17: error: host 'a' port 2181 (election_port) is already used by "
                   "server id 1 (line 5) as its client_port"));
}

TEST_F(LoadTest, PeerAndElectionPortsOfOneServerMustDiffer) {
  const LoadResult r = load(insert_after(kBase, 7, {"election_port = 2888"}));
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:8:17: error: zookeeper.servers[0].election_port: 2888 equals peer_port of "
      "the same server; a server's ports must differ"));
}

TEST_F(LoadTest, DefaultPortsMustDifferAndAreReportedOnce) {
  const LoadResult r = load(insert_after(kBase, 4, {"peer_port = 3888"}));
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:5:13: error: zookeeper.election_port: 3888 equals zookeeper.peer_port; "
      "a server's ports must differ"));
}

TEST_F(LoadTest, PortsOutsideRange) {
  Lines l = insert_after(kBase, 7, {"client_port = 0", "admin_port = -1", "ssh_port = 65536"});
  l = insert_after(l, 4, {"peer_port = 70000"});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:5:13: error: zookeeper.peer_port: 70000 is outside 1..65535",
          "inv.toml:9:15: error: zookeeper.servers[0].client_port: 0 is outside 1..65535",
          "inv.toml:10:14: error: zookeeper.servers[0].admin_port: -1 is outside 0..65535 "
          "(0 turns the AdminServer off)",
          "inv.toml:11:12: error: zookeeper.servers[0].ssh_port: 65536 is outside 1..65535"}));
}

TEST_F(LoadTest, UnknownRole) {
  const LoadResult r = load(insert_after(kBase, 7, {"role = \"leader\""}));
  EXPECT_TRUE(
      HasOnlyError(r,
                   "inv.toml:8:8: error: zookeeper.servers[0].role: 'leader' is not a role; "
                   "expected 'voter' or 'observer'"));
}

TEST_F(LoadTest, RemoteDirectoriesMustBeAbsoluteAndSane) {
  Lines l = insert_after(
      kBase, 4, {"install_dir = \"opt/zk\"", "data_dir = \"/\"", "data_log_dir = \"/a/../b\""});
  l = insert_after(l, 10, {"data_dir = \"/x\\ny\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:5:15: error: zookeeper.install_dir: 'opt/zk' must be an absolute path "
          "(remote directory)",
          "inv.toml:6:12: error: zookeeper.data_dir: the root directory '/' is not a valid "
          "directory for ZooKeeper",
          "inv.toml:7:16: error: zookeeper.data_log_dir: '/a/../b' must not contain '..'",
          "inv.toml:11:12: error: zookeeper.servers[0].data_dir: '/x\\ny' contains a control "
          "character or backslash"}));
}

TEST_F(LoadTest, RemoteDirectoriesAreNormalized) {
  const LoadResult r =
      load(insert_after(kBase, 4, {"data_dir = \"/data//zk/\"", "install_dir = \"/opt/./zk\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->servers[0].data_dir, "/data/zk");
  EXPECT_EQ(r.cluster->servers[0].install_dir, "/opt/zk");
}

TEST_F(LoadTest, DistributionMustExistAndBeAFile) {
  LoadResult r = load(replace_line(kBase, 4, "distribution = \"nope.tar.gz\""));
  EXPECT_TRUE(HasDiag(r, "inv.toml:4:16: error: zookeeper.distribution: file '" +
                             (dir_ / "nope.tar.gz").string() + "' does not exist"));
  r = load(replace_line(kBase, 4, "distribution = \".\""));
  EXPECT_TRUE(HasDiag(r, "inv.toml:4:16: error: zookeeper.distribution: '" + dir_.string() +
                             "' is not a regular file"));
}

TEST_F(LoadTest, ClusterNameCharset) {
  const LoadResult r = load(replace_line(kBase, 2, "name = \"my cluster\""));
  EXPECT_TRUE(HasDiag(
      r,
      "inv.toml:2:8: error: cluster.name: 'my cluster' must be 1-64 characters from letters, "
      "digits, '_', '.', '-', not starting with '.' or '-'"));
}

TEST_F(LoadTest, HostsThatCouldInjectAreRejected) {
  // TOML source text of the value -> how the message shows it.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"node 1", "node 1"},
      {"node1;reboot", "node1;reboot"},
      {"$(id)", "$(id)"},
      {"a'b", "a'b"},
      {"a\\\"b", "a\"b"},
      {"node1\\nserver.9=x", "node1\\nserver.9=x"},
      {"-oProxyCommand=x", "-oProxyCommand=x"},
      {"a_b", "a_b"},
  };
  for (const auto& [source, shown] : cases) {
    const LoadResult r = load(replace_line(kBase, 6, "host = \"" + source + "\""));
    EXPECT_EQ(errors(r), 1u) << source << "\n" << dump(r);
    EXPECT_TRUE(HasDiag(r, "inv.toml:6:8: error: zookeeper.servers[0].host: '" + shown +
                               "' is not a valid host name, IPv4 or IPv6 address"));
  }
}

TEST_F(LoadTest, AddressesAreValidHosts) {
  Lines l = replace_line(kBase, 6, "host = \"10.231.0.11\"");
  l = replace_line(l, 9, "host = \"fe80::2\"");
  l = replace_line(l, 12, "host = \"zk3.lab.example\"");
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->servers[1].host, "fe80::2");
}

TEST_F(LoadTest, SshUserCharset) {
  Lines l = insert_after(kBase, 7, {"ssh_user = \"a;b\""});
  l = insert_after(l, 2, {"[ssh]", "user = \"Root\""});
  const LoadResult r = load(l);
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:4:8: error: ssh.user: 'Root' is not a valid user name ([a-z_][a-z0-9_-]*)",
          "inv.toml:10:12: error: zookeeper.servers[0].ssh_user: 'a;b' is not a valid user name "
          "([a-z_][a-z0-9_-]*)"}));
}

// ---- [zookeeper.config] -----------------------------------------------------------------

Lines with_config(const Lines& config) {
  Lines l = {"[zookeeper.config]"};
  l.insert(l.end(), config.begin(), config.end());
  return insert_after(kBase, 4, l);  // header at line 5, entries from line 6
}

TEST_F(LoadTest, ManagedConfigKeysAreErrors) {
  const LoadResult r = load(with_config({"dataDir = \"/x\"", "\"4lw.commands.whitelist\" = \"*\"",
                                         "\"server.1\" = \"a:2888:3888\"", "clientPort = 2182"}));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:6:1: error: zookeeper.config: 'dataDir' is managed by zkctl; set "
          "zookeeper.data_dir (or a server's data_dir) instead",
          "inv.toml:7:1: error: zookeeper.config: '4lw.commands.whitelist' is managed by zkctl; "
          "set zookeeper.four_letter_words, which adds words to zkctl's own instead",
          "inv.toml:8:1: error: zookeeper.config: 'server.1' is managed by zkctl; set "
          "[[zookeeper.servers]] instead",
          "inv.toml:9:1: error: zookeeper.config: 'clientPort' is managed by zkctl; set "
          "zookeeper.client_port (or a server's client_port) instead"}));
}

TEST_F(LoadTest, ConfigInjectionIsRejected) {
  const LoadResult r = load(with_config({
      "maxClientCnxns = \"60\\nserver.9=evil:1:2\"",  // 6
      "\"a\\nb\" = 1",                                // 7
      "\"bad key\" = 1",                              // 8
      "snapCount = \"1\\\\\"",                        // 9: a trailing backslash
      "preAllocSize = [1]",                           // 10
  }));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:6:18: error: zookeeper.config: key 'maxClientCnxns': value contains a control "
          "character (it would inject a line into zoo.cfg)",
          "inv.toml:7:1: error: zookeeper.config: key 'a\\nb' contains a control character "
          "(it would inject a line into zoo.cfg)",
          "inv.toml:8:1: error: zookeeper.config: key 'bad key' may contain only letters, digits, "
          "'.', '_' and '-'",
          "inv.toml:9:13: error: zookeeper.config: key 'snapCount': value contains '\\', which "
          "zoo.cfg (a Java properties file) treats as an escape",
          "inv.toml:10:16: error: zookeeper.config: key 'preAllocSize': expected a string, "
          "integer, boolean or float, got an array"}));
}

TEST_F(LoadTest, ConfigKeysKeepTheFileOrderAndRenderAsText) {
  const LoadResult r = load(with_config({
      "snapCount = 50000",
      "\"autopurge.snapRetainCount\" = 5",
      "syncEnabled = false",
      "maxClientCnxns = 100",
      "autopurge.purgeInterval = 12",  // dotted: nested tables, flattened back
      "\"snapshot.compression.method\" = \"snappy\"",
      "globalOutstandingLimit = 1000",
      "preAllocSize = 65536",
      "\"fsync.warningthresholdms\" = 1.5",
      "cnxTimeout = 5",
      "electionAlg = 3",
      "clientPortAddress = \"0.0.0.0\"",
      "quorumListenOnAllIPs = true",
  }));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  using KV = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(r.cluster->zookeeper.extra_config, (KV{{"snapCount", "50000"},
                                                   {"autopurge.snapRetainCount", "5"},
                                                   {"syncEnabled", "false"},
                                                   {"maxClientCnxns", "100"},
                                                   {"autopurge.purgeInterval", "12"},
                                                   {"snapshot.compression.method", "snappy"},
                                                   {"globalOutstandingLimit", "1000"},
                                                   {"preAllocSize", "65536"},
                                                   {"fsync.warningthresholdms", "1.5"},
                                                   {"cnxTimeout", "5"},
                                                   {"electionAlg", "3"},
                                                   {"clientPortAddress", "0.0.0.0"},
                                                   {"quorumListenOnAllIPs", "true"}}));
}

TEST_F(LoadTest, DottedAndQuotedSpellingsOfOneKeyConflict) {
  const LoadResult r =
      load(with_config({"autopurge.purgeInterval = 1", "\"autopurge.purgeInterval\" = 2"}));
  EXPECT_TRUE(
      HasDiag(r,
              "inv.toml:7:1: error: zookeeper.config: key 'autopurge.purgeInterval' is already set "
              "at line 6"));
}

TEST_F(LoadTest, UnknownConfigKeysAreWarningsWithSuggestions) {
  const LoadResult r = load(with_config(
      {"\"autopurge.purgeInterva\" = 24", "\"zookeeper.snapCount\" = 1", "myOwnFlag = true"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasWarnings(
      r,
      {"inv.toml:6:1: warning: zookeeper.config: 'autopurge.purgeInterva' is not a known "
       "ZooKeeper option (ZooKeeper would silently turn it into the Java system property "
       "'zookeeper.autopurge.purgeInterva'); did you mean 'autopurge.purgeInterval'?",
       "inv.toml:7:1: warning: zookeeper.config: 'zookeeper.snapCount' is not a known "
       "ZooKeeper option (ZooKeeper would silently turn it into the Java system property "
       "'zookeeper.zookeeper.snapCount'); did you mean 'snapCount'?",
       "inv.toml:8:1: warning: zookeeper.config: 'myOwnFlag' is not a known ZooKeeper option "
       "(ZooKeeper would silently turn it into the Java system property 'zookeeper.myOwnFlag')"}));
  // Passed through all the same.
  EXPECT_EQ(r.cluster->zookeeper.extra_config.size(), 3u);
}

TEST_F(LoadTest, ReconfigEnabledIsRefused) {
  const LoadResult r = load(with_config({"reconfigEnabled = true"}));
  ASSERT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(HasDiag(
      r,
      "inv.toml:6:1: error: zookeeper.config: reconfigEnabled=true lets ZooKeeper rewrite the "
      "zoo.cfg zkctl renders (dynamic configuration); zkctl changes membership with rolling "
      "config updates instead (README: scale out and in)"));
  EXPECT_TRUE(load(with_config({"reconfigEnabled = false"})).cluster.has_value());
}

// ---- four-letter words ----------------------------------------------------------------------

TEST_F(LoadTest, FourLetterWordsAreAddedToTheManagedOnes) {
  const LoadResult r = load(
      insert_after(kBase, 4, {"four_letter_words = [\"envi\", \"srvr\", \"wchs\", \"envi\"]"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(
      r.cluster->zookeeper.four_letter_words,
      (std::vector<std::string>{"srvr", "stat", "mntr", "ruok", "conf", "isro", "envi", "wchs"}));
}

TEST_F(LoadTest, FourLetterWordsStarEnablesAll) {
  const LoadResult r = load(insert_after(kBase, 4, {"four_letter_words = [\"envi\", \"*\"]"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->zookeeper.four_letter_words, (std::vector<std::string>{"*"}));
}

TEST_F(LoadTest, UnknownFourLetterWord) {
  const LoadResult r = load(insert_after(kBase, 4, {"four_letter_words = [\"envy\"]"}));
  EXPECT_TRUE(HasDiag(
      r,
      "inv.toml:5:22: error: zookeeper.four_letter_words[0]: 'envy' is not a four-letter word "
      "ZooKeeper knows; did you mean 'envi'?"));
}

// ---- voter warnings ------------------------------------------------------------------------

TEST_F(LoadTest, EvenNumberOfVotersWarns) {
  Lines l = kBase;
  l.insert(l.end(), {"[[zookeeper.servers]]", "host = \"d\"", "id = 4"});
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:5:1: warning: 4 voters tolerate no more failures than 3; "
                      "use an odd number of voters"));
}

TEST_F(LoadTest, FewerThanThreeVotersWarns) {
  LoadResult r = load(insert_after(kBase, 13, {"role = \"observer\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:5:1: warning: 2 voters: no server failure will be tolerated; "
                      "use at least 3 voters",
                      "inv.toml:5:1: warning: 2 voters tolerate no more failures than 1; "
                      "use an odd number of voters"}));

  r = load(Lines(kBase.begin(), kBase.begin() + 7));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(
      HasWarnings(r, {"inv.toml:5:1: warning: 1 voter: no server failure will be tolerated; "
                      "use at least 3 voters"}));
}

// ---- resolution ------------------------------------------------------------------------------

TEST_F(LoadTest, PerServerOverridesWinOverClusterDefaults) {
  Lines l = insert_after(kBase, 7,
                         {
                             "client_port = 12181",
                             "peer_port = 12888",
                             "election_port = 13888",
                             "admin_port = 18080",
                             "install_dir = \"/srv/zk\"",
                             "data_dir = \"/srv/zk-data\"",
                             "data_log_dir = \"/srv/zk-log\"",
                             "ssh_user = \"zk\"",
                             "ssh_port = 2222",
                         });
  l = insert_after(l, 4, {"client_port = 2281", "data_log_dir = \"/txlog\"", "admin_port = 8080"});
  l = insert_after(
      l, 0,
      {"[ssh]", "user = \"ops\"", "port = 2200", "connect_timeout = 3", "command_timeout = 60"});
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  const Server& a = r.cluster->servers[0];
  expect_layout(a, {12181, 12888, 13888, 18080, "/srv/zk", "/srv/zk-data", "/srv/zk-log"});
  EXPECT_EQ(a.ssh.user, "zk");
  EXPECT_EQ(a.ssh.port, 2222);
  EXPECT_EQ(a.ssh.connect_timeout_s, 3);
  EXPECT_EQ(a.ssh.command_timeout_s, 60);
  const Server& b = r.cluster->servers[1];
  expect_layout(b, {2281, 2888, 3888, 8080, "/opt/zookeeper", "/var/lib/zookeeper", "/txlog"});
  EXPECT_EQ(b.ssh.user, "ops");
  EXPECT_EQ(b.ssh.port, 2200);
  EXPECT_EQ(r.cluster->ssh.user, "ops");
}

TEST_F(LoadTest, LocalPathsExpandTildeAndResolveRelativeToTheInventory) {
  ::setenv("HOME", "/home/op", 1);
  const LoadResult r = load(insert_after(
      kBase, 0, {"[ssh]", "identity_file = \"~/.ssh/id\"", "known_hosts = \"lab/known_hosts\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->ssh.identity_file, "/home/op/.ssh/id");
  EXPECT_EQ(r.cluster->ssh.known_hosts_file, (dir_ / "lab" / "known_hosts").string());
  EXPECT_EQ(r.cluster->servers[2].ssh.identity_file, "/home/op/.ssh/id");
}

TEST_F(LoadTest, EveryErrorIsCollectedInFileOrder) {
  Lines l = replace_line(kBase, 13, "id = 300");  // 13
  l = replace_line(l, 9, "host = \"b c\"");       // 9
  l = replace_line(l, 2, "name = \"a/b\"");       // 2
  const LoadResult r = load(l);
  EXPECT_FALSE(r.cluster.has_value());
  ASSERT_EQ(r.diagnostics.size(), 3u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].pos.line, 2);
  EXPECT_EQ(r.diagnostics[1].pos.line, 9);
  EXPECT_EQ(r.diagnostics[2].pos.line, 13);
}

}  // namespace
}  // namespace zkctl::inventory
