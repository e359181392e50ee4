#pragma once
// The monitoring host's Prometheus (templates/prometheus/) and the host agent's web config, from
// the inventory: scrape jobs zookeeper, kafka and host with each node's name as a label, and the
// alert rules. Pure: the certificates' deadlines come in as values.

#include <cstdint>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// Where the monitoring host keeps Prometheus' files ([monitoring] install_dir).
struct PrometheusPaths {
  std::string install_dir;
  std::string config;   // <install_dir>/prometheus.yml
  std::string rules;    // <install_dir>/rules.yml
  std::string data;     // <install_dir>/data (the TSDB, owned by the service user)
  std::string tls_dir;  // <install_dir>/tls: ca.pem and prometheus.pem (key + chain)
  std::string ca;       // <tls_dir>/ca.pem
  std::string client;   // <tls_dir>/prometheus.pem: Prometheus' client identity (secure clusters)
  std::string log;      // <install_dir>/log/prometheus.log (the log dir is the service user's)
};
PrometheusPaths prometheus_paths(const inventory::MonitoringSettings& monitoring);

// Where the host agent keeps its files on every host of the cluster.
inline constexpr const char* kHostAgentDir = "/opt/zkctl-host-agent";
struct HostAgentPaths {
  std::string dir;         // kHostAgentDir
  std::string web_config;  // <dir>/web.yml (TLS and client certificates; secure clusters)
  std::string ca;          // <dir>/ca.pem
  std::string node;        // <dir>/node.pem (key + chain)
  std::string log;         // <dir>/log/host-agent.log (the log dir is the service user's)
};
HostAgentPaths host_agent_paths();

// The distinct hosts of the cluster's nodes (ZooKeeper first, names compared case-insensitively,
// the first spelling kept): where the host agent runs.
std::vector<std::string> agent_hosts(const inventory::Cluster& cluster);

// A node certificate's deadline for the expiry alert.
struct CertDeadline {
  std::string node;       // "node1 (zookeeper 1)": who holds it
  std::string not_after;  // "2028-11-30T02:00:00Z": when it expires
  int64_t warn_at = 0;    // notAfter - 30 days, seconds since the epoch
};

// prometheus.yml (0644, root): scrape jobs for every node's metrics endpoint and every host's
// agent (when [metrics] is on), over TLS with a client certificate unless the cluster is open.
util::Result<RenderedFile> prometheus_config_file(const inventory::Cluster& cluster,
                                                  const RenderOptions& options = {});
// rules.yml (0644, root): quorum, servers and brokers, partitions, disks, and one rule per
// entry of `certs` firing from its warn_at on.
util::Result<RenderedFile> prometheus_rules_file(const inventory::Cluster& cluster,
                                                 const std::vector<CertDeadline>& certs,
                                                 const RenderOptions& options = {});
// The host agent's --web.config.file (secure clusters): its certificate, and client
// certificates from zkctl's CA required.
util::Result<RenderedFile> host_agent_web_config_file(const RenderOptions& options = {});

}  // namespace zkctl::render
