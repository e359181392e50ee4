#include "inventory/load.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "inventory/validate.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using Severity = Diagnostic::Severity;

// Keys each table accepts; the order is the documentation order.
const std::vector<std::string_view> kRootKeys = {"cluster", "ssh",       "service",
                                                 "java",    "zookeeper", "kafka"};
const std::vector<std::string_view> kServiceKeys = {"launcher", "user"};
const std::vector<std::string_view> kJavaKeys = {"distribution"};
const std::vector<std::string_view> kClusterKeys = {"name"};
const std::vector<std::string_view> kSshKeys = {
    "user",        "port",   "identity_file",   "config_file",
    "known_hosts", "become", "connect_timeout", "command_timeout"};
const std::vector<std::string_view> kBecomeMethods = {"sudo", "none"};
const std::vector<std::string_view> kZooKeeperKeys = {
    "distribution", "install_dir",   "data_dir",          "data_log_dir", "client_port",
    "peer_port",    "election_port", "admin_port",        "heap_mb",      "tick_time",
    "init_limit",   "sync_limit",    "four_letter_words", "config",       "servers"};
const std::vector<std::string_view> kServerKeys = {
    "host",          "id",         "role",        "client_port", "peer_port",
    "election_port", "admin_port", "install_dir", "data_dir",    "data_log_dir",
    "ssh_user",      "ssh_port",   "ssh_become"};
const std::vector<std::string_view> kKafkaKeys = {
    "mode",    "distribution", "install_dir",      "log_dirs",   "listener_port", "controller_port",
    "heap_mb", "config",       "zookeeper_chroot", "cluster_id", "nodes"};
const std::vector<std::string_view> kKafkaNodeKeys = {
    "host",        "id",       "roles",    "listener_port", "controller_port",
    "install_dir", "log_dirs", "ssh_user", "ssh_port",      "ssh_become"};
const std::vector<std::string_view> kKafkaModes = {"zookeeper", "kraft"};
const std::vector<std::string_view> kKafkaRoles = {"broker", "controller"};
// [kafka.config] keys sized by the broker count: more than the brokers is a mistake.
const std::vector<std::string_view> kKafkaSizedKeys = {
    "offsets.topic.replication.factor", "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr", "default.replication.factor", "min.insync.replicas"};

constexpr int kMaxPort = 65535;

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "nothing";
  }
}

// `text` in single quotes, with control characters escaped so a message stays one line.
std::string show(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string one_line(std::string_view text) {
  std::string q = show(text);
  return q.substr(1, q.size() - 2);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string render_float(double v) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf.data(), end);
}

// Where a port, directory or id came from, for cross-server messages.
struct Origin {
  SourcePos pos;            // the value in the server table, else where it was inherited from
  bool overridden = false;  // set in the server's own table
};

// Positions of one server's values, kept beside the model for cross-checks.
struct ServerSource {
  bool host_ok = false;
  bool id_ok = false;
  bool role_ok = false;
  SourcePos host;
  SourcePos id;
  std::map<std::string, Origin> ports;  // "client_port", ... -> origin
  Origin install_dir;
  Origin data_dir;
  Origin data_log_dir;
};

class Loader {
 public:
  Loader(std::string file, const std::string& base_dir, LocalFiles local_files)
      : file_(std::move(file)), local_files_(local_files) {
    std::error_code ec;
    base_dir_ = fs::absolute(base_dir.empty() ? fs::path(".") : fs::path(base_dir), ec);
    if (ec) base_dir_ = fs::path(base_dir);
    base_dir_ = base_dir_.lexically_normal();
  }

