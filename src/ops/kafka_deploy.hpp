#pragma once
// The Kafka half of `zkctl deploy` (ops/deploy.cpp drives both halves): pre-flight
// first, so that a problem on any Kafka host also stops the ZooKeeper half
// before anything changes; then install, configure, format (KRaft, first deploy
// only), start, restart what changed one broker at a time, and wait until every
// broker is registered.

#include <memory>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "ops/deploy.hpp"
#include "ops/java.hpp"
#include "ops/kafka_host.hpp"

namespace zkctl::ops {

class KafkaDeployer {
 public:
  explicit KafkaDeployer(Context& ctx);
  ~KafkaDeployer();

  // The JDK to push into every node's install dir ([java]); null: the hosts' java.
  // Set before preflight(); `jdk` outlives this deployer.
  void set_jdk(const JdkPackage* jdk) { jdk_ = jdk; }

  // Render, checksum, connect and inspect every Kafka node; problems go to
  // `report.preflight`. Changes nothing.
  void preflight(DeployReport& report);

  // Add what apply() would do to `report.changes` (reads changed files for diffs).
  void describe(DeployReport& report);

  // Apply the changes preflight found; failures go to `report.failures`.
  void apply(DeployReport& report);

 private:
  struct NodePlan;
  Context& ctx_;
  std::string dist_sha_;
  std::string cluster_id_;
  const JdkPackage* jdk_ = nullptr;
  std::vector<NodePlan> plans_;
};

// Diffs of `changed` files against what the host has now (ops/deploy.cpp).
std::vector<FileChange> describe_files(remote::Remote& remote,
                                       const std::vector<const render::RenderedFile*>& changed,
                                       const std::string& host, std::chrono::seconds timeout);

// KRaft cluster ids: 16 random bytes, base64url without padding (22 characters).
std::string new_kafka_cluster_id();

}  // namespace zkctl::ops
