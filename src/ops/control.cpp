#include "ops/control.hpp"

#include "ops/quorum.hpp"
#include "ops/status.hpp"
#include "ops/wait.hpp"
#include "ops/zk_host.hpp"

namespace zkctl::ops {

namespace {
const char* verb(Action a) {
  switch (a) {
    case Action::start: return "start";
    case Action::stop: return "stop";
    case Action::restart: return "restart";
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
        return {ControlOutcome::refused, std::string(verb(action)) + " refused: " + safe.error().message};
      }
      progress.report({host, verb(action), plan::EventKind::progress,
                       "--force: " + safe.error().message});
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

}  // namespace zkctl::ops
