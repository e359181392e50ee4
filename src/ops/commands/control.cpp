#include "ops/commands/control.hpp"

#include "ops/component.hpp"

namespace zkctl::ops {

namespace {
// The verb of an Action, indexed by it (start, stop, restart).
const char* verb(Action a) {
  static constexpr const char* kVerbs[] = {"start", "stop", "restart"};
  return kVerbs[static_cast<int>(a)];
}
// Component::before_start unless the node runs (start leaves a running node as it is).
util::Result<void> before_start_if_down(Context& ctx, const Component& node, remote::Remote& r,
                                        std::chrono::seconds timeout) {
  auto running = node.pid(r, timeout);
  if (!running) return running.error();
  if (*running) return {};
  return node.before_start(ctx);
}

}  // namespace

ControlReport control_node(Context& ctx, Tier& tier, const Component& node, Action action,
                           Force force) {
  runner::Progress& progress = ctx.progress();
  const std::string& host = node.host();
  const std::string who = node.label();  // "node1", "node1 (kafka 11)"
  if (action != Action::start) {
    if (auto why = tier.leave_refusal(ctx, node, verb(action))) {
      if (force == Force::no) return {ControlOutcome::refused, *why};
      progress.report(
          {host, node.step(verb(action)), runner::EventKind::progress, "--force: " + *why});
    }
  }
  Connection& conn = node.connection(ctx);
  if (!conn.remote) return {ControlOutcome::failed, conn.error};
  remote::Remote& r = *conn.remote;
  const auto timeout = node.timeout(ctx);
  if (action != Action::start) {
    progress.report({host, node.step("stop"), runner::EventKind::started, ""});
    auto stopped = node.stop(r, ctx.options(), timeout);
    if (!stopped)
      return {ControlOutcome::failed,
              host + ": " + node.step("stop") + ": " + stopped.error().message};
    progress.report({host, node.step("stop"),
                     *stopped ? runner::EventKind::done : runner::EventKind::skipped,
                     *stopped ? "" : "was not running"});
    if (action == Action::stop) return {ControlOutcome::ok, who + ": stopped"};
  }
  progress.report({host, node.step("start"), runner::EventKind::started, ""});
  // A restart's node was just stopped: only a start asks whether it runs (one round trip less).
  if (auto ready = action == Action::start ? before_start_if_down(ctx, node, r, timeout)
                                           : node.before_start(ctx);
      !ready)
    return {ControlOutcome::failed,
            host + ": " + node.step("start") + ": " + ready.error().message};
  auto pid = node.start(r, timeout);
  if (!pid)
    return {ControlOutcome::failed, host + ": " + node.step("start") + ": " + pid.error().message};
  progress.report(
      {host, node.step("start"), runner::EventKind::done, "pid " + std::to_string(*pid)});
  progress.report({host, node.step("wait until ready"), runner::EventKind::started, ""});
  if (auto w = node.wait_ready(ctx); !w)
    return {ControlOutcome::failed, host + ": " + w.error().message};
  return {ControlOutcome::ok,
          who + ": " + tier.ready_text(ctx, node) + " (pid " + std::to_string(*pid) + ")"};
}

}  // namespace zkctl::ops
