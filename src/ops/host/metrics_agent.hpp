#pragma once
// The Prometheus JMX exporter Java agent ([metrics] jmx_agent) as one more file of a Kafka node,
// and of a ZooKeeper server whose zoo.cfg has TLS: deploy compares its checksum with the host's
// like any rendered file, so the jar is pushed only when it changed (and a changed jar restarts
// the node, as a changed config does).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/component.hpp"
#include "remote/remote.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// The agent jar of `node` (<config>/jmx_prometheus_javaagent.jar, 0644 root) read from
// [metrics] jmx_agent; nothing when the node runs no agent. The jar is read once per process.
util::Result<std::vector<render::RenderedFile>> kafka_agent_files(const inventory::Cluster& cluster,
                                                                  const inventory::KafkaNode& node);
// The same for a ZooKeeper server (<conf>/jmx_prometheus_javaagent.jar) whose metrics the agent
// serves (render::zk_metrics_source).
util::Result<std::vector<render::RenderedFile>> zookeeper_agent_files(
    const inventory::Cluster& cluster, const inventory::Server& server);

// On a cluster with [security] tls, build the agent's keystore from the node's node.pem on the
// host (remote-scripts/metrics/keystore.sh: only when missing or node.pem changed); else nothing.
util::Result<void> prepare_agent_keystore(remote::Remote& remote, const inventory::Cluster& cluster,
                                          const inventory::KafkaNode& node,
                                          std::chrono::seconds timeout);
// The same for a ZooKeeper server whose metrics the agent serves (<conf>/tls/metrics.p12).
util::Result<void> prepare_agent_keystore(remote::Remote& remote, const inventory::Cluster& cluster,
                                          const inventory::Server& server,
                                          std::chrono::seconds timeout);

// The pre-flight problem of a ZooKeeper distribution tarball whose member `listing` (tar -tzf)
// lacks the Prometheus provider ZooKeeper would load for [metrics] (lib/
// zookeeper-prometheus-metrics-*.jar and simpleclient*.jar); nullopt when it has them.
std::optional<std::string> zk_provider_problem(const std::string& listing);

// zk_provider_problem of `tier`'s distribution when it is ZooKeeper's and a server of it runs
// the provider (an open zoo.cfg with [metrics] on).
std::optional<std::string> metrics_problem(const inventory::Cluster& cluster, const Tier& tier);

}  // namespace zkctl::ops
