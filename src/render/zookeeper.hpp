#pragma once
// The files a ZooKeeper node needs (zoo.cfg, myid, zookeeper-env.sh): values
// built from the inventory by pure functions, then filled into templates.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/metrics.hpp"
#include "render/rendered_file.hpp"
#include "render/tls_files.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// One `server.N=host:peer:election[:observer]` line.
struct ZooCfgServer {
  int id = 0;
  std::string host;  // IPv6 literals are bracketed when rendered
  int peer_port = 0;
  int election_port = 0;
  inventory::Role role = inventory::Role::voter;  // observer: ":observer" suffix
};

// zoo.cfg's TLS on a cluster with [security] tls: the client port becomes secureClientPort
// (Netty), the quorum and election links use TLS too (sslQuorum), both with the same PEM files.
struct ZooCfgTls {
  std::string key_store;    // node.pem: ssl.keyStore.location and ssl.quorum.keyStore.location
  std::string trust_store;  // ca.pem: ssl.trustStore.location and ssl.quorum.trustStore.location
  bool client_auth = true;  // ssl.clientAuth=need (clients present a certificate), else none
  std::string super_user;   // X509AuthenticationProvider.superUser (zkctl-admin's DN), with
                            // authProvider.x509; empty: no x509 provider (authentication none)
  // The on-ramp's transitional settings (the defaults: TLS only, as a secure cluster runs).
  bool plaintext_client = false;  // clientPort with client.portUnification (TLS and plaintext)
  bool port_unification = false;  // portUnification: the quorum accepts TLS and plaintext
  bool ssl_quorum = true;         // sslQuorum: the quorum connects over TLS
};

// Everything zoo.cfg (templates/zookeeper/zoo.cfg.mustache) is filled from.
struct ZooCfgValues {
  int tick_time_ms = 0;
  int init_limit = 0;
  int sync_limit = 0;
  std::string data_dir;
  std::string data_log_dir;  // empty: no dataLogDir line
  int client_port = 0;       // clientPort; with tls: secureClientPort (no plaintext port at all)
  std::vector<std::string> four_letter_words;  // 4lw.commands.whitelist, in order
  int admin_port = 0;  // 0: admin.enableServer=false; with tls bound to 127.0.0.1 (no TLS there)
  inventory::Role role = inventory::Role::voter;                  // observer: peerType=observer
  std::vector<ZooCfgServer> servers;                              // every server, sorted by id
  std::vector<std::pair<std::string, std::string>> extra_config;  // inventory order
  std::optional<ZooCfgTls> tls;  // empty: plaintext (a cluster without [security] tls)
  ZkMetricsValues metrics;       // [metrics]: the Prometheus provider (no TLS); port 0: none
};

// Everything zookeeper-env.sh (templates/zookeeper/zookeeper-env.sh.mustache) is
// filled from. Raw values: rendering shell-quotes each one.
struct ZkEnvValues {
  std::string log_dir;                          // ZOO_LOG_DIR
  int heap_mb = 0;                              // ZK_SERVER_HEAP (zkEnv.sh adds -Xmx<N>m)
  std::string server_jvmflags;                  // SERVER_JVMFLAGS: the JMX exporter agent, if any
  std::string log4j_prop = "INFO,ROLLINGFILE";  // ZOO_LOG4J_PROP
  std::string java_home;                        // JAVA_HOME; empty: line omitted
};

// What myid (templates/zookeeper/myid.mustache) is filled from.
struct MyidValues {
  int id = 0;  // 1..255
};

// Whether zoo.cfg has TLS: the cluster's, or from the on-ramp's first phase on.
bool zookeeper_tls_rendered(const inventory::Cluster& cluster);

// zoo.cfg values for `server` in `cluster`.
ZooCfgValues zoo_cfg_values(const inventory::Cluster& cluster, const inventory::Server& server);

// zookeeper-env.sh values for `server` in `cluster`.
ZkEnvValues zk_env_values(const inventory::Cluster& cluster, const inventory::Server& server);

// myid values for `server`.
MyidValues myid_values(const inventory::Server& server);

// Fill each template from its values. Fail if a value would break the file's
// format: a newline or control character anywhere, a backslash in zoo.cfg (Java
// properties escapes) or non-ASCII byte in zoo.cfg, an empty 4lw whitelist, a
// malformed or zkctl-managed extra key, an id outside 1..255 or repeated.
util::Result<std::string> render_zoo_cfg(const ZooCfgValues& values,
                                         const RenderOptions& options = {});
util::Result<std::string> render_zk_env(const ZkEnvValues& values,
                                        const RenderOptions& options = {});
util::Result<std::string> render_myid(const MyidValues& values, const RenderOptions& options = {});

// The three files of `server` (zoo.cfg, myid, zookeeper-env.sh; mode 0644) at
// the paths zk_paths() gives, its systemd unit with that launcher, the JMX exporter agent's
// rule file when the agent serves its metrics, and with `tls` (PEM texts
// for a cluster with [security] tls) zookeeper_tls_files() too; without it a secure
// cluster's configs render all the same, with no key files (`zkctl render`). Fails if
// `server` is not in `cluster`, ids repeat, a path is not absolute, [security] is a
// combination check_security refuses, `tls` is given to a cluster without TLS, or any
// render_* above fails.
util::Result<std::vector<RenderedFile>> render_zookeeper_node(const inventory::Cluster& cluster,
                                                              const inventory::Server& server,
                                                              const RenderOptions& options = {},
                                                              const TlsMaterial* tls = nullptr);

}  // namespace zkctl::render
