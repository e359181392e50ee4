#pragma once
// What zkctl does on one Kafka host; like zk_host, every action is a constant
// script with quoted positional arguments, one SSH round trip where possible.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "ops/host/java.hpp"
#include "ops/host/launcher.hpp"
#include "ops/zookeeper/host.hpp"
#include "remote/remote.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One Kafka host as found before any change.
struct KafkaFacts : CommonFacts {
  std::map<std::string, std::string> meta;  // meta.properties of the first log dir (empty: none)
  std::string installed_version;  // of current/libs/kafka-clients-X.Y.Z.jar ("3.8.1"); "": none
};

KafkaFacts parse_kafka_facts(const std::string& output);

util::Result<KafkaFacts> inspect_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                                       const std::vector<render::RenderedFile>& files,
                                       std::chrono::seconds timeout);

// Problems that stop a deploy before anything changes. `cluster_id`: the id the
// node's storage must carry (kraft; empty: not known yet); `java`: what the
// distribution needs (java_need_of), checked when no JDK is pushed.
std::vector<std::string> kafka_preflight_problems(const inventory::KafkaNode& node,
                                                  const KafkaFacts& facts,
                                                  const std::string& cluster_id,
                                                  const JavaNeed& java);

// Create config/log/data dirs and copy the distribution's log4j config into config/.
util::Result<void> prepare_kafka_dirs(remote::Remote& remote, const inventory::KafkaNode& node,
                                      std::chrono::seconds timeout);

// KRaft: format the storage with `cluster_id` unless meta.properties exists
// (never re-formats). Returns true if it formatted. `quorum_args`: a dynamic quorum's
// --initial-controllers LIST / --no-initial-controllers (ops/kafka/quorum, #15).
util::Result<bool> format_kafka_storage(remote::Remote& remote, const inventory::KafkaNode& node,
                                        const std::string& cluster_id, std::chrono::seconds timeout,
                                        const std::vector<std::string>& quorum_args = {});

// How the scripts launcher drives `node`: kafka-server-start.sh (kafka/start.sh), the stop
// and the pid lookup by its server.properties.
ScriptLaunch kafka_launch(const inventory::KafkaNode& node);

// Start with the distribution's kafka-server-start.sh -daemon; returns the PID.
util::Result<int> start_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                              std::chrono::seconds timeout);

// SIGTERM (Kafka's controlled shutdown), wait up to `grace` for the process to
// exit, then SIGKILL. False if it was not running.
util::Result<bool> stop_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                              std::chrono::seconds grace, std::chrono::seconds timeout);

util::Result<std::optional<int>> kafka_pid(remote::Remote& remote, const inventory::KafkaNode& node,
                                           std::chrono::seconds timeout);

}  // namespace zkctl::ops
