#pragma once
// Probing a node's mode, and waiting until it serves in its configured role.

#include <chrono>

#include "inventory/model.hpp"
#include "probe/node.hpp"
#include "remote/remote.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

class Context;

// Ask `server` for srvr/mntr over TCP; if its client port cannot be reached
// (timeout, unreachable) ask again through its SSH connection.
probe::NodeProbe probe_server(Context& ctx, const inventory::Server& server);

// The second half of probe_server: given its TCP probe `tcp`, ask through SSH if TCP
// could not reach the port; otherwise return `tcp` as it is.
probe::NodeProbe fall_back_to_ssh(Context& ctx, const inventory::Server& server,
                                  probe::NodeProbe tcp);

// Poll until `server` serves in its configured role (voter: leader/follower,
// observer: observer) or `timeout` passes; the error says what it last saw.
util::Result<probe::Mode> wait_for_role(Context& ctx, const inventory::Server& server,
                                        std::chrono::seconds timeout);

}  // namespace zkctl::ops
