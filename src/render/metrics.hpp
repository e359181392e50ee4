#pragma once
// The metrics endpoints of a node ([metrics]): ZooKeeper's own Prometheus provider (zoo.cfg
// keys) on an open cluster, and the Prometheus JMX exporter Java agent (its jar on the host, the
// -javaagent flag and a rule file from templates/) in every Kafka JVM and, on a cluster whose
// zoo.cfg has TLS, in every ZooKeeper JVM: ZooKeeper 3.8/3.9's provider has no TLS
// (ZOOKEEPER-4798 is unreleased), the agent serves HTTPS with the node's certificate (a PKCS#12
// keystore built on the host from node.pem) on the node's address.

#include <string>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// zoo.cfg's metricsProvider.* lines; port 0: none.
struct ZkMetricsValues {
  std::string host;  // metricsProvider.httpHost: the server's address
  int port = 0;      // metricsProvider.httpPort
};

// Where the JMX exporter agent and its rule file live on a node (its product's config dir).
struct AgentPaths {
  std::string jar;        // <config>/jmx_prometheus_javaagent.jar: root's, pushed by deploy
  std::string rule_file;  // <config>/jmx-exporter.yml
  std::string key_store;  // <config>/tls/metrics.p12: the node's key and chain (tls only)
};
using KafkaAgentPaths = AgentPaths;

// The keystore's entry alias and password (the rule file names them; the file's mode, 0640
// root:<service group> as node.pem's, is what protects it).
inline constexpr std::string_view kAgentKeyAlias = "node";
inline constexpr std::string_view kAgentKeyStorePassword = "zkctl";

// What Kafka's jmx-exporter.yml is filled from.
struct JmxExporterValues {
  bool kraft = false;     // the KRaft quorum's metrics (raft-metrics) are kept
  std::string key_store;  // PKCS#12 keystore of the agent's HTTPS server; empty: plain HTTP
};

// What serves a ZooKeeper server's metrics: nothing (metrics off for it), ZooKeeper's own
// provider (zoo.cfg without TLS), or the JMX exporter agent over HTTPS (zoo.cfg with TLS: the
// cluster's, or an on-ramp phase's).
enum class ZkMetricsSource { none, provider, agent };
ZkMetricsSource zk_metrics_source(const inventory::Cluster& cluster,
                                  const inventory::Server& server);

// Whether some server of `cluster` has `source`.
bool any_zk_metrics_source(const inventory::Cluster& cluster, ZkMetricsSource source);

// The provider's values for `server`: none unless its source is the provider.
ZkMetricsValues zk_metrics_values(const inventory::Cluster& cluster,
                                  const inventory::Server& server);

KafkaAgentPaths kafka_agent_paths(const inventory::KafkaNode& node);
AgentPaths zookeeper_agent_paths(const inventory::Server& server);

// "-javaagent:<jar>=<host>:<port>:<rule file>" for KAFKA_OPTS; empty when the node runs no agent.
std::string kafka_agent_opts(const inventory::Cluster& cluster, const inventory::KafkaNode& node);
// The same for SERVER_JVMFLAGS (zookeeper-env.sh); empty unless the server's source is the agent.
std::string zookeeper_agent_opts(const inventory::Cluster& cluster,
                                 const inventory::Server& server);

// Kafka's rule file; fails if the keystore path is not absolute or the template does not render.
util::Result<std::string> render_jmx_exporter(const JmxExporterValues& values,
                                              const RenderOptions& options = {});
// ZooKeeper's rule file (templates/zookeeper/jmx-exporter.yml.mustache), HTTPS from `key_store`
// (absolute); the same failures.
util::Result<std::string> render_zookeeper_jmx_exporter(const std::string& key_store,
                                                        const RenderOptions& options = {});

// The rule file of `node` as a RenderedFile (0644 root); nothing when it runs no agent.
util::Result<std::vector<RenderedFile>> kafka_metrics_files(const inventory::Cluster& cluster,
                                                            const inventory::KafkaNode& node,
                                                            const RenderOptions& options = {});
// The rule file of `server` (0644 root); nothing unless its source is the agent.
util::Result<std::vector<RenderedFile>> zookeeper_metrics_files(const inventory::Cluster& cluster,
                                                                const inventory::Server& server,
                                                                const RenderOptions& options = {});

}  // namespace zkctl::render
