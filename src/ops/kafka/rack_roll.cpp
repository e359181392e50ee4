#include "ops/kafka/rack_roll.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include "ops/host/launcher.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/host.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

std::vector<RackBatch> rack_batches(const std::vector<const inventory::KafkaNode*>& nodes,
                                    std::optional<int> active_controller) {
  auto active = [&](const inventory::KafkaNode* n) {
    return active_controller && *active_controller == n->id;
  };
  std::vector<RackBatch> racks, alone;
  std::string last_rack;  // the active controller's, when it is a rack's broker
  for (const auto* n : nodes) {
    if (n->controller || n->rack.empty()) {
      alone.push_back({"", {n}});
      continue;
    }
    if (active(n)) last_rack = n->rack;
    auto it = std::find_if(racks.begin(), racks.end(),
                           [&](const RackBatch& b) { return b.rack == n->rack; });
    if (it == racks.end())
      racks.push_back({n->rack, {n}});
    else
      it->nodes.push_back(n);
  }
  std::stable_partition(racks.begin(), racks.end(),
                        [&](const RackBatch& b) { return b.rack != last_rack; });
  for (auto& b : racks)
    std::stable_partition(b.nodes.begin(), b.nodes.end(),
                          [&](const auto* n) { return !active(n); });
  std::stable_partition(alone.begin(), alone.end(),
                        [&](const RackBatch& b) { return !active(b.nodes.front()); });
  racks.insert(racks.end(), alone.begin(), alone.end());
  return racks;
}

std::string rack_batch_text(const RackBatch& batch) {
  std::set<int> ids;  // sorted, whatever the roll's order within the rack
  for (const auto* n : batch.nodes) ids.insert(n->id);
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return "rack " + batch.rack + " (brokers " + out + ")";
}

namespace {

// Stop and start every node of `batch` concurrently, each on its own session.
util::Result<void> stop_start_all(Context& ctx, const RackBatch& batch) {
  std::vector<std::string> errors(batch.nodes.size());
  runner::parallel_for(
      batch.nodes.size(), static_cast<int>(batch.nodes.size()), [&](std::size_t i) {
        const inventory::KafkaNode& n = *batch.nodes[i];
        Connection& c = ctx.connection(n);
        if (!c.remote) {
          errors[i] = c.error;
          return;
        }
        const auto t = ctx.command_timeout(n);
        auto st = launch_stop(*c.remote, n.service, render::Product::kafka, kafka_launch(n),
                              ctx.options().kafka_stop_grace, t);
        if (!st) {
          errors[i] = "stop: " + st.error().message;
          return;
        }
        if (!*st)  // it was not running: a killed broker's registration must go first
          if (auto w = wait_stale_registration_gone(ctx, n, "kafka restart"); !w) {
            errors[i] = "start: " + w.error().message;
            return;
          }
        auto pid = launch_start(*c.remote, n.service, render::Product::kafka, kafka_launch(n), t);
        if (!pid) errors[i] = "start: " + pid.error().message;
      });
  std::string all;
  for (std::size_t i = 0; i < errors.size(); ++i)
    if (!errors[i].empty())
      all += (all.empty() ? "" : "; ") + batch.nodes[i]->host + " (kafka " +
             std::to_string(batch.nodes[i]->id) + "): " + errors[i];
  if (!all.empty()) return util::fail(all);
  return {};
}

}  // namespace

util::Result<bool> restart_rack_batch(Context& ctx, const RackBatch& batch, const std::string& step,
                                      std::set<int>& rolled, const RejoinWait& rejoin) {
  const std::string& host = batch.nodes.front()->host;
  std::set<int> ids;
  for (const auto* n : batch.nodes) ids.insert(n->id);
  const std::string who = rack_batch_text(batch);
  auto before = await_batch_gate(ctx, host, ids, step, rolled);
  if (!before) return before.error();
  if (before->kind == GateVerdict::Kind::refuse) {
    ctx.progress().report({host, step, runner::EventKind::progress,
                           who + " not restarted at once, one at a time instead: " + before->why});
    return false;
  }
  for (const auto* n : batch.nodes)
    ctx.progress().report(
        {n->host, step, runner::EventKind::progress, who + ": restarting together"});
  if (auto r = stop_start_all(ctx, batch); !r) return r.error();
  rolled.insert(ids.begin(), ids.end());
  for (const auto* n : batch.nodes)
    if (auto after = rejoin(*n); !after) return after.error();
  ctx.progress().report(
      {host, step, runner::EventKind::progress, who + " restarted together, back in their ISRs"});
  return true;
}

}  // namespace zkctl::ops
