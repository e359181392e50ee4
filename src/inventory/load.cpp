// The loader's entry points and the cluster-wide tables ([cluster], [ssh],
// [service], [java]); the products' sections are in load_zookeeper.cpp and
// load_kafka.cpp, [security] in load_security.cpp, what every node shares in
// load_node.cpp.

#include "inventory/load.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "inventory/load_sections.hpp"
#include "inventory/validate.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using detail::Reader;
using detail::show;

// Keys each table accepts; the order is the documentation order.
const std::vector<std::string_view> kRootKeys = {
    "cluster", "ssh", "service", "java", "zookeeper", "kafka", "security", "metrics", "monitoring"};
const std::vector<std::string_view> kServiceKeys = {"launcher", "user"};
const std::vector<std::string_view> kJavaKeys = {"distribution"};
const std::vector<std::string_view> kClusterKeys = {"name"};
const std::vector<std::string_view> kSshKeys = {
    "user",        "port",   "identity_file",   "config_file",
    "known_hosts", "become", "connect_timeout", "command_timeout"};

void load_cluster(Reader& r, const toml::table& root, Cluster& c) {
  const toml::table* t = r.read_table(root, "cluster", "cluster");
  if (t == nullptr) {
    if (root.get("cluster") == nullptr) r.error(r.file_start(), "missing required table [cluster]");
    return;
  }
  r.check_keys(*t, "in [cluster]", kClusterKeys);
  auto name = r.read_string(*t, "name", "cluster.name");
  if (!name) {
    if (t->get("name") == nullptr) r.error(r.at(*t), "missing required key 'name' in [cluster]");
    return;
  }
  if (!is_valid_cluster_name(*name)) {
    r.error(r.at(*t->get("name")),
            "cluster.name: " + show(*name) +
                " must be 1-64 characters from letters, digits, '_', '.', '-', not starting "
                "with '.' or '-'");
    return;
  }
  c.name = *name;
}

void load_ssh(Reader& r, const toml::table& root, Cluster& c) {
  const toml::table* t = r.read_table(root, "ssh", "ssh");
  if (t == nullptr) return;
  r.check_keys(*t, "in [ssh]", kSshKeys);
  SshSettings& s = c.ssh;
  if (auto user = r.read_user(*t, "user", "ssh.user")) s.user = *user;
  if (auto v = r.read_port(*t, "port", "ssh.port")) s.port = *v;
  if (auto v = r.read_local_path(*t, "identity_file", "ssh.identity_file")) s.identity_file = *v;
  if (auto v = r.read_local_path(*t, "known_hosts", "ssh.known_hosts")) s.known_hosts_file = *v;
  if (auto v = r.read_local_path(*t, "config_file", "ssh.config_file")) {
    std::error_code ec;
    if (v->empty() || t->get("config_file")->value_or(std::string()) == "none")
      s.config_file = "none";
    else if (!fs::is_regular_file(*v, ec))
      r.error(r.at(*t->get("config_file")),
              "ssh.config_file: " + show(*v) + " is not a file (\"none\": read no ssh config)");
    else
      s.config_file = *v;
  }
  if (auto v = r.read_become(*t, "become", "ssh.become")) s.become = *v;
  if (auto v = r.read_int(*t, "connect_timeout", "ssh.connect_timeout", 1, 3600))
    s.connect_timeout_s = *v;
  if (auto v = r.read_int(*t, "command_timeout", "ssh.command_timeout", 1, 86400))
    s.command_timeout_s = *v;
}

void load_service(Reader& r, const toml::table& root, Cluster& c) {
  const toml::table* t = r.read_table(root, "service", "service");
  if (t == nullptr) return;
  r.check_keys(*t, "in [service]", kServiceKeys);
  if (auto v = r.read_string(*t, "launcher", "service.launcher")) {
    if (*v == "systemd") {
      c.service.launcher = Launcher::systemd;
    } else if (*v != "scripts") {
      r.error(r.at(*t->get("launcher")),
              "service.launcher: " + show(*v) + " must be \"scripts\" or \"systemd\"");
    }
  }
  if (auto user = r.read_user(*t, "user", "service.user")) c.service.user = *user;
}

