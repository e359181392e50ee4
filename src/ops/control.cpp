#include "ops/control.hpp"

#include "ops/kafka_health.hpp"
#include "ops/kafka_host.hpp"
#include "ops/quorum.hpp"
#include "ops/status.hpp"
#include "ops/wait.hpp"
#include "ops/zk_host.hpp"

namespace zkctl::ops {

namespace {
const char* verb(Action a) {
  switch (a) {
    case Action::start:
      return "start";
    case Action::stop:
      return "stop";
    case Action::restart:
      return "restart";
  }
  return "?";
}
}  // namespace

ControlReport control_node(Context& ctx, const inventory::Server& server, Action action,
                           Force force) {
  plan::Progress& progress = ctx.progress();
  const std::string& host = server.host;
  if (action != Action::start) {
    ClusterStatus st = collect_status(ctx);
    auto safe = check_removal_safe(ctx.cluster(), observed(st), server);
    if (!safe) {
      if (force == Force::no) {
        return {ControlOutcome::refused,
                std::string(verb(action)) + " refused: " + safe.error().message};
      }
      progress.report(
          {host, verb(action), plan::EventKind::progress, "--force: " + safe.error().message});
    }
  }
  Connection& conn = ctx.connection(server);
  if (!conn.remote) return {ControlOutcome::failed, conn.error};
  remote::Remote& r = *conn.remote;
  auto timeout = ctx.command_timeout(server);

  if (action != Action::start) {
    progress.report({host, "stop", plan::EventKind::started, ""});
    auto stopped = stop_server(r, server, ctx.options().stop_grace, timeout);
    if (!stopped) return {ControlOutcome::failed, host + ": stop: " + stopped.error().message};
    progress.report({host, "stop", *stopped ? plan::EventKind::done : plan::EventKind::skipped,
                     *stopped ? "" : "was not running"});
    if (action == Action::stop) {
      return {ControlOutcome::ok, host + ": stopped"};
    }
  }
  progress.report({host, "start", plan::EventKind::started, ""});
  auto pid = start_server(r, server, timeout);
  if (!pid) return {ControlOutcome::failed, host + ": start: " + pid.error().message};
  progress.report({host, "start", plan::EventKind::done, "pid " + std::to_string(*pid)});
  progress.report({host, "wait for role", plan::EventKind::started,
                   std::string("expecting ") + inventory::to_string(server.role)});
  auto mode = wait_for_role(ctx, server, ctx.options().wait_timeout);
  if (!mode) return {ControlOutcome::failed, host + ": " + mode.error().message};
  return {ControlOutcome::ok,
          host + ": serving as " + probe::to_string(*mode) + " (pid " + std::to_string(*pid) + ")"};
}

ControlReport control_kafka_node(Context& ctx, const inventory::KafkaNode& node, Action action,
                                 Force force) {
  plan::Progress& progress = ctx.progress();
  const std::string& host = node.host;
  const std::string what = "kafka " + std::to_string(node.id);
  if (action != Action::start && node.broker) {
    KafkaHealth h = kafka_health(ctx, WithQuorum::no);
    if (h.under_replicated != 0 || h.offline != 0) {
      std::string why = h.under_replicated < 0
                            ? "the cluster's partition state cannot be read (" + h.error + ")"
                            : std::to_string(h.under_replicated) + " under-replicated and " +
                                  std::to_string(h.offline) + " offline partitions already";
      if (force == Force::no) {
        return {ControlOutcome::refused, std::string(verb(action)) + " of broker " +
                                             std::to_string(node.id) + " on " + host +
                                             " refused: " + why + " (use --force)"};
      }
      progress.report({host, what, plan::EventKind::progress, "--force: " + why});
    }
  }
  Connection& conn = ctx.connection(node);
  if (!conn.remote) return {ControlOutcome::failed, conn.error};
  auto timeout = ctx.command_timeout(node);
  if (action != Action::start) {
    progress.report({host, what + " stop", plan::EventKind::started, "controlled shutdown"});
    auto stopped = stop_kafka(*conn.remote, node, ctx.options().kafka_stop_grace, timeout);
    if (!stopped)
      return {ControlOutcome::failed, host + ": kafka stop: " + stopped.error().message};
    progress.report({host, what + " stop",
                     *stopped ? plan::EventKind::done : plan::EventKind::skipped,
                     *stopped ? "" : "was not running"});
    if (action == Action::stop)
      return {ControlOutcome::ok, host + ": kafka node " + std::to_string(node.id) + " stopped"};
  }
  progress.report({host, what + " start", plan::EventKind::started, ""});
  auto pid = start_kafka(*conn.remote, node, timeout);
  if (!pid) return {ControlOutcome::failed, host + ": kafka start: " + pid.error().message};
  progress.report({host, what + " start", plan::EventKind::done, "pid " + std::to_string(*pid)});
  if (node.broker) {
    progress.report(
        {host, "wait: registered, no under-replicated partitions", plan::EventKind::started, ""});
    if (auto h = wait_broker_healthy(ctx, node, ctx.options().wait_timeout); !h) {
      return {ControlOutcome::failed, host + ": " + h.error().message};
    }
  }
  return {ControlOutcome::ok,
          host + ": kafka node " + std::to_string(node.id) +
              (node.broker ? " registered, no under-replicated partitions" : " running") +
              " (pid " + std::to_string(*pid) + ")"};
}

}  // namespace zkctl::ops
