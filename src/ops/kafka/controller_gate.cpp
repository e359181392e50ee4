#include "ops/kafka/controller_gate.hpp"

#include <algorithm>

namespace zkctl::ops {

GateVerdict controller_restart_gate(const std::vector<ReplicaRow>& rows, int id) {
  const long long now = quorum_leader_clock(rows);
  if (now < 0) return {GateVerdict::Kind::wait, "waiting for the controller quorum's leader"};
  const auto voters =
      std::count_if(rows.begin(), rows.end(), [](const ReplicaRow& r) { return r.voter(); });
  const auto serving = serving_voters(rows, {id});
  if (serving >= voters / 2 + 1) return {};
  return {GateVerdict::Kind::wait, "waiting for the controller quorum: " + std::to_string(serving) +
                                       " of " + std::to_string(voters) +
                                       " voters serve without controller " + std::to_string(id) +
                                       ", a majority needs " + std::to_string(voters / 2 + 1)};
}

GateVerdict controller_back_gate(const std::vector<ReplicaRow>& rows, int id, long long since) {
  for (const auto& r : rows) {
    if (r.id != id) continue;
    if (r.last_caught_up_ms > since) return {};
    return {GateVerdict::Kind::wait, "waiting for controller " + std::to_string(id) +
                                         " to catch up with the quorum (lag " +
                                         std::to_string(r.lag) + ")"};
  }
  return {GateVerdict::Kind::wait,
          "waiting for controller " + std::to_string(id) + " to fetch from the quorum"};
}

util::Result<void> await_controller(Context& ctx, const inventory::KafkaNode& node,
                                    const std::string& step, GatePhase phase) {
  long long since = -1;  // the leader's clock at the first answer after the restart
  auto v = poll_gate(ctx, node.host, step, phase, [&]() -> GateVerdict {
    auto rows = read_replication_rows(ctx);
    if (!rows)
      return {GateVerdict::Kind::wait,
              "waiting for the controller quorum: " + rows.error().message};
    if (phase == GatePhase::before) return controller_restart_gate(*rows, node.id);
    if (since < 0) since = quorum_leader_clock(*rows);
    if (since < 0) return {GateVerdict::Kind::wait, "waiting for the controller quorum's leader"};
    return controller_back_gate(*rows, node.id, since);
  });
  if (!v) return v.error();
  return {};
}

}  // namespace zkctl::ops
