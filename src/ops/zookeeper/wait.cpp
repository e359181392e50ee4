#include "ops/zookeeper/wait.hpp"

#include <thread>

#include "ops/context.hpp"
#include "ops/zookeeper/quorum.hpp"

namespace zkctl::ops {

probe::NodeProbe probe_server(Context& ctx, const inventory::Server& server) {
  auto timeout = ctx.options().probe_timeout;
  return fall_back_to_ssh(ctx, server,
                          probe::probe_node(server.host, server.ports.client, timeout, nullptr,
                                            zkctl_client_tls(ctx.cluster())));
}

probe::NodeProbe fall_back_to_ssh(Context& ctx, const inventory::Server& server,
                                  probe::NodeProbe p) {
  auto timeout = ctx.options().probe_timeout;
  bool unreachable = p.mode == probe::Mode::down && (p.failure == probe::Failure::timeout ||
                                                     p.failure == probe::Failure::unreachable ||
                                                     p.failure == probe::Failure::resolve);
  if (!unreachable) return p;
  // The client port is not reachable from here: ask from the host itself.
  Connection& conn = ctx.connection(server);
  if (!conn.remote) {
    p.detail += (p.detail.empty() ? "" : "; ") + std::string("ssh: ") + conn.error;
    return p;
  }
  probe::NodeProbe via = probe::probe_node_via(*conn.remote, server.host, server.ports.client,
                                               timeout, zkctl_client_tls(ctx.cluster()));
  if (via.mode == probe::Mode::down || via.mode == probe::Mode::unknown) {
    via.detail = "tcp: " + p.detail + "; " + via.detail;
  }
  return via;
}

util::Result<probe::Mode> wait_for_role(Context& ctx, const inventory::Server& server,
                                        std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int voters = static_cast<int>(ctx.cluster().voters().size());
  probe::NodeProbe last;
  for (;;) {
    last = probe_server(ctx, server);
    if (mode_matches_role(last.mode, server.role, voters)) return last.mode;
    if (std::chrono::steady_clock::now() >= deadline) break;
    // Terminals show this as a live line with the elapsed time; line output drops it.
    ctx.progress().report({server.host, "waiting for role", runner::EventKind::tick,
                           std::string("to serve as ") + inventory::to_string(server.role) +
                               " (now " + probe::to_string(last.mode) + ")"});
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return util::fail(std::string("not serving as ") + inventory::to_string(server.role) + " after " +
                    std::to_string(timeout.count()) +
                    "s (last seen: " + probe::to_string(last.mode) +
                    (last.detail.empty() ? "" : ", " + last.detail) + ")");
}

}  // namespace zkctl::ops
