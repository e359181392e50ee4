#include "ops/host/metrics_agent.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "ops/host/java.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "render/metrics.hpp"
#include "render/zk_paths.hpp"

namespace zkctl::ops {

namespace {

// The bytes of local file `path`, read once per process.
util::Result<std::string> jar_bytes(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail("metrics.jmx_agent: cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return util::fail("metrics.jmx_agent: cannot read " + path);
  std::string text = std::move(bytes).str();
  if (text.rfind("PK", 0) != 0) return util::fail("metrics.jmx_agent: " + path + " is not a jar");
  return cache.emplace(path, std::move(text)).first->second;
}

// The agent jar at `path` on a host (0644 root), from [metrics] jmx_agent.
util::Result<std::vector<render::RenderedFile>> agent_jar_file(const inventory::Cluster& cluster,
                                                               const std::string& path) {
  std::vector<render::RenderedFile> files;
  auto jar = jar_bytes(cluster.metrics.kafka_agent);
  if (!jar) return jar.error();
  files.push_back(render::RenderedFile{.path = path, .content = *jar, .mode = 0644});
  return files;
}

util::Result<void> build_keystore(remote::Remote& remote, const std::string& node_pem,
                                  const std::string& key_store, const std::string& user,
                                  std::chrono::seconds timeout) {
  auto r = run_script(remote, "metrics keystore", remote::scripts::metrics_keystore,
                      {node_pem, key_store, user}, timeout);
  if (!r) return r.error();
  return {};
}

}  // namespace

util::Result<std::vector<render::RenderedFile>> kafka_agent_files(
    const inventory::Cluster& cluster, const inventory::KafkaNode& node) {
  if (node.metrics_port == 0 || cluster.metrics.kafka_agent.empty())
    return std::vector<render::RenderedFile>{};
  return agent_jar_file(cluster, render::kafka_agent_paths(node).jar);
}

util::Result<std::vector<render::RenderedFile>> zookeeper_agent_files(
    const inventory::Cluster& cluster, const inventory::Server& server) {
  if (render::zk_metrics_source(cluster, server) != render::ZkMetricsSource::agent ||
      cluster.metrics.kafka_agent.empty())
    return std::vector<render::RenderedFile>{};
  return agent_jar_file(cluster, render::zookeeper_agent_paths(server).jar);
}

util::Result<void> prepare_agent_keystore(remote::Remote& remote, const inventory::Cluster& cluster,
                                          const inventory::KafkaNode& node,
                                          std::chrono::seconds timeout) {
  if (!cluster.security.tls || node.metrics_port == 0) return {};
  return build_keystore(remote, render::kafka_paths(node).node_pem,
                        render::kafka_agent_paths(node).key_store, node.service.user, timeout);
}

util::Result<void> prepare_agent_keystore(remote::Remote& remote, const inventory::Cluster& cluster,
                                          const inventory::Server& server,
                                          std::chrono::seconds timeout) {
  if (render::zk_metrics_source(cluster, server) != render::ZkMetricsSource::agent) return {};
  return build_keystore(remote, render::zk_paths(server).node_pem,
                        render::zookeeper_agent_paths(server).key_store, server.service.user,
                        timeout);
}

std::optional<std::string> zk_provider_problem(const std::string& listing) {
  std::istringstream names(listing);
  bool provider = false;
  bool client = false;
  for (std::string name; std::getline(names, name);) {
    const auto lib = name.find("/lib/");
    if (lib == std::string::npos) continue;
    const std::string jar = name.substr(lib + 5);
    provider =
        provider || (jar.starts_with("zookeeper-prometheus-metrics-") && jar.ends_with(".jar"));
    client = client || (jar.starts_with("simpleclient-") && jar.ends_with(".jar"));
  }
  if (provider && client) return std::nullopt;
  return std::string("the distribution has no Prometheus metrics provider (lib/") +
         (provider ? "simpleclient-*.jar" : "zookeeper-prometheus-metrics-*.jar") +
         "), which [metrics] needs: use a distribution that ships it (the official "
         "apache-zookeeper-*-bin.tar.gz does) or set [metrics] enabled = false";
}

std::optional<std::string> metrics_problem(const inventory::Cluster& cluster, const Tier& tier) {
  if (!cluster.metrics.enabled || tier.product() != render::Product::zookeeper) return std::nullopt;
  // Only ZooKeeper's own provider needs its jars (the agent serves a zoo.cfg with TLS).
  if (!render::any_zk_metrics_source(cluster, render::ZkMetricsSource::provider))
    return std::nullopt;
  auto listing = distribution_listing(tier.distribution());
  if (!listing) return listing.error().message;
  return zk_provider_problem(*listing);
}

}  // namespace zkctl::ops
