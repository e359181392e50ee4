// Fuzz target for render::render_zookeeper_node (and render_zk_env on its own).
// The input is read by ByteReader (byte_reader.hpp) into a Cluster and a Server:
// hosts, ids, roles, ports, directories, four-letter words, extra zoo.cfg keys and
// values, each either a picked sample (valid or hostile) or raw bytes.
// Properties, when rendering succeeds:
//   zoo.cfg: every line is a comment or `key=...` with key [A-Za-z0-9._-]+; the line
//     count is what the values predict; dataDir, server.N and extra lines are exact;
//   myid: the id and a newline;
//   zookeeper-env.sh: every line is a comment or `export NAME=WORD`, and WORD reads
//     back (posix_words.hpp) as exactly the value zk_env_values() gave.
// It never crashes, whatever the values.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "byte_reader.hpp"
#include "fuzz_check.hpp"
#include "posix_words.hpp"
#include "render/zk_paths.hpp"
#include "render/zookeeper.hpp"

namespace {

namespace inventory = zkctl::inventory;
namespace render = zkctl::render;
using zkctl::fuzz::ByteReader;
using zkctl::fuzz::printable;

constexpr std::string_view kNames[] = {"seed", "prod-zk.eu1", "", "a b", "x\ny"};
constexpr std::string_view kHosts[] = {"node1",
                                       "zk2.example.net",
                                       "10.0.0.3",
                                       "::1",
                                       "fe80::1%eth0",
                                       "[::1]",
                                       "nn01",
                                       "a b",
                                       "h=x",
                                       "#x",
                                       "",
                                       "node1\nserver.9=evil:1:2",
                                       "h\\",
                                       "h\xc3\xa9",
                                       "h\r"};
constexpr std::string_view kDirs[] = {"/opt/zookeeper",
                                      "/var/lib/zookeeper",
                                      "/data/zk/",
                                      "/",
                                      "//",
                                      "relative",
                                      "",
                                      "/opt/my dir",
                                      "/opt/it's",
                                      "/x\\y",
                                      "/a\nb",
                                      "/$(reboot)",
                                      "/\xc3\xa9",
                                      "/a\tb"};
constexpr std::string_view kLogDirs[] = {"", "/txlog/zookeeper", "/", "/t\nx", "rel", "/t x"};
constexpr std::string_view kWords[] = {"srvr", "stat", "mntr", "ruok", "conf", "isro", "*",
                                       "envi", "wchs", "a,b",  "",     "x y",  "w\n",  "\\"};
constexpr std::string_view kKeys[] = {"autopurge.snapRetainCount",
                                      "maxClientCnxns",
                                      "snapCount",
                                      "metricsProvider.httpPort",
                                      "server.7",
                                      "dataDir",
                                      "tickTime",
                                      "peerType",
                                      "dynamicConfigFile",
                                      "a b",
                                      "",
                                      "a=b",
                                      "k\n",
                                      "4lw.commands.whitelist",
                                      "x-y_z.0",
                                      "#k"};
constexpr std::string_view kValues[] = {
    "3",   "true", "",    "a b", "x=y", "#", "\xc3\xa9", "a\\b", "v\nserver.9=evil:1:2",
    "v\r", "${x}", "'q'", "\t"};
constexpr std::string_view kFlags[] = {"",      "-Xss1m",   "-Da=b -Dc=d", "it's",
                                       "$HOME", "a\nb",     "\"q\"",       "`id`",
                                       "~/x",   "\xff\xfe", "#c",          "a\\"};

// `n` servers; each field a sample or raw bytes.
inventory::Cluster read_cluster(ByteReader& in) {
  inventory::Cluster c;
  // The open layout: the checks below read plaintext zoo.cfg's structure (secure rendering has
  // its own golden and unit tests).
  c.security.tls = false;
  c.security.authentication = inventory::Authentication::none;
  c.security.authorization = false;
  c.name = in.text(kNames);
  auto& z = c.zookeeper;
  z.tick_time_ms = in.integer(-2, 600001, 2000);
  z.init_limit = in.integer(-2, 100001, 10);
  z.sync_limit = in.integer(-2, 100001, 5);
  z.heap_mb = in.integer(-2, 5000, 512);
  if (const std::uint8_t w = in.byte(0x80); w < 0x80) {
    z.four_letter_words.clear();
    for (int i = 0; i < w % 8; ++i) z.four_letter_words.push_back(in.text(kWords));
  }
  const int n = in.byte(3) % 7;  // 0 servers: the node is never a member
  for (int i = 0; i < n; ++i) {
    inventory::Server s;
    s.host = in.text(kHosts);
    const std::uint8_t id = in.byte(0);
    s.id = id < 0xc0 ? i + 1 : id - 0xc1;  // mostly 1..n; else -1..62 (repeats, 0, -1)
    s.role = (in.byte(0) & 1) != 0 ? inventory::Role::observer : inventory::Role::voter;
    s.ports.client = in.integer(0, 65536, 2181);
    s.ports.peer = in.integer(0, 65536, 2888);
    s.ports.election = in.integer(0, 65536, 3888);
    s.ports.admin = in.integer(0, 65536, 0);
    s.install_dir = in.text(kDirs);
    s.data_dir = in.text(std::span(kDirs).subspan(1));
    s.data_log_dir = in.text(kLogDirs);
    c.servers.push_back(s);
  }
  const int extras = in.byte(0) % 6;
  for (int i = 0; i < extras; ++i) {
    std::string key = in.text(kKeys);
    z.extra_config.emplace_back(std::move(key), in.text(kValues));
  }
  return c;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    FUZZ_CHECK(nl != std::string_view::npos, "last line without a newline");
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// `^#` or `^[A-Za-z0-9._-]+=`, and nothing after it that a properties reader could
// take for a line break.
bool zoo_cfg_line_ok(std::string_view line) {
  if (line.find('\r') != std::string_view::npos) return false;
  if (line.starts_with('#')) return true;
  const auto eq = line.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  return std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(eq), key_char);
}

void check_zoo_cfg(const std::string& text, const render::ZooCfgValues& v) {
  const auto lines = lines_of(text);
  for (const auto line : lines) {
    FUZZ_CHECK(zoo_cfg_line_ok(line), "zoo.cfg line " + printable(line));
  }
  const std::size_t expected =
      1 + 4 + (v.data_log_dir.empty() ? 0 : 1) + 2 + (v.admin_port != 0 ? 2 : 1) +
      (v.role == inventory::Role::observer ? 1 : 0) + v.servers.size() + v.extra_config.size();
  FUZZ_CHECK(lines.size() == expected, "zoo.cfg has " + std::to_string(lines.size()) +
                                           " lines, expected " + std::to_string(expected) + ":\n" +
                                           printable(text));
  FUZZ_CHECK(std::find(lines.begin(), lines.end(), "dataDir=" + v.data_dir) != lines.end(),
             "no dataDir line for " + printable(v.data_dir));
  // server.N lines, in id order, then the extra lines, in inventory order, at the end.
  std::vector<std::string> servers;
  for (const auto& s : v.servers) {
    const bool bracket = s.host.find(':') != std::string::npos && !s.host.starts_with('[');
    servers.push_back("server." + std::to_string(s.id) + "=" +
                      (bracket ? "[" + s.host + "]" : s.host) + ":" + std::to_string(s.peer_port) +
                      ":" + std::to_string(s.election_port) +
                      (s.role == inventory::Role::observer ? ":observer" : ""));
  }
  std::size_t at = lines.size() - v.extra_config.size() - servers.size();
  for (const auto& want : servers) {
    FUZZ_CHECK(lines[at] == want,
               "zoo.cfg line " + printable(lines[at]) + ", expected " + printable(want));
    ++at;
  }
  for (const auto& [key, value] : v.extra_config) {
    FUZZ_CHECK(lines[at] == key + "=" + value, "zoo.cfg line " + printable(lines[at]) +
                                                   ", expected " + printable(key + "=" + value));
    ++at;
  }
}

void check_zk_env(const std::string& text, const render::ZkEnvValues& v) {
  std::map<std::string, std::string> want = {
      {"ZOO_LOG_DIR", v.log_dir},
      {"ZK_SERVER_HEAP", std::to_string(v.heap_mb)},
      {"SERVER_JVMFLAGS", v.server_jvmflags},
      {"ZOO_LOG4J_PROP", v.log4j_prop},
  };
  if (!v.java_home.empty()) want["JAVA_HOME"] = v.java_home;
  std::map<std::string, std::string> got;
  for (const auto line : lines_of(text)) {
    if (line.starts_with('#')) continue;
    constexpr std::string_view kExport = "export ";
    const auto eq = line.find('=');
    FUZZ_CHECK(line.starts_with(kExport) && eq != std::string_view::npos,
               "zookeeper-env.sh line " + printable(line));
    const std::string name(line.substr(kExport.size(), eq - kExport.size()));
    const auto words = zkctl::fuzz::literal_words(line.substr(eq + 1));
    FUZZ_CHECK(words && words->size() == 1,
               "zookeeper-env.sh value is not one literal word: " + printable(line));
    FUZZ_CHECK(got.emplace(name, (*words)[0]).second, "zookeeper-env.sh sets " + name + " twice");
  }
  for (const auto& [name, value] : want) {
    const auto it = got.find(name);
    FUZZ_CHECK(it != got.end(), "zookeeper-env.sh does not set " + name);
    FUZZ_CHECK(it->second == value,
               name + " reads back as " + printable(it->second) + ", expected " + printable(value));
  }
  FUZZ_CHECK(got.size() == want.size(), "zookeeper-env.sh sets an unexpected variable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  const inventory::Cluster cluster = read_cluster(in);

  // The node: a member (by index), or, with the flag, a copy with another id.
  const std::uint8_t pick = in.byte(0);
  inventory::Server node;
  if (!cluster.servers.empty()) node = cluster.servers[(pick & 0x7f) % cluster.servers.size()];
  if ((pick & 0x80) != 0) node.id += 1;

  const auto files = render::render_zookeeper_node(cluster, node);
  if (files) {
    FUZZ_CHECK(files->size() == 3,
               "render_zookeeper_node gave " + std::to_string(files->size()) + " files");
    const render::ZkPaths paths = render::zk_paths(node);
    const auto& zoo = (*files)[0];
    const auto& myid = (*files)[1];
    const auto& env = (*files)[2];
    FUZZ_CHECK(zoo.path == paths.zoo_cfg && myid.path == paths.myid && env.path == paths.env_file,
               "file paths " + printable(zoo.path) + " " + printable(myid.path) + " " +
                   printable(env.path));
    check_zoo_cfg(zoo.content, render::zoo_cfg_values(cluster, node));
    FUZZ_CHECK(myid.content == std::to_string(node.id) + "\n", "myid " + printable(myid.content));
    check_zk_env(env.content, render::zk_env_values(cluster, node));
  }

  // zookeeper-env.sh alone, with the values the inventory cannot set yet.
  render::ZkEnvValues env;
  env.log_dir = in.text(kDirs);
  env.heap_mb = in.integer(-1, 70000, 512);
  env.server_jvmflags = in.text(kFlags);
  env.log4j_prop = in.text(kFlags);
  env.java_home = in.text(kFlags);
  if (const auto text = render::render_zk_env(env)) check_zk_env(*text, env);
  return 0;
}
