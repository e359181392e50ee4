#include "render/zookeeper.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <set>
#include <string_view>

#include "render/guards.hpp"
#include "render/security.hpp"
#include "render/systemd.hpp"
#include "render/zk_paths.hpp"
#include "util/quote.hpp"

namespace zkctl::render {

namespace {

using kainjow::mustache::data;

constexpr int kMinId = 1;
constexpr int kMaxId = 255;

// zoo.cfg keys zkctl writes itself: an extra key repeating one would silently
// win (Java properties keep the last), so zkctl's view of the node would be wrong.
constexpr std::array<std::string_view, 11> kManagedKeys = {"tickTime",
                                                           "initLimit",
                                                           "syncLimit",
                                                           "dataDir",
                                                           "dataLogDir",
                                                           "clientPort",
                                                           "4lw.commands.whitelist",
                                                           "admin.enableServer",
                                                           "admin.serverPort",
                                                           "peerType",
                                                           "dynamicConfigFile"};

bool is_managed_key(std::string_view key) {
  return std::find(kManagedKeys.begin(), kManagedKeys.end(), key) != kManagedKeys.end() ||
         key.starts_with("server.");
}

// Keys zkctl writes besides those when the cluster has TLS, and the families they belong to
// (another member of the family would change what zkctl configured).
constexpr std::array<std::string_view, 9> kTlsManagedKeys = {
    "secureClientPort", "serverCnxnFactory", "sslQuorum", "portUnification",
    "client.portUnification", "X509AuthenticationProvider.superUser", "admin.serverAddress",
    // Certificate rotation without a restart (quorum; client port from 3.7.2, 3.8.1, 3.9.0).
    "sslQuorumReloadCertFiles", "client.certReload"};

bool is_tls_managed_key(std::string_view key) {
  return is_managed_key(key) ||
         std::find(kTlsManagedKeys.begin(), kTlsManagedKeys.end(), key) != kTlsManagedKeys.end() ||
         key.starts_with("ssl.") || key.starts_with("authProvider.");
}

util::Result<void> check_properties_value(const std::string& what, std::string_view value) {
  return render::check_properties_value(what, value, "zoo.cfg");
}

util::Result<void> check_id(const std::string& what, int id) {
  if (id < kMinId || id > kMaxId) {
    return util::fail(what + " " + num(id) + " is outside " + num(kMinId) + ".." + num(kMaxId));
  }
  return {};
}

util::Result<void> check_zoo_cfg_tls(const ZooCfgTls& tls) {
  for (const auto& [what, path] : {std::pair{"ssl.keyStore.location", &tls.key_store},
                                   std::pair{"ssl.trustStore.location", &tls.trust_store}}) {
    if (auto r = check_properties_value(what, *path); !r) return r;
    if (auto r = check_absolute(what, *path); !r) return r;
  }
  return check_properties_value("X509AuthenticationProvider.superUser", tls.super_user);
}

util::Result<void> check_zoo_cfg(const ZooCfgValues& v) {
  if (auto r = check_properties_value("dataDir", v.data_dir); !r) return r;
  if (auto r = check_properties_value("dataLogDir", v.data_log_dir); !r) return r;
  if (auto r = check_properties_value("metricsProvider.httpHost", v.metrics.host); !r) return r;
  if (v.four_letter_words.empty()) return util::fail("4lw.commands.whitelist is empty");
  for (const auto& word : v.four_letter_words) {
    const std::string what = "four-letter word '" + word + "'";
    if (auto r = check_properties_value(what, word); !r) return r;
    if (word.empty() || word.find_first_of(", ") != std::string::npos) {
      return util::fail(what + " is empty or holds a ',' or space");
    }
  }
  std::set<int> ids;
  for (const auto& s : v.servers) {
    const std::string what = "server." + num(s.id);
    if (auto r = check_id("server id", s.id); !r) return r;
    if (!ids.insert(s.id).second) return util::fail("server id " + num(s.id) + " appears twice");
    if (s.host.empty()) return util::fail(what + " has an empty host");
    if (auto r = check_properties_value(what + " host", s.host); !r) return r;
    if (s.host.find_first_of(" =") != std::string::npos) {
      return util::fail(what + " host '" + s.host + "' contains a space or '='");
    }
  }
  if (v.tls) {
    if (auto r = check_zoo_cfg_tls(*v.tls); !r) return r;
  }
  for (const auto& [key, value] : v.extra_config) {
    if (auto r = check_extra_key("zoo.cfg", key, v.tls ? is_tls_managed_key : is_managed_key); !r)
      return r;
    if (v.metrics.port != 0 && key.starts_with("metricsProvider."))
      return util::fail("zoo.cfg extra key '" + key + "' is set by zkctl from [metrics]");
    if (auto r = check_properties_value("zoo.cfg extra key '" + key + "' value", value); !r) {
      return r;
    }
  }
  return {};
}

// The on-ramp's ZooKeeper steps: port unification, then quorum TLS, then plaintext off.
void set_onramp_phase(inventory::SecurityPhase phase, ZooCfgTls& tls) {
  using inventory::SecurityPhase;
  const bool plaintext_kept = phase < SecurityPhase::zk_plaintext_off;
  tls.plaintext_client = plaintext_kept;
  tls.port_unification = plaintext_kept;
  tls.ssl_quorum = phase >= SecurityPhase::zk_quorum_tls;
}

}  // namespace

bool zookeeper_tls_rendered(const inventory::Cluster& cluster) {
  if (!cluster.onramp) return cluster.security.tls;
  return cluster.onramp->security.tls && cluster.onramp->phase != inventory::SecurityPhase::open;
}

ZooCfgValues zoo_cfg_values(const inventory::Cluster& cluster, const inventory::Server& server) {
  const ZkPaths paths = zk_paths(server);
  ZooCfgValues v;
  v.tick_time_ms = cluster.zookeeper.tick_time_ms;
  v.init_limit = cluster.zookeeper.init_limit;
  v.sync_limit = cluster.zookeeper.sync_limit;
  v.data_dir = paths.data_dir;
  v.data_log_dir = paths.data_log_dir;
  v.client_port = server.ports.client;
  v.four_letter_words = cluster.zookeeper.four_letter_words;
  v.admin_port = server.ports.admin;
  v.role = server.role;
  for (const auto& s : cluster.servers) {
    v.servers.push_back(ZooCfgServer{
        .id = s.id,
        .host = s.host,
        .peer_port = s.ports.peer,
        .election_port = s.ports.election,
        .role = s.role,
    });
  }
  std::stable_sort(v.servers.begin(), v.servers.end(),
                   [](const ZooCfgServer& a, const ZooCfgServer& b) { return a.id < b.id; });
  v.extra_config = cluster.zookeeper.extra_config;
  v.metrics = zk_metrics_values(cluster, server);
  if (zookeeper_tls_rendered(cluster)) {
    const inventory::SecuritySettings& security = rendered_security(cluster);
    const bool authenticated = security.authentication != inventory::Authentication::none;
    v.tls = ZooCfgTls{
        .key_store = paths.node_pem,
        .trust_store = paths.ca_pem,
        .client_auth = authenticated,
        .super_user = authenticated ? subject_dn(kAdminCommonName, cluster.name) : std::string(),
    };
    if (cluster.onramp) set_onramp_phase(cluster.onramp->phase, *v.tls);
  }
  return v;
}

ZkEnvValues zk_env_values(const inventory::Cluster& cluster, const inventory::Server& server) {
  ZkEnvValues v;
  v.log_dir = zk_paths(server).log_dir;
  v.heap_mb = cluster.zookeeper.heap_mb;
  v.java_home = server.java_home;  // [java]: the pushed JDK; else empty (the hosts' java)
  v.server_jvmflags = zookeeper_agent_opts(cluster, server);  // [metrics] on a TLS zoo.cfg
  return v;
}

MyidValues myid_values(const inventory::Server& server) {
  return MyidValues{.id = server.id};
}

util::Result<std::string> render_zoo_cfg(const ZooCfgValues& values, const RenderOptions& options) {
  if (auto r = check_zoo_cfg(values); !r) return r.error();
  data d;
  d.set("tick_time_ms", num(values.tick_time_ms));
  d.set("init_limit", num(values.init_limit));
  d.set("sync_limit", num(values.sync_limit));
  d.set("data_dir", values.data_dir);
  d.set("has_data_log_dir", data(!values.data_log_dir.empty()));
  d.set("data_log_dir", values.data_log_dir);
  d.set("client_port", num(values.client_port));
  std::string words;
  for (const auto& w : values.four_letter_words) words += (words.empty() ? "" : ",") + w;
  d.set("four_letter_words", words);
  d.set("admin_enabled", data(values.admin_port != 0));
  d.set("admin_port", num(values.admin_port));
  d.set("is_observer", data(values.role == inventory::Role::observer));
  data servers{data::type::list};
  for (const auto& s : values.servers) {
    data item;
    item.set("id", num(s.id));
    item.set("host", bracketed(s.host));
    item.set("peer_port", num(s.peer_port));
    item.set("election_port", num(s.election_port));
    item.set("server_is_observer", data(s.role == inventory::Role::observer));
    servers.push_back(item);
  }
  d.set("servers", servers);
  d.set("extra_config", key_value_list(values.extra_config));
  d.set("metrics", data(values.metrics.port != 0));
  d.set("metrics_host", values.metrics.host);
  d.set("metrics_port", num(values.metrics.port));
  d.set("tls", data(values.tls.has_value()));
  if (values.tls) {
    d.set("key_store", values.tls->key_store);
    d.set("trust_store", values.tls->trust_store);
    d.set("client_auth", std::string(values.tls->client_auth ? "need" : "none"));
    d.set("x509", data(!values.tls->super_user.empty()));
    d.set("super_user", values.tls->super_user);
    d.set("plaintext_client", data(values.tls->plaintext_client));
    d.set("port_unification", data(values.tls->port_unification));
    d.set("ssl_quorum", data(values.tls->ssl_quorum));
  }
  return render_template("zookeeper/zoo.cfg.mustache", d, options);
}

util::Result<std::string> render_zk_env(const ZkEnvValues& values, const RenderOptions& options) {
  if (auto r = check_single_line("ZOO_LOG_DIR", values.log_dir); !r) return r.error();
  if (auto r = check_single_line("SERVER_JVMFLAGS", values.server_jvmflags); !r) return r.error();
  if (auto r = check_single_line("ZOO_LOG4J_PROP", values.log4j_prop); !r) return r.error();
  if (auto r = check_single_line("JAVA_HOME", values.java_home); !r) return r.error();
  if (values.heap_mb <= 0) return util::fail("heap " + num(values.heap_mb) + " MB is not positive");
  // The file is sourced by a shell: every value enters the template quoted.
  data d;
  d.set("log_dir", util::shell_quote(values.log_dir));
  d.set("heap_mb", util::shell_quote(num(values.heap_mb)));
  d.set("server_jvmflags", util::shell_quote(values.server_jvmflags));
  d.set("log4j_prop", util::shell_quote(values.log4j_prop));
  d.set("has_java_home", data(!values.java_home.empty()));
  d.set("java_home", util::shell_quote(values.java_home));
  return render_template("zookeeper/zookeeper-env.sh.mustache", d, options);
}

util::Result<std::string> render_myid(const MyidValues& values, const RenderOptions& options) {
  if (auto r = check_id("myid", values.id); !r) return r.error();
  data d;
  d.set("id", num(values.id));
  return render_template("zookeeper/myid.mustache", d, options);
}

util::Result<std::vector<RenderedFile>> render_zookeeper_node(const inventory::Cluster& cluster,
                                                              const inventory::Server& server,
                                                              const RenderOptions& options,
                                                              const TlsMaterial* tls) {
  const auto prefix = [&](const util::Error& e) { return on_node(server, e); };
  if (auto r = check_security(cluster.security); !r) return prefix(r.error());
  if (tls != nullptr && !holds_tls_files(cluster)) {
    return prefix(util::fail("TLS material given for a cluster without [security] tls"));
  }
  if (auto r = check_member(cluster.servers, server, "server", cluster.name); !r)
    return prefix(r.error());
  if (auto r = check_absolute("install_dir", server.install_dir); !r) return prefix(r.error());
  if (auto r = check_absolute("data_dir", server.data_dir); !r) return prefix(r.error());
  if (!server.data_log_dir.empty()) {
    if (auto r = check_absolute("data_log_dir", server.data_log_dir); !r) return prefix(r.error());
  }

  const ZkPaths paths = zk_paths(server);
  auto zoo_cfg = render_zoo_cfg(zoo_cfg_values(cluster, server), options);
  if (!zoo_cfg) return prefix(zoo_cfg.error());
  auto myid = render_myid(myid_values(server), options);
  if (!myid) return prefix(myid.error());
  auto env = render_zk_env(zk_env_values(cluster, server), options);
  if (!env) return prefix(env.error());

  std::vector<RenderedFile> files;
  files.push_back(config_file(paths.zoo_cfg, std::move(*zoo_cfg), cluster.zookeeper.extra_config));
  files.push_back(RenderedFile{
      .path = paths.myid, .content = std::move(*myid), .mode = 0644, .owner = FileOwner::service});
  files.push_back(RenderedFile{.path = paths.env_file, .content = std::move(*env), .mode = 0644});
  if (server.service.launcher == inventory::Launcher::systemd) {
    auto unit = zookeeper_unit_file(cluster, server, options);
    if (!unit) return prefix(unit.error());
    files.push_back(std::move(*unit));
  }
  auto metrics = zookeeper_metrics_files(cluster, server, options);
  if (!metrics) return prefix(metrics.error());
  std::move(metrics->begin(), metrics->end(), std::back_inserter(files));
  if (tls != nullptr) {
    auto tls_files = zookeeper_tls_files(server, *tls);
    if (!tls_files) return tls_files.error();
    std::move(tls_files->begin(), tls_files->end(), std::back_inserter(files));
  }
  return files;
}

}  // namespace zkctl::render
