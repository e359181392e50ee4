#include "ops/kafka/host.hpp"

#include <regex>
#include <sstream>

#include "ops/host/java.hpp"
#include "ops/host/launcher.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "util/key_value.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

std::string ports_of(const inventory::KafkaNode& n) {
  std::string p;
  if (n.broker) p += std::to_string(n.listener_port);
  if (n.controller) p += (p.empty() ? "" : ",") + std::to_string(n.controller_port);
  return p;
}

}  // namespace

KafkaFacts parse_kafka_facts(const std::string& output) {
  KafkaFacts f;
  util::for_each_key_value(output, [&f](const std::string& key, const std::string& val) {
    if (parse_common_fact(key, val, f)) return;
    if (key.rfind("meta.", 0) == 0) f.meta[key.substr(5)] = val;
    if (key == "version") f.installed_version = val;
  });
  return f;
}

std::vector<std::string> kafka_preflight_problems(const inventory::KafkaNode& node,
                                                  const KafkaFacts& facts,
                                                  const std::string& cluster_id,
                                                  const JavaNeed& java) {
  std::vector<std::string> problems = node_host_problems(node, facts, java);
  auto id_key = facts.meta.count("node.id") ? "node.id" : "broker.id";
  if (auto it = facts.meta.find(id_key);
      it != facts.meta.end() && it->second != std::to_string(node.id)) {
    problems.push_back("log dir holds meta.properties of " + std::string(id_key) + " " +
                       it->second + " but the inventory gives id " + std::to_string(node.id) +
                       ": refusing to reuse another node's data");
  }
  if (auto it = facts.meta.find("cluster.id");
      !cluster_id.empty() && it != facts.meta.end() && it->second != cluster_id) {
    problems.push_back("log dir belongs to Kafka cluster " + it->second + ", not " + cluster_id +
                       ": refusing to reuse another cluster's data");
  }
  auto ports = port_conflicts(facts.listeners, facts.pid, "Kafka");
  problems.insert(problems.end(), ports.begin(), ports.end());
  return problems;
}

util::Result<KafkaFacts> inspect_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                                       const std::vector<render::RenderedFile>& files,
                                       std::chrono::seconds timeout) {
  render::KafkaPaths p = render::kafka_paths(node);
  std::vector<std::string> args = {p.install_dir,
                                   p.server_properties,
                                   p.meta_properties,
                                   p.current_link + "/.zkctl-release",
                                   ports_of(node),
                                   std::to_string(p.log_dirs.size()),
                                   java_dir(p.install_dir) + "/current/.zkctl-release",
                                   node.service.user};
  args.insert(args.end(), p.log_dirs.begin(), p.log_dirs.end());
  for (const auto& f : files) args.push_back(f.path);
  auto r = run_script(remote, "inspect", scripts::kafka_inspect, args, timeout);
  if (!r) return r.error();
  return parse_kafka_facts(r->out);
}

util::Result<void> prepare_kafka_dirs(remote::Remote& remote, const inventory::KafkaNode& node,
                                      std::chrono::seconds timeout) {
  render::KafkaPaths p = render::kafka_paths(node);
  std::vector<std::string> args = {p.config_dir, p.log_dir, p.current_link};
  args.insert(args.end(), p.log_dirs.begin(), p.log_dirs.end());
  auto r = run_script(remote, "mkdir", scripts::kafka_prepare, args, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<bool> format_kafka_storage(remote::Remote& remote, const inventory::KafkaNode& node,
                                        const std::string& cluster_id, std::chrono::seconds timeout,
                                        const std::vector<std::string>& quorum_args) {
  render::KafkaPaths p = render::kafka_paths(node);
  std::vector<std::string> args = {p.install_dir,     p.server_properties, cluster_id,
                                   p.meta_properties, p.env_file,          node.service.user};
  args.insert(args.end(), quorum_args.begin(), quorum_args.end());
  auto r = run_script(remote, "kafka-storage.sh format", scripts::kafka_format, args, timeout);
  if (!r) return r.error();
  return r->out.find("formatted-already") == std::string::npos;
}

// kafka-server-start.sh (through kafka/start.sh), the stop and pid lookup by server.properties.
ScriptLaunch kafka_launch(const inventory::KafkaNode& node) {
  const render::KafkaPaths p = render::kafka_paths(node);
  return {"kafka-server-start.sh",
          scripts::kafka_start,
          {p.install_dir, p.server_properties, p.env_file, node.service.user},
          scripts::kafka_stop,
          {p.server_properties},
          scripts::kafka_pid,
          {p.server_properties}};
}

util::Result<int> start_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                              std::chrono::seconds timeout) {
  return launch_start(remote, node.service, render::Product::kafka, kafka_launch(node), timeout);
}

util::Result<bool> stop_kafka(remote::Remote& remote, const inventory::KafkaNode& node,
                              std::chrono::seconds grace, std::chrono::seconds timeout) {
  return launch_stop(remote, node.service, render::Product::kafka, kafka_launch(node), grace,
                     timeout);
}

util::Result<std::optional<int>> kafka_pid(remote::Remote& remote, const inventory::KafkaNode& node,
                                           std::chrono::seconds timeout) {
  return launch_pid(remote, node.service, render::Product::kafka, kafka_launch(node), timeout);
}

}  // namespace zkctl::ops
