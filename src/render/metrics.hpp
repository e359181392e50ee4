#pragma once
// The metrics endpoints of a node ([metrics]): ZooKeeper's own Prometheus provider (zoo.cfg
// keys) and the Prometheus JMX exporter Java agent in every Kafka JVM (its jar on the host,
// the -javaagent flag and its rule file, templates/kafka/jmx-exporter.yml.mustache).
// ZooKeeper 3.8/3.9's provider has no TLS (ZOOKEEPER-4798 is unreleased): on a cluster with
// [security] tls it listens on 127.0.0.1 only, like the AdminServer. The Kafka agent serves
// HTTPS there with the node's certificate (a PKCS#12 keystore built on the host from node.pem).

#include <string>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// zoo.cfg's metricsProvider.* lines; port 0: none.
struct ZkMetricsValues {
  std::string host;  // metricsProvider.httpHost: the server's address, 127.0.0.1 with tls
  int port = 0;      // metricsProvider.httpPort
};

// Where the JMX exporter agent and its rule file live on a Kafka node.
struct KafkaAgentPaths {
  std::string jar;        // <config>/jmx_prometheus_javaagent.jar: root's, pushed by deploy
  std::string rule_file;  // <config>/jmx-exporter.yml
  std::string key_store;  // <config>/tls/metrics.p12: the node's key and chain (tls only)
};

// The keystore's entry alias and password (the rule file names them; the file's mode, 0640
// root:<service group> as node.pem's, is what protects it).
inline constexpr std::string_view kAgentKeyAlias = "node";
inline constexpr std::string_view kAgentKeyStorePassword = "zkctl";

// What jmx-exporter.yml is filled from.
struct JmxExporterValues {
  bool kraft = false;     // the KRaft quorum's metrics (raft-metrics) are kept
  std::string key_store;  // PKCS#12 keystore of the agent's HTTPS server; empty: plain HTTP
};

// Where ZooKeeper's provider listens: loopback when its zoo.cfg has TLS (the cluster's, or an
// on-ramp phase's), the provider serving none.
enum class ZkMetricsBind { node_address, loopback };

// The provider's values for `server`: none when metrics are off for it.
ZkMetricsValues zk_metrics_values(ZkMetricsBind bind, const inventory::Server& server);

KafkaAgentPaths kafka_agent_paths(const inventory::KafkaNode& node);

// "-javaagent:<jar>=<host>:<port>:<rule file>" for KAFKA_OPTS; empty when the node runs no agent.
std::string kafka_agent_opts(const inventory::Cluster& cluster, const inventory::KafkaNode& node);

// The rule file; fails if the keystore path is not absolute or the template does not render.
util::Result<std::string> render_jmx_exporter(const JmxExporterValues& values,
                                              const RenderOptions& options = {});

// The rule file of `node` as a RenderedFile (0644 root); nothing when it runs no agent.
util::Result<std::vector<RenderedFile>> kafka_metrics_files(const inventory::Cluster& cluster,
                                                            const inventory::KafkaNode& node,
                                                            const RenderOptions& options = {});

}  // namespace zkctl::render
