#pragma once
// `zkctl pki rotate`: every node certificate (and zkctl's admin identity) reissued by the
// cluster's CA, pushed, and picked up without a restart where the product reloads it:
// ZooKeeper watches its PEM files (sslQuorumReloadCertFiles for the quorum, client.certReload
// for the client port, 3.7.2 / 3.8.1 / 3.9.0 on), a Kafka broker re-reads its listeners'
// stores when dynamic config sets them again (kafka/reload-tls.sh). Anything else restarts in
// the tier's gated roll, with the reason. The cluster must match its inventory otherwise
// (deploy first), and every node must run.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ops/component.hpp"
#include "ops/host/java.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

// How a node picks up its new certificate, and why.
struct Pickup {
  enum class How { reload, restart } how = How::reload;
  std::string reason;
};

// ZooKeeper of version `v`: reload from 3.7.2, 3.8.1 and 3.9.0 on (client.certReload; the
// quorum reloads since 3.5.5), else restart (the client port reads its certificate at start).
Pickup zookeeper_pickup(const DistVersion& v);
// A Kafka node: a broker reloads through dynamic config; a KRaft controller restarts (zkctl
// does not reconfigure a CONTROLLER listener at run time).
Pickup kafka_pickup(const inventory::KafkaNode& node);
// `p` for a node whose JVM also runs the metrics agent over HTTPS (a TLS cluster with
// [metrics] jmx_agent): the JMX exporter 1.x reads its keystore only when the JVM starts, so a
// reload becomes a restart (else the metrics endpoint would keep the old certificate).
Pickup with_https_metrics_agent(Pickup p);

enum class RotateMode { dry_run, apply };

struct RotatedNode {
  std::string label;  // "node1", "node1 (kafka 11)"
  std::string kind;   // "zookeeper" / "kafka"
  Pickup pickup;
  int pid_before = 0;  // 0: unknown
  int pid_after = 0;
};

struct RotateReport {
  std::vector<std::string> refusals;  // why nothing was changed (exit 4/5)
  std::vector<RotatedNode> nodes;     // every node, with its decision (and PIDs once applied)
  std::vector<runner::HostResult> failures;
  int reloaded = 0;
  int restarted = 0;
  double seconds = 0;
  bool failed() const { return !failures.empty(); }
};

// The pieces a rotation is made of, shared by `pki rotate` and `pki rotate --ca` (ca_rotate).
// One node while rotating: its tier, rendered files, decision and PID.
struct RotationWork {
  Component* node = nullptr;
  Tier* tier = nullptr;
  std::vector<render::RenderedFile> files;
  Pickup pickup;
  std::optional<int> pid;
};
// A PEM file of a node (key, chain, CA): what a rotation may change without a deploy.
bool is_tls_file(const render::RenderedFile& f);
// Every node of `tiers`, with its pickup decision.
std::vector<RotationWork> rotation_work(const inventory::Cluster& cluster,
                                        std::vector<std::unique_ptr<Tier>>& tiers);
// Render and inspect every node of `work` (PIDs, the files' checksums on the host); a node
// down, unreachable or holding a non-TLS file that differs from the rendering is one line of
// the result (then nothing may change).
std::vector<std::string> survey_rotation(Context& ctx, std::vector<RotationWork>& work);
// Push `w`'s TLS files that differ from what its inspect found (all of them with
// PushWhat::all) and, for a broker, have it re-read its listeners' stores.
enum class PushWhat { changed, all };
util::Result<void> push_and_reload(Context& ctx, RotationWork& w, PushWhat what);
// Restart, tier by tier in each tier's order and gates, the nodes of `work` whose pickup is a
// restart and `wanted` accepts; counts them in `report`, stops at the first failure.
void restart_where_needed(Context& ctx, std::vector<std::unique_ptr<Tier>>& tiers,
                          std::vector<RotationWork>& work, RotateReport& report,
                          const std::function<bool(const RotationWork&)>& wanted);

// Decide for every node and, with RotateMode::apply, reissue, push, reload or restart. The
// context must use PkiUse::issue to apply (PkiUse::existing is enough for a dry run).
RotateReport rotate_node_certificates(Context& ctx, RotateMode mode);

}  // namespace zkctl::ops