  LoadResult run(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view(file_));
    } catch (const toml::parse_error& e) {
      std::string what(e.description());
      constexpr std::string_view kPrefix = "Error while parsing ";
      if (what.rfind(kPrefix, 0) == 0)
        what = " while parsing " + what.substr(kPrefix.size());
      else
        what = ": " + what;
      error(at(e.source().begin), "TOML syntax error" + one_line(what));
      return finish(std::nullopt);
    }

    Cluster cluster;
    cluster.source_file = file_;
    check_keys(root, "at top level", kRootKeys);
    load_cluster(root, cluster);
    load_ssh(root, cluster);
    load_service(root, cluster);
    load_java(root, cluster);
    load_zookeeper(root, cluster);
    load_kafka(root, cluster);
    resolve_service(cluster);
    return finish(std::move(cluster));
  }

 private:
  // ---- diagnostics -------------------------------------------------------
  SourcePos at(const toml::source_position& p) const {
    return SourcePos{file_, static_cast<int>(p.line), static_cast<int>(p.column)};
  }
  SourcePos at(const toml::node& n) const { return at(n.source().begin); }
  SourcePos at(const toml::key& k) const { return at(k.source().begin); }
  SourcePos file_start() const { return SourcePos{file_, 1, 1}; }

  void error(SourcePos pos, std::string message) {
    diags_.push_back(Diagnostic{Severity::error, std::move(pos), std::move(message)});
  }
  void warn(SourcePos pos, std::string message) {
    diags_.push_back(Diagnostic{Severity::warning, std::move(pos), std::move(message)});
  }

  LoadResult finish(std::optional<Cluster> cluster) {
    std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.pos.line, a.pos.col) < std::pair(b.pos.line, b.pos.col);
    });
    LoadResult result;
    result.diagnostics = std::move(diags_);
    if (!result.has_errors()) result.cluster = std::move(cluster);
    return result;
  }

  // Report every key of `t` not in `known`, suggesting the closest known one.
  void check_keys(const toml::table& t, std::string_view where,
                  const std::vector<std::string_view>& known) {
    for (auto&& [k, v] : t) {
      if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
      std::string msg = "unknown key " + show(k.str()) + " " + std::string(where);
      if (auto hint = closest_match(k.str(), known)) msg += "; did you mean '" + *hint + "'?";
      error(at(k), msg);
    }
  }

  // ---- typed reads: absent -> nullopt; wrong -> reported, nullopt ----------
  const toml::table* read_table(const toml::table& parent, std::string_view key,
                                const std::string& path) {
    const toml::node* n = parent.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      error(at(*n), path + ": expected a table, got " + type_name(*n));
      return nullptr;
    }
    return n->as_table();
  }

  std::optional<std::string> read_string(const toml::table& t, std::string_view key,
                                         const std::string& path) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) {
      error(at(*n), path + ": expected a string, got " + type_name(*n));
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  // An integer in lo..hi; `what` describes the range when it is not plain "lo..hi".
  std::optional<int> read_int(const toml::table& t, std::string_view key, const std::string& path,
                              int64_t lo, int64_t hi, std::string_view what = {}) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_integer()) {
      error(at(*n), path + ": expected an integer, got " + type_name(*n));
      return std::nullopt;
    }
    const int64_t v = n->as_integer()->get();
    if (v < lo || v > hi) {
      const std::string range =
          what.empty() ? std::to_string(lo) + ".." + std::to_string(hi) : std::string(what);
      error(at(*n), path + ": " + std::to_string(v) + " is outside " + range);
      return std::nullopt;
    }
    return static_cast<int>(v);
  }

  std::optional<int> read_port(const toml::table& t, std::string_view key,
                               const std::string& path) {
    if (key == "admin_port")
      return read_int(t, key, path, 0, kMaxPort, "0..65535 (0 turns the AdminServer off)");
    return read_int(t, key, path, 1, kMaxPort);
  }

  // A directory on the ZooKeeper hosts: absolute, normalized, safe to quote.
  // An empty string is accepted (and kept) only when `empty_ok` is yes.
  enum class EmptyOk { no, yes };
  std::optional<std::string> read_remote_dir(const toml::table& t, std::string_view key,
                                             const std::string& path, EmptyOk empty_ok,
                                             std::string_view product = "ZooKeeper") {
    auto raw = read_string(t, key, path);
    if (!raw) return std::nullopt;
    return remote_dir_value(*t.get(key), *raw, path, empty_ok, product);
  }

  // The checks of read_remote_dir() on `raw`, the string held by node `n`.
  std::optional<std::string> remote_dir_value(const toml::node& n, const std::string& raw_text,
                                              const std::string& path, EmptyOk empty_ok,
                                              std::string_view product) {
    const std::string* raw = &raw_text;
    if (raw->empty()) {
      if (empty_ok == EmptyOk::yes) return std::string();
      error(at(n), path + ": must not be empty");
      return std::nullopt;
    }
    if (has_control_char(*raw) || raw->find('\\') != std::string::npos) {
      error(at(n), path + ": " + show(*raw) + " contains a control character or backslash");
      return std::nullopt;
    }
    if (std::any_of(raw->begin(), raw->end(),
                    [](char ch) { return static_cast<unsigned char>(ch) > 0x7e; })) {
      // zoo.cfg and server.properties are read as Latin-1 Java properties.
      error(at(n), path + ": " + show(*raw) + " contains a non-ASCII character");
      return std::nullopt;
    }
    if (raw->front() != '/') {
      error(at(n), path + ": " + show(*raw) + " must be an absolute path (remote directory)");
      return std::nullopt;
    }
    const fs::path p(*raw);
    for (const auto& part : p)
      if (part == "..") {
        error(at(n), path + ": " + show(*raw) + " must not contain '..'");
        return std::nullopt;
      }
    std::string norm = p.lexically_normal().string();
    while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
    if (norm == "/") {
      error(at(n),
            path + ": the root directory '/' is not a valid directory for " + std::string(product));
      return std::nullopt;
    }
    return norm;
  }

  // A path on this machine: '~' expanded, relative paths against base_dir_.
  // An empty string stays empty.
  std::optional<std::string> read_local_path(const toml::table& t, std::string_view key,
                                             const std::string& path) {
    auto raw = read_string(t, key, path);
    if (!raw) return std::nullopt;
    if (raw->empty()) return std::string();
    const toml::node& n = *t.get(key);
    if (has_control_char(*raw)) {
      error(at(n), path + ": " + show(*raw) + " contains a control character");
      return std::nullopt;
    }
    std::string p = *raw;
    if (p[0] == '~') {
      if (p.size() > 1 && p[1] != '/') {
        error(at(n), path + ": " + show(*raw) + ": only '~' and '~/...' are expanded, not '~user'");
        return std::nullopt;
      }
      const char* home = std::getenv("HOME");
      if (home == nullptr || *home == '\0') {
        error(at(n), path + ": cannot expand '~': HOME is not set");
        return std::nullopt;
      }
      p = std::string(home) + p.substr(1);
    }
    fs::path fp(p);
    if (fp.is_relative()) fp = base_dir_ / fp;
    std::string norm = fp.lexically_normal().string();
    while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
    return norm;
  }

  // ---- sections ---------------------------------------------------------
  void load_cluster(const toml::table& root, Cluster& c) {
    const toml::table* t = read_table(root, "cluster", "cluster");
    if (t == nullptr) {
      if (root.get("cluster") == nullptr) error(file_start(), "missing required table [cluster]");
      return;
    }
    check_keys(*t, "in [cluster]", kClusterKeys);
    auto name = read_string(*t, "name", "cluster.name");
    if (!name) {
      if (t->get("name") == nullptr) error(at(*t), "missing required key 'name' in [cluster]");
      return;
    }
    if (!is_valid_cluster_name(*name)) {
      error(at(*t->get("name")),
            "cluster.name: " + show(*name) +
                " must be 1-64 characters from letters, digits, '_', '.', '-'");
      return;
    }
    c.name = *name;
  }

  void load_ssh(const toml::table& root, Cluster& c) {
    const toml::table* t = read_table(root, "ssh", "ssh");
    if (t == nullptr) return;
    check_keys(*t, "in [ssh]", kSshKeys);
    SshSettings& s = c.ssh;
    if (auto user = read_string(*t, "user", "ssh.user")) {
      if (is_valid_ssh_user(*user))
        s.user = *user;
      else
        error(at(*t->get("user")),
              "ssh.user: " + show(*user) + " is not a valid user name ([a-z_][a-z0-9_-]*)");
    }
    if (auto v = read_port(*t, "port", "ssh.port")) s.port = *v;
    if (auto v = read_local_path(*t, "identity_file", "ssh.identity_file")) s.identity_file = *v;
    if (auto v = read_local_path(*t, "known_hosts", "ssh.known_hosts")) s.known_hosts_file = *v;
    if (auto v = read_local_path(*t, "config_file", "ssh.config_file")) {
      std::error_code ec;
      if (v->empty() || t->get("config_file")->value_or(std::string()) == "none")
        s.config_file = "none";
      else if (!fs::is_regular_file(*v, ec))
        error(at(*t->get("config_file")),
              "ssh.config_file: " + show(*v) + " is not a file (\"none\": read no ssh config)");
      else
        s.config_file = *v;
    }
    if (auto v = read_become(*t, "become", "ssh.become")) s.become = *v;
    if (auto v = read_int(*t, "connect_timeout", "ssh.connect_timeout", 1, 3600))
      s.connect_timeout_s = *v;
    if (auto v = read_int(*t, "command_timeout", "ssh.command_timeout", 1, 86400))
      s.command_timeout_s = *v;
  }

  // "sudo" or "none".
  std::optional<Become> read_become(const toml::table& t, std::string_view key,
                                    const std::string& path) {
    auto v = read_string(t, key, path);
    if (!v) return std::nullopt;
    if (*v == "sudo") return Become::sudo;
    if (*v == "none") return Become::none;
    std::string msg = path + ": " + show(*v) + " is not a become method; expected 'sudo' or 'none'";
    if (auto hint = closest_match(*v, kBecomeMethods)) msg += "; did you mean '" + *hint + "'?";
    error(at(*t.get(key)), msg);
    return std::nullopt;
  }

  void load_service(const toml::table& root, Cluster& c) {
    const toml::table* t = read_table(root, "service", "service");
    if (t == nullptr) return;
    check_keys(*t, "in [service]", kServiceKeys);
    if (auto v = read_string(*t, "launcher", "service.launcher")) {
      if (*v == "systemd") {
        c.service.launcher = Launcher::systemd;
      } else if (*v != "scripts") {
        error(at(*t->get("launcher")),
              "service.launcher: " + show(*v) + " must be \"scripts\" or \"systemd\"");
      }
    }
    if (auto user = read_string(*t, "user", "service.user")) {
      if (is_valid_ssh_user(*user))
        c.service.user = *user;
      else
        error(at(*t->get("user")),
              "service.user: " + show(*user) + " is not a valid user name ([a-z_][a-z0-9_-]*)");
    }
  }

  void load_java(const toml::table& root, Cluster& c) {
    const toml::table* t = read_table(root, "java", "java");
    if (t == nullptr) return;
    check_keys(*t, "in [java]", kJavaKeys);
    auto dist = read_local_path(*t, "distribution", "java.distribution");
    if (!dist || dist->empty()) return;
    const toml::node& n = *t->get("distribution");
    std::error_code ec;
    if (!fs::is_regular_file(*dist, ec) && !fs::is_directory(*dist, ec)) {
      error(at(n), "java.distribution: " + show(*dist) +
                       " is neither a JDK tarball nor a JDK directory on this machine");
      return;
    }
    if (fs::is_directory(*dist, ec) && !fs::exists(fs::path(*dist) / "bin" / "java", ec)) {
      error(at(n), "java.distribution: directory " + show(*dist) + " has no bin/java");
      return;
    }
    c.java.distribution = *dist;
    c.java.distribution_pos = at(n);
  }

  // Every node gets [service] and, with [java], its pushed JAVA_HOME.
  static void resolve_service(Cluster& c) {
    c.service.cluster = c.name;
    const bool pushed = !c.java.distribution.empty();
    for (auto& s : c.servers) {
      s.service = c.service;
      if (pushed) s.java_home = s.install_dir + "/java/current";
    }
    for (auto& n : c.kafka_nodes) {
      n.service = c.service;
      if (pushed) n.java_home = n.install_dir + "/java/current";
    }
  }

  // Cluster-wide defaults every server starts from.
  struct Defaults {
    Ports ports;
    std::map<std::string, SourcePos> port_pos;  // set in [zookeeper]
    std::string install_dir = "/opt/zookeeper";
    SourcePos install_dir_pos;
    std::string data_dir = "/var/lib/zookeeper";
    std::string data_log_dir;
    SourcePos data_dir_pos;
    SourcePos data_log_dir_pos;
  };

  static int& port_ref(Ports& p, std::string_view key) {
    if (key == "client_port") return p.client;
    if (key == "peer_port") return p.peer;
    if (key == "election_port") return p.election;
    return p.admin;
  }
  static int port_of(const Ports& p, std::string_view key) {
    Ports copy = p;
    return port_ref(copy, key);
  }
  static constexpr std::array<std::string_view, 4> kPortKeys = {"client_port", "peer_port",
                                                                "election_port", "admin_port"};

  // Whether the inventory needs a ZooKeeper ensemble: yes unless [kafka] is in
  // KRaft mode (or names no valid mode, which is reported on its own).
  static bool zookeeper_required(const toml::table& root) {
    const toml::node* k = root.get("kafka");
    if (k == nullptr || !k->is_table()) return true;
    const toml::node* mode = k->as_table()->get("mode");
    if (mode == nullptr) return true;
    return mode->is_string() && mode->as_string()->get() == "zookeeper";
  }

  // True when `t` has a non-empty `servers` entry.
  static bool has_servers(const toml::table& t) {
    const toml::node* n = t.get("servers");
    return n != nullptr && !(n->is_array() && n->as_array()->empty());
  }

  void load_zookeeper(const toml::table& root, Cluster& c) {
    const bool required = zookeeper_required(root);
    const toml::table* t = read_table(root, "zookeeper", "zookeeper");
    if (t == nullptr) {
      if (root.get("zookeeper") == nullptr && root.get("kafka") == nullptr)
        error(file_start(), "missing required table [zookeeper]");
      return;
    }
    check_keys(*t, "in [zookeeper]", kZooKeeperKeys);
    ZooKeeperSettings& z = c.zookeeper;

    // A KRaft inventory may keep a [zookeeper] table without servers: nothing of it is used.
    const bool servers_needed = required || has_servers(*t);
    if (t->get("distribution") != nullptr || servers_needed)
      load_distribution(*t, "zookeeper", z.distribution, z.distribution_pos);

    Defaults d;
    if (auto v = read_remote_dir(*t, "install_dir", "zookeeper.install_dir", EmptyOk::no)) {
      d.install_dir = *v;
      d.install_dir_pos = at(*t->get("install_dir"));
    }
    if (auto v = read_remote_dir(*t, "data_dir", "zookeeper.data_dir", EmptyOk::no)) {
      d.data_dir = *v;
      d.data_dir_pos = at(*t->get("data_dir"));
    }
    if (auto v = read_remote_dir(*t, "data_log_dir", "zookeeper.data_log_dir", EmptyOk::yes)) {
      d.data_log_dir = *v;
      d.data_log_dir_pos = at(*t->get("data_log_dir"));
    }
    for (std::string_view key : kPortKeys) {
      if (auto v = read_port(*t, key, "zookeeper." + std::string(key))) {
        port_ref(d.ports, key) = *v;
        d.port_pos[std::string(key)] = at(*t->get(key));
      }
    }
    check_distinct_default_ports(d);

    if (auto v = read_int(*t, "heap_mb", "zookeeper.heap_mb", 16, 1 << 20)) z.heap_mb = *v;
    if (auto v = read_int(*t, "tick_time", "zookeeper.tick_time", 1, 600000)) z.tick_time_ms = *v;
    if (auto v = read_int(*t, "init_limit", "zookeeper.init_limit", 1, 100000)) z.init_limit = *v;
    if (auto v = read_int(*t, "sync_limit", "zookeeper.sync_limit", 1, 100000)) z.sync_limit = *v;

    load_four_letter_words(*t, z);
    if (const toml::table* cfg = read_table(*t, "config", "zookeeper.config")) load_config(*cfg, z);
    if (servers_needed) load_servers(*t, c, d);
  }

  // The local tarball `[table].distribution`: required, must be an existing regular file.
  // Sets `out` and `out_pos` and returns true when it is.
  bool load_distribution(const toml::table& t, const std::string& table, std::string& out,
                         SourcePos& out_pos) {
    auto dist = read_local_path(t, "distribution", table + ".distribution");
    if (!dist) {
      if (t.get("distribution") == nullptr)
        error(at(t), "missing required key 'distribution' in [" + table + "]");
      return false;
    }
    const toml::node& n = *t.get("distribution");
    if (dist->empty()) {
      error(at(n), table + ".distribution: must not be empty");
      return false;
    }
    std::error_code ec;
    const auto status = fs::status(*dist, ec);
    if (local_files_ == LocalFiles::unchecked) {
      out = *dist;
      out_pos = at(n);
      return true;
    }
    if (!fs::exists(status)) {
      error(at(n), table + ".distribution: file " + show(*dist) + " does not exist");
      return false;
    }
    if (!fs::is_regular_file(status)) {
      error(at(n), table + ".distribution: " + show(*dist) + " is not a regular file");
      return false;
    }
    out = *dist;
    out_pos = at(n);
    return true;
  }

  void check_distinct_default_ports(const Defaults& d) {
    for (size_t i = 0; i < kPortKeys.size(); ++i) {
      for (size_t j = i + 1; j < kPortKeys.size(); ++j) {
        const int a = port_of(d.ports, kPortKeys[i]);
        const int b = port_of(d.ports, kPortKeys[j]);
        if (a == 0 || a != b) continue;
        const std::string later(kPortKeys[j]);
        const auto it = d.port_pos.find(later);
        const auto it_first = d.port_pos.find(std::string(kPortKeys[i]));
        const SourcePos pos = it != d.port_pos.end() ? it->second : it_first->second;
        error(pos, "zookeeper." + later + ": " + std::to_string(b) + " equals zookeeper." +
                       std::string(kPortKeys[i]) + "; a server's ports must differ");
      }
    }
  }

  void load_four_letter_words(const toml::table& t, ZooKeeperSettings& z) {
    const toml::node* n = t.get("four_letter_words");
    if (n == nullptr) return;
    if (!n->is_array()) {
      error(at(*n),
            "zookeeper.four_letter_words: expected an array of strings, got " + type_name(*n));
      return;
    }
    const auto& known = known_four_letter_words();
    bool all = false;
    size_t i = 0;
    for (const toml::node& e : *n->as_array()) {
      const std::string path = "zookeeper.four_letter_words[" + std::to_string(i++) + "]";
      if (!e.is_string()) {
        error(at(e), path + ": expected a string, got " + type_name(e));
        continue;
      }
      const std::string& w = e.as_string()->get();
      if (w == "*") {
        all = true;
        continue;
      }
      if (std::find(known.begin(), known.end(), w) == known.end()) {
        std::string msg = path + ": " + show(w) + " is not a four-letter word ZooKeeper knows";
        if (auto hint = closest_match(w, known)) msg += "; did you mean '" + *hint + "'?";
        error(at(e), msg);
        continue;
      }
      if (std::find(z.four_letter_words.begin(), z.four_letter_words.end(), w) ==
          z.four_letter_words.end())
        z.four_letter_words.push_back(w);
    }
    if (all) z.four_letter_words = {"*"};
  }

  // One [zookeeper.config] entry, its dotted key flattened.
  struct ConfigEntry {
    std::string key;
    SourcePos key_pos;
    const toml::node* value = nullptr;
  };

  void flatten(const toml::table& t, const std::string& prefix, std::vector<ConfigEntry>& out) {
    for (auto&& [k, v] : t) {
      std::string name = prefix + std::string(k.str());
      if (v.is_table())
        flatten(*v.as_table(), name + ".", out);
      else
        out.push_back(ConfigEntry{name, at(k), &v});
    }
  }

  static bool valid_config_key(std::string_view key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
    });
  }

  // One pass-through config entry whose key and value passed the common checks.
  struct ConfigValue {
    std::string key;
    SourcePos key_pos;
    std::string text;  // the value as the config file will hold it
  };

  enum class AsciiOnly { no, yes };

  // The entries of `cfg` ([`section`], written into `file`) in file order, with
  // every malformed, duplicated or line-breaking key or value reported and dropped.
  std::vector<ConfigValue> read_config(const toml::table& cfg, const std::string& section,
                                       const std::string& file, AsciiOnly ascii_only) {
    std::vector<ConfigEntry> entries;
    flatten(cfg, "", entries);
    // toml++ tables are unordered: restore the file's order.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const ConfigEntry& a, const ConfigEntry& b) {
                       return std::pair(a.key_pos.line, a.key_pos.col) <
                              std::pair(b.key_pos.line, b.key_pos.col);
                     });
    std::vector<ConfigValue> out;
    std::map<std::string, int> seen;  // key -> line
    for (const ConfigEntry& e : entries) {
      const std::string where = section + ": key " + show(e.key);
      if (has_control_char(e.key)) {
        error(e.key_pos,
              where + " contains a control character (it would inject a line into " + file + ")");
        continue;
      }
      if (!valid_config_key(e.key)) {
        error(e.key_pos, where + " may contain only letters, digits, '.', '_' and '-'");
        continue;
      }
      if (auto it = seen.find(e.key); it != seen.end()) {
        error(e.key_pos, where + " is already set at line " + std::to_string(it->second));
        continue;
      }
      seen.emplace(e.key, e.key_pos.line);

      std::string text;
      const toml::node& v = *e.value;
      if (v.is_string()) {
        text = v.as_string()->get();
        if (has_control_char(text)) {
          error(at(v), where +
                           ": value contains a control character (it would inject a line into " +
                           file + ")");
          continue;
        }
        if (text.find('\\') != std::string::npos) {
          error(at(v), where + ": value contains '\\', which " + file +
                           " (a Java properties file) treats as an escape");
          continue;
        }
        if (ascii_only == AsciiOnly::yes && std::any_of(text.begin(), text.end(), [](char ch) {
              return static_cast<unsigned char>(ch) >= 0x80;
            })) {
          error(at(v), where + ": value contains a non-ASCII character, which " + file +
                           " (read as Latin-1) would garble");
          continue;
        }
      } else if (v.is_integer()) {
        text = std::to_string(v.as_integer()->get());
      } else if (v.is_boolean()) {
        text = v.as_boolean()->get() ? "true" : "false";
      } else if (v.is_floating_point()) {
        const double d = v.as_floating_point()->get();
        if (!std::isfinite(d)) {
          error(at(v), where + ": value must be a finite number");
          continue;
        }
        text = render_float(d);
      } else {
        error(at(v), where + ": expected a string, integer, boolean or float, got " + type_name(v));
        continue;
      }
      out.push_back(ConfigValue{e.key, e.key_pos, std::move(text)});
    }
    return out;
  }

  void load_config(const toml::table& cfg, ZooKeeperSettings& z) {
    for (const ConfigValue& e : read_config(cfg, "zookeeper.config", "zoo.cfg", AsciiOnly::yes)) {
      const std::string& text = e.text;
      const ZooCfgKeyInfo info = classify_zoo_cfg_key(e.key);
      if (info.kind == ZooCfgKeyInfo::Kind::managed) {
        error(e.key_pos, "zookeeper.config: " + show(e.key) + " is managed by zkctl; set " +
                             info.hint + " instead");
        continue;
      }
      if (info.kind == ZooCfgKeyInfo::Kind::unknown) {
        std::string msg =
            "zookeeper.config: " + show(e.key) +
            " is not a known ZooKeeper option (ZooKeeper would silently turn it into the Java "
            "system property 'zookeeper." +
            e.key + "')";
        if (!info.hint.empty()) msg += "; did you mean '" + info.hint + "'?";
        warn(e.key_pos, msg);
      }
      if (e.key == "reconfigEnabled" && lowercase(text) == "true") {
        error(e.key_pos,
              "zookeeper.config: reconfigEnabled=true lets ZooKeeper rewrite the zoo.cfg zkctl "
              "renders (dynamic configuration); zkctl changes membership with rolling config "
              "updates instead (README: scale out and in)");
        continue;
      }
      z.extra_config.emplace_back(e.key, text);
    }
  }

  void load_servers(const toml::table& zk, Cluster& c, const Defaults& d) {
    const toml::node* n = zk.get("servers");
    if (n == nullptr) {
      error(at(zk), "no servers: add at least one [[zookeeper.servers]] entry");
      return;
    }
    if (!n->is_array()) {
      error(at(*n), "zookeeper.servers: expected an array of tables ([[zookeeper.servers]]), got " +
                        type_name(*n));
      return;
    }
    const toml::array& arr = *n->as_array();
    if (arr.empty()) {
      error(at(*n), "no servers: add at least one [[zookeeper.servers]] entry");
      return;
    }
    std::vector<ServerSource> sources;
    size_t i = 0;
    for (const toml::node& e : arr) {
      const std::string path = "zookeeper.servers[" + std::to_string(i++) + "]";
      if (!e.is_table()) {
        error(at(e), path + ": expected a table, got " + type_name(e));
        continue;
      }
      ServerSource src;
      c.servers.push_back(load_server(*e.as_table(), path, c, d, src));
      sources.push_back(std::move(src));
    }
    check_ensemble(c, sources);
  }

  Server load_server(const toml::table& t, const std::string& path, const Cluster& c,
                     const Defaults& d, ServerSource& src) {
    check_keys(t, "in [[zookeeper.servers]]", kServerKeys);
    Server s;
    s.pos = at(t);
    s.ports = d.ports;
    s.install_dir = d.install_dir;
    s.data_dir = d.data_dir;
    s.data_log_dir = d.data_log_dir;
    s.ssh = c.ssh;

    if (auto host = read_string(t, "host", path + ".host")) {
      src.host = at(*t.get("host"));
      if (is_valid_host(*host)) {
        s.host = *host;
        src.host_ok = true;
      } else {
        error(src.host,
              path + ".host: " + show(*host) + " is not a valid host name, IPv4 or IPv6 address");
      }
    } else if (t.get("host") == nullptr) {
      error(s.pos, "missing required key 'host' in [[zookeeper.servers]]");
    }

    if (auto id = read_int(t, "id", path + ".id", 1, 255)) {
      s.id = *id;
      src.id = at(*t.get("id"));
      src.id_ok = true;
    } else if (t.get("id") == nullptr) {
      error(s.pos, "missing required key 'id' in [[zookeeper.servers]]");
    }

    src.role_ok = true;
    if (auto role = read_string(t, "role", path + ".role")) {
      if (*role == "voter") {
        s.role = Role::voter;
      } else if (*role == "observer") {
        s.role = Role::observer;
      } else {
        src.role_ok = false;
        error(at(*t.get("role")),
              path + ".role: " + show(*role) + " is not a role; expected 'voter' or 'observer'");
      }
    } else if (t.get("role") != nullptr) {
      src.role_ok = false;
    }

    for (std::string_view key : kPortKeys) {
      const std::string k(key);
      Origin o;
      if (auto it = d.port_pos.find(k); it != d.port_pos.end()) o.pos = it->second;
      if (t.get(key) != nullptr) {
        if (auto v = read_port(t, key, path + "." + k)) {
          port_ref(s.ports, key) = *v;
          o = Origin{at(*t.get(key)), true};
        }
      }
      src.ports[k] = o;
    }
    check_distinct_server_ports(s, src, path);

    src.install_dir = Origin{d.install_dir_pos, false};
    if (auto v = read_remote_dir(t, "install_dir", path + ".install_dir", EmptyOk::no)) {
      s.install_dir = *v;
      src.install_dir = Origin{at(*t.get("install_dir")), true};
    }
    src.data_dir = Origin{d.data_dir_pos, false};
    if (auto v = read_remote_dir(t, "data_dir", path + ".data_dir", EmptyOk::no)) {
      s.data_dir = *v;
      src.data_dir = Origin{at(*t.get("data_dir")), true};
    }
    src.data_log_dir = Origin{d.data_log_dir_pos, false};
    if (auto v = read_remote_dir(t, "data_log_dir", path + ".data_log_dir", EmptyOk::yes)) {
      s.data_log_dir = *v;
      src.data_log_dir = Origin{at(*t.get("data_log_dir")), true};
    }

    if (auto user = read_string(t, "ssh_user", path + ".ssh_user")) {
      if (is_valid_ssh_user(*user))
        s.ssh.user = *user;
      else
        error(at(*t.get("ssh_user")),
              path + ".ssh_user: " + show(*user) + " is not a valid user name ([a-z_][a-z0-9_-]*)");
    }
    if (auto v = read_port(t, "ssh_port", path + ".ssh_port")) s.ssh.port = *v;
    if (auto v = read_become(t, "ssh_become", path + ".ssh_become")) s.ssh.become = *v;
    return s;
  }

  // Ports of one server must differ; pairs both inherited from [zookeeper] were
  // reported once there.
  void check_distinct_server_ports(const Server& s, const ServerSource& src,
                                   const std::string& path) {
    for (size_t i = 0; i < kPortKeys.size(); ++i) {
      for (size_t j = i + 1; j < kPortKeys.size(); ++j) {
        const std::string a(kPortKeys[i]);
        const std::string b(kPortKeys[j]);
        const Origin& oa = src.ports.at(a);
        const Origin& ob = src.ports.at(b);
        if (!oa.overridden && !ob.overridden) continue;
        const int va = port_of(s.ports, a);
        const int vb = port_of(s.ports, b);
        if (va == 0 || va != vb) continue;
        const std::string& culprit = ob.overridden ? b : a;
        const std::string& other = ob.overridden ? a : b;
        error(ob.overridden ? ob.pos : oa.pos,
              path + "." + culprit + ": " + std::to_string(va) + " equals " + other +
                  " of the same server; a server's ports must differ");
      }
    }
  }

  void check_ensemble(const Cluster& c, const std::vector<ServerSource>& src) {
    // Duplicate ids.
    std::map<int, size_t> by_id;
    for (size_t i = 0; i < c.servers.size(); ++i) {
      if (!src[i].id_ok) continue;
      auto [it, inserted] = by_id.emplace(c.servers[i].id, i);
      if (!inserted) {
        const Server& first = c.servers[it->second];
        const std::string who = first.host.empty() ? "the server" : "server " + show(first.host);
        error(src[i].id, "duplicate server id " + std::to_string(c.servers[i].id) +
                             ": already used by " + who + " at line " +
                             std::to_string(first.pos.line));
      }
    }

    // Servers sharing a host must not share a port or a data directory.
    for (size_t j = 0; j < c.servers.size(); ++j) {
      if (!src[j].host_ok) continue;
      for (size_t i = 0; i < j; ++i) {
        if (!src[i].host_ok || lowercase(c.servers[i].host) != lowercase(c.servers[j].host))
          continue;
        check_same_host(c.servers[i], c.servers[j], src[j]);
      }
    }

    // Voters.
    int voters = 0;
    bool roles_known = true;
    for (size_t i = 0; i < c.servers.size(); ++i) {
      roles_known = roles_known && src[i].role_ok;
      if (src[i].role_ok && c.servers[i].role == Role::voter) ++voters;
    }
    if (c.servers.empty() || !roles_known) return;
    const SourcePos first = c.servers.front().pos;
    if (voters == 0) {
      error(first,
            "no voters: every server is an observer; at least one must have role = \"voter\"");
      return;
    }
    if (voters < 3)
      warn(first, std::to_string(voters) + (voters == 1 ? " voter" : " voters") +
                      ": no server failure will be tolerated; use at least 3 voters");
    if (voters % 2 == 0)
      warn(first, std::to_string(voters) + " voters tolerate no more failures than " +
                      std::to_string(voters - 1) + "; use an odd number of voters");
  }

  static std::string server_label(const Server& s) {
    return "server id " + std::to_string(s.id) + " (line " + std::to_string(s.pos.line) + ")";
  }

  void check_same_host(const Server& a, const Server& b, const ServerSource& sb) {
    std::vector<std::string> inherited;  // collisions on values b did not set itself
    for (std::string_view kb : kPortKeys) {
      const int vb = port_of(b.ports, kb);
      if (vb == 0) continue;
      for (std::string_view ka : kPortKeys) {
        if (port_of(a.ports, ka) != vb) continue;
        const Origin& ob = sb.ports.at(std::string(kb));
        const std::string what = std::string(kb) + " " + std::to_string(vb);
        if (ob.overridden)
          error(ob.pos, "host " + show(b.host) + " port " + std::to_string(vb) + " (" +
                            std::string(kb) + ") is already used by " + server_label(a) +
                            " as its " + std::string(ka));
        else
          inherited.push_back(what + (ka == kb ? "" : " (its " + std::string(ka) + ")"));
      }
    }
    if (!inherited.empty()) {
      std::string list;
      for (const auto& s : inherited) list += (list.empty() ? "" : ", ") + s;
      error(sb.host, "host " + show(b.host) + " already runs " + server_label(a) +
                         " with the same ports: " + list + "; give one of them its own ports");
    }
    auto same_dir = [&](const std::string& dir_a, const std::string& dir_b, const Origin& ob,
                        std::string_view name) {
      if (dir_b.empty() || dir_a != dir_b) return;
      error(ob.overridden ? ob.pos : sb.host, "host " + show(b.host) + " " + std::string(name) +
                                                  " " + show(dir_b) + " is already used by " +
                                                  server_label(a));
    };
    // conf/ and logs/ live under install_dir: two servers cannot share one.
    same_dir(a.install_dir, b.install_dir, sb.install_dir, "install_dir");
    same_dir(a.data_dir, b.data_dir, sb.data_dir, "data_dir");
    same_dir(a.data_log_dir, b.data_log_dir, sb.data_log_dir, "data_log_dir");
  }

  // ---- [kafka] ------------------------------------------------------------
  // Cluster-wide Kafka defaults every node starts from.
  struct KafkaDefaults {
    int listener_port = 9092;
    int controller_port = 9093;
    std::string install_dir = "/opt/kafka";
    std::vector<std::string> log_dirs = {"/var/lib/kafka/data"};
    SourcePos listener_port_pos;  // line 0: not set in [kafka]
    SourcePos controller_port_pos;
    SourcePos install_dir_pos;
    SourcePos log_dirs_pos;
  };

  // Positions of one Kafka node's values, kept beside the model for cross-checks.
  struct KafkaSource {
    bool host_ok = false;
    bool id_ok = false;
    bool roles_ok = false;
    SourcePos host;
    SourcePos id;
    Origin listener_port;
    Origin controller_port;
    Origin install_dir;
    Origin log_dirs;
  };

  void load_kafka(const toml::table& root, Cluster& c) {
    const toml::table* t = read_table(root, "kafka", "kafka");
    if (t == nullptr) return;
    check_keys(*t, "in [kafka]", kKafkaKeys);
    KafkaSettings k;

    bool mode_ok = true;
    SourcePos mode_pos = at(*t);
    if (auto mode = read_string(*t, "mode", "kafka.mode")) {
      mode_pos = at(*t->get("mode"));
      if (*mode == "zookeeper") {
        k.mode = KafkaMode::zookeeper;
      } else if (*mode == "kraft") {
        k.mode = KafkaMode::kraft;
      } else {
        mode_ok = false;
        std::string msg =
            "kafka.mode: " + show(*mode) + " is not a mode; expected 'zookeeper' or 'kraft'";
        if (auto hint = closest_match(*mode, kKafkaModes)) msg += "; did you mean '" + *hint + "'?";
        error(mode_pos, msg);
      }
    } else if (t->get("mode") != nullptr) {
      mode_ok = false;
    }
    const bool zk_mode = mode_ok && k.mode == KafkaMode::zookeeper;
    const bool kraft = mode_ok && k.mode == KafkaMode::kraft;
    const std::string mode_clause = std::string("kafka.mode = \"") + to_string(k.mode) + "\"";

    if (zk_mode && c.servers.empty())
      error(mode_pos,
            "kafka.mode = \"zookeeper\" needs [[zookeeper.servers]] in the same inventory");

    if (load_distribution(*t, "kafka", k.distribution, k.distribution_pos) && mode_ok)
      check_kafka_version(k);

    KafkaDefaults d;
    if (auto v = read_remote_dir(*t, "install_dir", "kafka.install_dir", EmptyOk::no, "Kafka")) {
      d.install_dir = *v;
      d.install_dir_pos = at(*t->get("install_dir"));
    }
    if (auto v = read_log_dirs(*t, "kafka.log_dirs")) {
      d.log_dirs = *v;
      d.log_dirs_pos = at(*t->get("log_dirs"));
    }
    if (auto v = read_port(*t, "listener_port", "kafka.listener_port")) {
      d.listener_port = *v;
      d.listener_port_pos = at(*t->get("listener_port"));
    }
    if (auto v = read_port(*t, "controller_port", "kafka.controller_port")) {
      d.controller_port = *v;
      d.controller_port_pos = at(*t->get("controller_port"));
      if (zk_mode)
        warn(d.controller_port_pos, "kafka.controller_port: ignored when " + mode_clause +
                                        " (only KRaft controllers listen on it)");
    }
    if (kraft && d.listener_port == d.controller_port) {
      const bool later_is_controller = d.controller_port_pos.line != 0;
      error(later_is_controller             ? d.controller_port_pos
            : d.listener_port_pos.line != 0 ? d.listener_port_pos
                                            : at(*t),
            std::string(later_is_controller ? "kafka.controller_port: " : "kafka.listener_port: ") +
                std::to_string(d.listener_port) + " equals " +
                (later_is_controller ? "kafka.listener_port" : "kafka.controller_port") +
                "; a node's ports must differ");
    }
    if (auto v = read_int(*t, "heap_mb", "kafka.heap_mb", 64, 1 << 20)) k.heap_mb = *v;

    if (auto chroot = read_string(*t, "zookeeper_chroot", "kafka.zookeeper_chroot")) {
      const SourcePos pos = at(*t->get("zookeeper_chroot"));
      if (auto problem = zookeeper_chroot_problem(*chroot)) {
        error(pos, "kafka.zookeeper_chroot: " + show(*chroot) + " " + *problem);
      } else {
        k.zookeeper_chroot = *chroot;
        if (kraft)
          warn(pos, "kafka.zookeeper_chroot: ignored when " + mode_clause +
                        " (KRaft brokers do not use ZooKeeper)");
      }
    }
    if (auto id = read_string(*t, "cluster_id", "kafka.cluster_id")) {
      const SourcePos pos = at(*t->get("cluster_id"));
      if (!id->empty() && !is_valid_kafka_cluster_id(*id)) {
        error(pos, "kafka.cluster_id: " + show(*id) +
                       " is not a Kafka cluster id (22 base64url characters, as "
                       "`kafka-storage.sh random-uuid` prints one)");
      } else {
        k.cluster_id = *id;
        if (zk_mode && !id->empty())
          warn(pos, "kafka.cluster_id: ignored when " + mode_clause +
                        " (the brokers take the id ZooKeeper holds at <chroot>/cluster/id)");
      }
    }

    std::vector<ConfigValue> config;
    if (const toml::table* cfg = read_table(*t, "config", "kafka.config")) {
      for (ConfigValue& e :
           read_config(*cfg, "kafka.config", "server.properties", AsciiOnly::yes)) {
        if (auto hint = kafka_managed_key_hint(e.key)) {
          error(e.key_pos, "kafka.config: " + show(e.key) + " is managed by zkctl; " + *hint);
          continue;
        }
        k.extra_config.emplace_back(e.key, e.text);
        config.push_back(std::move(e));
      }
    }

    std::vector<KafkaSource> sources;
    load_kafka_nodes(*t, c, k, mode_ok, d, sources);
    check_kafka_cluster(c, k, mode_ok, sources);
    check_sized_config(c, config, sources);
    c.kafka = std::move(k);
  }

  // The Kafka version in a distribution named like kafka_2.13-3.9.2.tgz: ZooKeeper
  // mode ended with 3.9, KRaft began with 3.3. Other names are not checked.
  void check_kafka_version(const KafkaSettings& k) {
    const std::string name = fs::path(k.distribution).filename().string();
    const auto dash = name.find('-');
    if (name.rfind("kafka_", 0) != 0 || dash == std::string::npos) return;
    const std::string version = name.substr(dash + 1);
    int major = 0;
    int minor = 0;
    const char* p = version.data();
    const char* end = version.data() + version.size();
    auto r1 = std::from_chars(p, end, major);
    if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '.') return;
    auto r2 = std::from_chars(r1.ptr + 1, end, minor);
    if (r2.ec != std::errc()) return;
    const std::string v = std::to_string(major) + "." + std::to_string(minor);
    if (k.mode == KafkaMode::zookeeper && major >= 4)
      error(k.distribution_pos,
            "kafka.distribution: Kafka " + v +
                " has no ZooKeeper mode (removed in 4.0); set kafka.mode = \"kraft\" or use a "
                "3.x distribution");
    if (k.mode == KafkaMode::kraft && (major < 3 || (major == 3 && minor < 3)))
      error(k.distribution_pos,
            "kafka.distribution: Kafka " + v + " cannot run in KRaft mode (3.3 or later needed)");
  }

  // `path`: an array of at least one distinct remote directory.
  std::optional<std::vector<std::string>> read_log_dirs(const toml::table& t,
                                                        const std::string& path) {
    const toml::node* n = t.get("log_dirs");
    if (n == nullptr) return std::nullopt;
    if (!n->is_array()) {
      error(at(*n), path + ": expected an array of strings, got " + type_name(*n));
      return std::nullopt;
    }
    const toml::array& arr = *n->as_array();
    if (arr.empty()) {
      error(at(*n), path + ": must name at least one directory");
      return std::nullopt;
    }
    std::vector<std::string> dirs;
    bool ok = true;
    size_t i = 0;
    for (const toml::node& e : arr) {
      const std::string p = path + "[" + std::to_string(i++) + "]";
      if (!e.is_string()) {
        error(at(e), p + ": expected a string, got " + type_name(e));
        ok = false;
        continue;
      }
      auto dir = remote_dir_value(e, e.as_string()->get(), p, EmptyOk::no, "Kafka");
      if (!dir) {
        ok = false;
        continue;
      }
      if (dir->find(',') != std::string::npos) {
        error(at(e), p + ": " + show(*dir) + " contains ',', which separates log.dirs entries");
        ok = false;
        continue;
      }
      if (std::find(dirs.begin(), dirs.end(), *dir) != dirs.end()) {
        error(at(e), p + ": " + show(*dir) + " is listed twice");
        ok = false;
        continue;
      }
      dirs.push_back(*dir);
    }
    if (!ok) return std::nullopt;
    return dirs;
  }

  void load_kafka_nodes(const toml::table& kt, Cluster& c, const KafkaSettings& k, bool mode_ok,
                        const KafkaDefaults& d, std::vector<KafkaSource>& sources) {
    const toml::node* n = kt.get("nodes");
    if (n == nullptr) {
      error(at(kt), "no Kafka nodes: add at least one [[kafka.nodes]] entry");
      return;
    }
    if (!n->is_array()) {
      error(at(*n),
            "kafka.nodes: expected an array of tables ([[kafka.nodes]]), got " + type_name(*n));
      return;
    }
    const toml::array& arr = *n->as_array();
    if (arr.empty()) {
      error(at(*n), "no Kafka nodes: add at least one [[kafka.nodes]] entry");
      return;
    }
    size_t i = 0;
    for (const toml::node& e : arr) {
      const std::string path = "kafka.nodes[" + std::to_string(i++) + "]";
      if (!e.is_table()) {
        error(at(e), path + ": expected a table, got " + type_name(e));
        continue;
      }
      KafkaSource src;
      c.kafka_nodes.push_back(load_kafka_node(*e.as_table(), path, c, k, mode_ok, d, src));
      sources.push_back(std::move(src));
    }
  }

  KafkaNode load_kafka_node(const toml::table& t, const std::string& path, const Cluster& c,
                            const KafkaSettings& k, bool mode_ok, const KafkaDefaults& d,
                            KafkaSource& src) {
    check_keys(t, "in [[kafka.nodes]]", kKafkaNodeKeys);
    const bool zk_mode = mode_ok && k.mode == KafkaMode::zookeeper;
    const bool kraft = mode_ok && k.mode == KafkaMode::kraft;
    KafkaNode node;
    node.pos = at(t);
    node.listener_port = d.listener_port;
    node.controller_port = d.controller_port;
    node.install_dir = d.install_dir;
    node.log_dirs = d.log_dirs;
    node.ssh = c.ssh;

    if (auto host = read_string(t, "host", path + ".host")) {
      src.host = at(*t.get("host"));
      if (is_valid_host(*host)) {
        node.host = *host;
        src.host_ok = true;
      } else {
        error(src.host,
              path + ".host: " + show(*host) + " is not a valid host name, IPv4 or IPv6 address");
      }
    } else if (t.get("host") == nullptr) {
      error(node.pos, "missing required key 'host' in [[kafka.nodes]]");
    }

    if (auto id = read_int(t, "id", path + ".id", 0, 2147483647)) {
      node.id = *id;
      src.id = at(*t.get("id"));
      src.id_ok = true;
    } else if (t.get("id") == nullptr) {
      error(node.pos, "missing required key 'id' in [[kafka.nodes]]");
    }

    src.roles_ok = mode_ok && read_roles(t, path, zk_mode, node);

    src.listener_port = Origin{d.listener_port_pos, false};
    if (auto v = read_port(t, "listener_port", path + ".listener_port")) {
      node.listener_port = *v;
      src.listener_port = Origin{at(*t.get("listener_port")), true};
    }
    src.controller_port = Origin{d.controller_port_pos, false};
    if (auto v = read_port(t, "controller_port", path + ".controller_port")) {
      node.controller_port = *v;
      src.controller_port = Origin{at(*t.get("controller_port")), true};
      if (zk_mode)
        warn(src.controller_port.pos, path +
                                          ".controller_port: ignored when kafka.mode = "
                                          "\"zookeeper\" (only KRaft controllers listen on it)");
    }
    if (kraft && src.roles_ok && node.broker && node.controller &&
        (src.listener_port.overridden || src.controller_port.overridden) &&
        node.listener_port == node.controller_port) {
      const bool culprit_is_controller = src.controller_port.overridden;
      error(culprit_is_controller ? src.controller_port.pos : src.listener_port.pos,
            path + (culprit_is_controller ? ".controller_port: " : ".listener_port: ") +
                std::to_string(node.listener_port) + " equals " +
                (culprit_is_controller ? "listener_port" : "controller_port") +
                " of the same node; a node's ports must differ");
    }

    src.install_dir = Origin{d.install_dir_pos, false};
    if (auto v = read_remote_dir(t, "install_dir", path + ".install_dir", EmptyOk::no, "Kafka")) {
      node.install_dir = *v;
      src.install_dir = Origin{at(*t.get("install_dir")), true};
    }
    src.log_dirs = Origin{d.log_dirs_pos, false};
    if (auto v = read_log_dirs(t, path + ".log_dirs")) {
      node.log_dirs = *v;
      src.log_dirs = Origin{at(*t.get("log_dirs")), true};
    }

    if (auto user = read_string(t, "ssh_user", path + ".ssh_user")) {
      if (is_valid_ssh_user(*user))
        node.ssh.user = *user;
      else
        error(at(*t.get("ssh_user")),
              path + ".ssh_user: " + show(*user) + " is not a valid user name ([a-z_][a-z0-9_-]*)");
    }
    if (auto v = read_port(t, "ssh_port", path + ".ssh_port")) node.ssh.port = *v;
    if (auto v = read_become(t, "ssh_become", path + ".ssh_become")) node.ssh.become = *v;
    return node;
  }

  // `roles` of a [[kafka.nodes]] entry into node.broker/controller; default ["broker"].
  // False when it is invalid (reported).
  bool read_roles(const toml::table& t, const std::string& path, bool zk_mode, KafkaNode& node) {
    node.broker = true;
    node.controller = false;
    const toml::node* n = t.get("roles");
    if (n == nullptr) return true;
    if (!n->is_array()) {
      error(at(*n), path + ".roles: expected an array of strings, got " + type_name(*n));
      return false;
    }
    const toml::array& arr = *n->as_array();
    if (arr.empty()) {
      error(at(*n),
            path + ".roles: must name at least one role (\"broker\", \"controller\" or both)");
      return false;
    }
    bool ok = true;
    bool broker = false;
    bool controller = false;
    size_t i = 0;
    for (const toml::node& e : arr) {
      const std::string p = path + ".roles[" + std::to_string(i++) + "]";
      if (!e.is_string()) {
        error(at(e), p + ": expected a string, got " + type_name(e));
        ok = false;
        continue;
      }
      const std::string& role = e.as_string()->get();
      bool* flag = role == "broker" ? &broker : role == "controller" ? &controller : nullptr;
      if (flag == nullptr) {
        std::string msg =
            p + ": " + show(role) + " is not a role; expected 'broker' or 'controller'";
        if (auto hint = closest_match(role, kKafkaRoles)) msg += "; did you mean '" + *hint + "'?";
        error(at(e), msg);
        ok = false;
        continue;
      }
      if (*flag) {
        error(at(e), p + ": " + show(role) + " is listed twice");
        ok = false;
        continue;
      }
      *flag = true;
      if (zk_mode && role == "controller") {
        error(at(e), p + ": 'controller' needs kafka.mode = \"kraft\"; in zookeeper mode every "
                         "node is a broker (roles = [\"broker\"])");
        ok = false;
      }
    }
    if (!ok) return false;
    node.broker = broker;
    node.controller = controller;
    if (zk_mode && !broker) {
      error(at(*n),
            path + ".roles: in zookeeper mode every node is a broker (roles = [\"broker\"])");
      return false;
    }
    return true;
  }

  // Ports a Kafka node listens on, named after their inventory keys.
  static std::vector<std::pair<std::string, int>> used_ports(const KafkaNode& n, KafkaMode mode) {
    std::vector<std::pair<std::string, int>> out;
    if (mode == KafkaMode::zookeeper || n.broker)
      out.emplace_back("listener_port", n.listener_port);
    if (mode == KafkaMode::kraft && n.controller)
      out.emplace_back("controller_port", n.controller_port);
    return out;
  }

  static std::string kafka_label(const KafkaNode& n) {
    return "Kafka node id " + std::to_string(n.id) + " (line " + std::to_string(n.pos.line) + ")";
  }

  void check_kafka_cluster(const Cluster& c, const KafkaSettings& k, bool mode_ok,
                           const std::vector<KafkaSource>& src) {
    const auto& nodes = c.kafka_nodes;
    // Duplicate ids.
    std::map<int, size_t> by_id;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!src[i].id_ok) continue;
      auto [it, inserted] = by_id.emplace(nodes[i].id, i);
      if (!inserted) {
        const KafkaNode& first = nodes[it->second];
        const std::string who = first.host.empty() ? "the node" : "node " + show(first.host);
        error(src[i].id, "duplicate Kafka node id " + std::to_string(nodes[i].id) +
                             ": already used by " + who + " at line " +
                             std::to_string(first.pos.line));
      }
    }

    if (!mode_ok) return;
    const bool roles_known =
        std::all_of(src.begin(), src.end(), [](const KafkaSource& s) { return s.roles_ok; });

    // Same host: Kafka against Kafka, then against ZooKeeper.
    for (size_t j = 0; j < nodes.size(); ++j) {
      if (!src[j].host_ok || !src[j].roles_ok) continue;
      for (size_t i = 0; i < j; ++i) {
        if (!src[i].host_ok || !src[i].roles_ok ||
            lowercase(nodes[i].host) != lowercase(nodes[j].host))
          continue;
        std::vector<std::pair<std::string, int>> ports_a = used_ports(nodes[i], k.mode);
        std::vector<std::pair<std::string, std::string>> dirs_a = {
            {"install_dir", nodes[i].install_dir}};
        for (const auto& dir : nodes[i].log_dirs) dirs_a.emplace_back("log dir", dir);
        check_kafka_same_host(nodes[j], src[j], k.mode, kafka_label(nodes[i]), ports_a, dirs_a);
      }
      for (const Server& s : c.servers) {
        if (s.host.empty() || lowercase(s.host) != lowercase(nodes[j].host)) continue;
        std::vector<std::pair<std::string, int>> ports_a;
        for (std::string_view key : kPortKeys)
          if (port_of(s.ports, key) != 0) ports_a.emplace_back(key, port_of(s.ports, key));
        std::vector<std::pair<std::string, std::string>> dirs_a = {{"install_dir", s.install_dir},
                                                                   {"data_dir", s.data_dir}};
        if (!s.data_log_dir.empty()) dirs_a.emplace_back("data_log_dir", s.data_log_dir);
        check_kafka_same_host(nodes[j], src[j], k.mode, "ZooKeeper " + server_label(s), ports_a,
                              dirs_a);
      }
    }

    if (k.mode != KafkaMode::kraft || nodes.empty() || !roles_known) return;
    size_t brokers = 0;
    size_t controllers = 0;
    for (const auto& n : nodes) {
      brokers += n.broker ? 1 : 0;
      controllers += n.controller ? 1 : 0;
    }
    const SourcePos first = nodes.front().pos;
    if (controllers == 0)
      error(first,
            "no controllers: kafka.mode = \"kraft\" needs at least one node with "
            "\"controller\" in its roles");
    if (brokers == 0)
      error(first, "no brokers: at least one Kafka node needs \"broker\" in its roles");
    if (controllers == 0) return;
    const std::string count = std::to_string(controllers);
    if (controllers < 3)
      warn(first, count + (controllers == 1 ? " controller" : " controllers") +
                      ": no controller failure will be tolerated; use at least 3 controllers");
    if (controllers % 2 == 0)
      warn(first, count + " controllers tolerate no more failures than " +
                      std::to_string(controllers - 1) + "; use an odd number of controllers");
  }

  // Node `b` (its sources in `sb`) shares a host with `other`, which listens on
  // `ports_a` and owns `dirs_a`: report every shared port and directory.
  void check_kafka_same_host(const KafkaNode& b, const KafkaSource& sb, KafkaMode mode,
                             const std::string& other,
                             const std::vector<std::pair<std::string, int>>& ports_a,
                             const std::vector<std::pair<std::string, std::string>>& dirs_a) {
    for (const auto& [kb, vb] : used_ports(b, mode)) {
      const Origin& ob = kb == "listener_port" ? sb.listener_port : sb.controller_port;
      for (const auto& [ka, va] : ports_a) {
        if (va != vb) continue;
        error(ob.overridden ? ob.pos : sb.host,
              "host " + show(b.host) + " port " + std::to_string(vb) + " (" + kb +
                  ") is already used by " + other + " as its " + ka);
      }
    }
    auto same_dir = [&](const std::string& dir_b, const Origin& ob, const std::string& name_b) {
      for (const auto& [name_a, dir_a] : dirs_a) {
        if (dir_a != dir_b) continue;
        error(ob.overridden ? ob.pos : sb.host, "host " + show(b.host) + " " + name_b + " " +
                                                    show(dir_b) + " is already used by " + other +
                                                    " as its " + name_a);
      }
    };
    same_dir(b.install_dir, sb.install_dir, "install_dir");
    for (const auto& dir : b.log_dirs) same_dir(dir, sb.log_dirs, "log dir");
  }

  // [kafka.config] settings sized by the brokers must not exceed their number.
  void check_sized_config(const Cluster& c, const std::vector<ConfigValue>& config,
                          const std::vector<KafkaSource>& src) {
    if (c.kafka_nodes.empty() ||
        !std::all_of(src.begin(), src.end(), [](const KafkaSource& s) { return s.roles_ok; }))
      return;
    const size_t brokers = c.brokers().size();
    if (brokers == 0) return;
    for (const ConfigValue& e : config) {
      if (std::find(kKafkaSizedKeys.begin(), kKafkaSizedKeys.end(), e.key) == kKafkaSizedKeys.end())
        continue;
      long long v = 0;
      const auto [ptr, ec] = std::from_chars(e.text.data(), e.text.data() + e.text.size(), v);
      if (ec != std::errc() || ptr != e.text.data() + e.text.size()) continue;
      if (v <= static_cast<long long>(brokers)) continue;
      warn(e.key_pos, "kafka.config: " + e.key + " = " + e.text + " is more than the " +
                          std::to_string(brokers) + (brokers == 1 ? " broker" : " brokers") +
                          " of this inventory; what needs it fails until that many brokers run");
    }
  }

  std::string file_;
  LocalFiles local_files_ = LocalFiles::must_exist;
  fs::path base_dir_;
  std::vector<Diagnostic> diags_;
};

}  // namespace

LoadResult load_string(std::string_view toml_text, const std::string& file_name,
                       const std::string& base_dir, LocalFiles local_files) {
  return Loader(file_name, base_dir, local_files).run(toml_text);
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics.push_back(
        Diagnostic{Severity::error, SourcePos{path, 0, 0},
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
