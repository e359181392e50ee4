#include "render/systemd.hpp"

#include "render/kafka_paths.hpp"
#include "render/metrics.hpp"
#include "render/zk_paths.hpp"

namespace zkctl::render {

namespace {

using kainjow::mustache::data;

// systemd expands '%' specifiers everywhere in a unit and, in ExecStart, '$'
// variables; inside double quotes '\' and '"' are escapes.
// Where a quoted value goes: ExecStart also expands `$` variables.
enum class QuotedIn { exec_start, assignment };

std::string escape_quoted(const std::string& s, QuotedIn where) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '%') {
      out += "%%";
    } else if (c == '$' && where == QuotedIn::exec_start) {
      out += "$$";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string escape_specifiers(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

bool plain_user(const std::string& u) {
  if (u.empty() || u.size() > 32) return false;
  if (!((u[0] >= 'a' && u[0] <= 'z') || u[0] == '_')) return false;
  for (char c : u)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

bool env_name(const std::string& n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  for (char c : n)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

}  // namespace

std::string unit_name(const std::string& cluster, Product product, const std::string& suffix) {
  const char* kind = product == Product::zookeeper    ? "-zookeeper"
                     : product == Product::kafka      ? "-kafka"
                     : product == Product::host_agent ? "-host-agent"
                                                      : "-prometheus";
  return "zkctl-" + cluster + kind + suffix + ".service";
}

namespace {

// What every unit of `product` running `node` says: who, as whom, from where
// (the environment is the caller's).
SystemdUnitValues node_unit_values(Product product, const inventory::Cluster& cluster,
                                   const inventory::Node& node, const InstallPaths& p) {
  SystemdUnitValues v;
  v.product = product;
  v.cluster = cluster.name;
  v.id = node.id;
  v.unit_suffix = node.service.unit_suffix;
  v.user = node.service.user;
  v.working_dir = p.install_dir;
  return v;
}

}  // namespace

SystemdUnitValues zookeeper_unit_values(const inventory::Cluster& cluster,
                                        const inventory::Server& server) {
  const ZkPaths p = zk_paths(server);
  SystemdUnitValues v = node_unit_values(Product::zookeeper, cluster, server, p);
  v.exec_start = {p.current_link + "/bin/zkServer.sh", "start-foreground"};
  v.environment.emplace_back("ZOOCFGDIR", p.conf_dir);
  v.environment.emplace_back("ZOO_LOG_DIR", p.log_dir);
  v.environment.emplace_back("ZK_SERVER_HEAP", std::to_string(cluster.zookeeper.heap_mb));
  if (!server.java_home.empty()) v.environment.emplace_back("JAVA_HOME", server.java_home);
  v.timeout_stop_s = 30;
  return v;
}

SystemdUnitValues kafka_unit_values(const inventory::Cluster& cluster,
                                    const inventory::KafkaNode& node) {
  const KafkaPaths p = kafka_paths(node);
  const int heap = cluster.kafka ? cluster.kafka->heap_mb : 512;
  SystemdUnitValues v = node_unit_values(Product::kafka, cluster, node, p);
  v.exec_start = {p.current_link + "/bin/kafka-server-start.sh", p.server_properties};
  v.environment.emplace_back("KAFKA_HEAP_OPTS",
                             "-Xmx" + std::to_string(heap) + "m -Xms" + std::to_string(heap) + "m");
  v.environment.emplace_back("LOG_DIR", p.log_dir);
  if (!node.java_home.empty()) v.environment.emplace_back("JAVA_HOME", node.java_home);
  if (auto opts = kafka_agent_opts(cluster, node); !opts.empty())
    v.environment.emplace_back("KAFKA_OPTS", opts);
  v.timeout_stop_s = 120;
  return v;
}

util::Result<std::string> render_systemd_unit(const SystemdUnitValues& values,
                                              const RenderOptions& options) {
  if (!plain_user(values.user))
    return util::fail("User= '" + values.user + "' is not a plain user name");
  if (values.exec_start.empty() || values.exec_start.front().empty() ||
      values.exec_start.front().front() != '/')
    return util::fail("ExecStart= needs an absolute program path");
  if (auto r = check_single_line("WorkingDirectory", values.working_dir); !r) return r.error();
  if (auto r = check_single_line("cluster name", values.cluster); !r) return r.error();
  std::string exec;
  for (const auto& a : values.exec_start) {
    if (auto r = check_single_line("ExecStart argument", a); !r) return r.error();
    exec += (exec.empty() ? "" : " ") + escape_quoted(a, QuotedIn::exec_start);
  }
  data env{data::type::list};
  for (const auto& [k, v] : values.environment) {
    if (!env_name(k)) return util::fail("Environment name '" + k + "' is not a variable name");
    if (auto r = check_single_line("Environment " + k, v); !r) return r.error();
    data item;
    item.set("assignment", escape_quoted(k + "=" + v, QuotedIn::assignment));
    env.push_back(item);
  }
  data d;
  d.set("cluster", escape_specifiers(values.cluster));
  d.set("id", std::to_string(values.id));
  d.set("user", values.user);
  d.set("working_dir", escape_specifiers(values.working_dir));
  d.set("environment", env);
  d.set("exec_start", exec);
  d.set("limit_nofile", std::to_string(values.limit_nofile));
  d.set("timeout_stop_s", std::to_string(values.timeout_stop_s));
  return render_template(values.product == Product::zookeeper ? "systemd/zookeeper.service.mustache"
                                                              : "systemd/kafka.service.mustache",
                         d, options);
}

namespace {

// The unit rendered from `values`, as the file it is written to.
util::Result<RenderedFile> unit_file(const std::string& cluster, const SystemdUnitValues& values,
                                     const RenderOptions& options) {
  auto text = render_systemd_unit(values, options);
  if (!text) return text.error();
  return RenderedFile{.path = std::string(kSystemdUnitDir) + "/" +
                              unit_name(cluster, values.product, values.unit_suffix),
                      .content = std::move(*text),
                      .mode = 0644,
                      .owner = FileOwner::root};
}

}  // namespace

util::Result<RenderedFile> zookeeper_unit_file(const inventory::Cluster& cluster,
                                               const inventory::Server& server,
                                               const RenderOptions& options) {
  return unit_file(cluster.name, zookeeper_unit_values(cluster, server), options);
}

util::Result<RenderedFile> kafka_unit_file(const inventory::Cluster& cluster,
                                           const inventory::KafkaNode& node,
                                           const RenderOptions& options) {
  return unit_file(cluster.name, kafka_unit_values(cluster, node), options);
}

}  // namespace zkctl::render