void load_java(Reader& r, const toml::table& root, Cluster& c) {
  const toml::table* t = r.read_table(root, "java", "java");
  if (t == nullptr) return;
  r.check_keys(*t, "in [java]", kJavaKeys);
  auto dist = r.read_local_path(*t, "distribution", "java.distribution");
  if (!dist || dist->empty()) return;
  const toml::node& n = *t->get("distribution");
  std::error_code ec;
  if (!fs::is_regular_file(*dist, ec) && !fs::is_directory(*dist, ec)) {
    r.error(r.at(n), "java.distribution: " + show(*dist) +
                         " is neither a JDK tarball nor a JDK directory on this machine");
    return;
  }
  if (fs::is_directory(*dist, ec) && !fs::exists(fs::path(*dist) / "bin" / "java", ec)) {
    r.error(r.at(n), "java.distribution: directory " + show(*dist) + " has no bin/java");
    return;
  }
  c.java.distribution = *dist;
  c.java.distribution_pos = r.at(n);
}

// Every node gets [service] and, with [java], its pushed JAVA_HOME; a host's second and later
// node of a product (inventory order) a unit name of its own, so the first keeps the plain one.
void resolve_service(Cluster& c) {
  c.service.cluster = c.name;
  const bool pushed = !c.java.distribution.empty();
  std::set<std::string> seen;  // "<product>/<host>"
  auto resolve = [&](Node& n, const std::string& product) {
    n.service = c.service;
    if (!seen.insert(product + "/" + n.host).second)
      n.service.unit_suffix = "-" + std::to_string(n.id);
    if (pushed) n.java_home = n.install_dir + "/java/current";
  };
  for (auto& s : c.servers) resolve(s, "zookeeper");
  for (auto& n : c.kafka_nodes) resolve(n, "kafka");
}

// Every node of every kind, in inventory order (ZooKeeper first), for the same-host check.
std::vector<detail::PlacedNode> placed_nodes(const Cluster& c,
                                             const std::vector<detail::NodeSource>& zk,
                                             const std::vector<detail::NodeSource>& kafka) {
  std::vector<detail::PlacedNode> out;
  for (size_t i = 0; i < c.servers.size(); ++i) {
    const Server& s = c.servers[i];
    out.push_back({&s, &detail::kZooKeeperKind, &zk[i], s.used_ports(), s.used_dirs()});
  }
  for (size_t i = 0; i < c.kafka_nodes.size(); ++i) {
    const KafkaNode& n = c.kafka_nodes[i];
    out.push_back({&n, &detail::kKafkaKind, &kafka[i], n.used_ports(), n.used_dirs()});
  }
  return out;
}

LoadResult load(Reader& r, std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(r.file()));
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    constexpr std::string_view kPrefix = "Error while parsing ";
    if (what.rfind(kPrefix, 0) == 0)
      what = " while parsing " + what.substr(kPrefix.size());
    else
      what = ": " + what;
    r.error(r.at(e.source().begin), "TOML syntax error" + detail::one_line(what));
    return r.finish(std::nullopt);
  }

  Cluster cluster;
  cluster.source_file = r.file();
  r.check_keys(root, "at top level", kRootKeys);
  load_cluster(r, root, cluster);
  load_ssh(r, root, cluster);
  load_service(r, root, cluster);
  load_java(r, root, cluster);
  std::vector<detail::NodeSource> zk_sources;
  std::vector<detail::NodeSource> kafka_sources;
  detail::load_zookeeper(r, root, cluster, zk_sources);
  detail::load_security(r, root, cluster);
  detail::load_kafka(r, root, cluster, kafka_sources);
  detail::load_metrics(r, root, cluster);
  detail::check_same_host(r, placed_nodes(cluster, zk_sources, kafka_sources));
  detail::load_monitoring(r, root, cluster);
  resolve_service(cluster);
  return r.finish(std::move(cluster));
}

}  // namespace

LoadResult load_string(std::string_view toml_text, const std::string& file_name,
                       const std::string& base_dir, LocalFiles local_files) {
  Reader reader(file_name, base_dir, local_files);
  return load(reader, toml_text);
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics.push_back(
        Diagnostic{Diagnostic::Severity::error, SourcePos{path, 0, 0},
                   "cannot read the inventory: " + std::string(std::strerror(errno))});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  return load_string(text.str(), path, parent.string());
}

}  // namespace zkctl::inventory
