#pragma once
// Kafka's admin tools (kafka-metadata-quorum.sh, kafka-features.sh, ...) run on a Kafka node's
// host through their remote scripts (remote-scripts/kafka/), which all take the node's install
// dir, the servers the tool asks and the cluster's client config first: one place picks the
// node, builds those arguments and says why no node answered.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model.hpp"
#include "ops/context.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// One admin script run: `script INSTALL SERVERS CLIENT_CONFIG ARGS...`.
struct AdminScript {
  std::string what;               // the tool, in progress and errors ("kafka-features.sh")
  std::string_view script;        // the remote script (remote::scripts::kafka_features)
  std::string servers;            // what the tool asks: bootstrap servers or controllers
  std::vector<std::string> args;  // the script's arguments after those three
};

// The client properties zkctl's tools use on `node`'s host: its admin.properties on a TLS
// cluster, "" on a plaintext one.
std::string admin_client_config(const inventory::Cluster& cluster,
                                const inventory::KafkaNode& node);

// `s` on `node`'s session: the script's output, or "<host>: <why>" (no session, a non-zero exit).
util::Result<std::string> run_admin_script(Context& ctx, const inventory::KafkaNode& node,
                                           const AdminScript& s);

// `s` on each of the cluster's Kafka nodes in turn until one answers with output `accept` takes
// (unset: any output); that output, or "<what>: " and every node's error ("no node" if none).
using AcceptOutput = std::function<util::Result<void>(const std::string& out)>;
util::Result<std::string> run_admin_script_on_first(Context& ctx, const AdminScript& s,
                                                    const std::string& what,
                                                    const AcceptOutput& accept = {});

// run_admin_script_on_first with the first output `parse` reads: what it read.
template <class T, class Parse>
util::Result<T> ask_first_kafka_node(Context& ctx, const AdminScript& s, const std::string& what,
                                     Parse parse) {
  std::optional<T> got;
  auto out = run_admin_script_on_first(ctx, s, what, [&](const std::string& text) {
    util::Result<T> v = parse(text);
    if (!v) return util::Result<void>(v.error());
    got = std::move(*v);
    return util::Result<void>();
  });
  if (!out) return out.error();
  return std::move(*got);
}

// A broker's host with its session: where a tool that needs a broker's files runs.
struct ToolHost {
  const inventory::KafkaNode* node = nullptr;
  remote::Remote* remote = nullptr;
};

// The first of the cluster's brokers with a session; else every connection error ("no broker"
// if the cluster has none).
util::Result<ToolHost> first_reachable_broker(Context& ctx);

}  // namespace zkctl::ops
