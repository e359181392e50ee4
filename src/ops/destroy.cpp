#include "ops/destroy.hpp"

#include <mutex>

#include "ops/cluster_control.hpp"
#include "ops/kafka_host.hpp"
#include "ops/launcher.hpp"
#include "plan/runner.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "render/zk_paths.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

}  // namespace

DestroyReport destroy(Context& ctx, PurgeData purge) {
  const auto& cluster = ctx.cluster();
  DestroyReport report;
  std::mutex mu;
  auto note = [&](const std::string& host, const std::string& out) {
    std::lock_guard l(mu);
    std::size_t start = 0;
    while (start < out.size()) {
      std::size_t nl = out.find('\n', start);
      std::string line =
          out.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (line.rfind("removed ", 0) == 0) report.removed.push_back(host + ":" + line.substr(8));
      if (line.rfind("kept ", 0) == 0) report.kept.push_back(host + ":" + line.substr(5));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  };
  auto fail = [&](const std::string& what) {
    std::lock_guard l(mu);
    report.ok = false;
    report.errors.push_back(what);
  };

  // 1. Kafka: brokers-only nodes first, then nodes with a controller (a broker's
  //    controlled shutdown needs a controller).
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<const inventory::KafkaNode*> nodes;
    for (const auto& n : cluster.kafka_nodes)
      if (n.controller == (pass == 1)) nodes.push_back(&n);
    plan::parallel_for(nodes.size(), ctx.options().parallel, [&](std::size_t i) {
      const auto& n = *nodes[i];
      Connection& c = ctx.connection(n);
      if (!c.remote) return fail(n.host + ": kafka stop: " + c.error);
      auto r = stop_kafka(*c.remote, n, ctx.options().kafka_stop_grace, ctx.command_timeout(n));
      if (!r) fail(n.host + ": kafka stop: " + r.error().message);
    });
  }
  // 2. The ensemble, leader last.
  if (!cluster.servers.empty()) {
    auto stopped = stop_cluster(ctx);
    for (const auto& e : stopped.errors) fail(e);
  }
  if (!report.ok) return report;  // never delete files under a process we could not stop

  // 3. Remove installs (and with purge, data), every host at once.
  plan::parallel_for(cluster.servers.size(), ctx.options().parallel, [&](std::size_t i) {
    const auto& s = cluster.servers[i];
    Connection& c = ctx.connection(s);
    if (!c.remote) return fail(s.host + ": " + c.error);
    auto p = render::zk_paths(s);
    std::vector<std::pair<std::string, std::string>> dirs = {{"install", p.install_dir}};
    if (purge == PurgeData::yes) {
      if (!p.data_log_dir.empty()) dirs.push_back({"zkdata-log", p.data_log_dir});
      dirs.push_back({"zkdata", p.data_dir});
    }
    if (s.service.launcher == inventory::Launcher::systemd) {
      const std::string unit = unit_of(s.service, render::Product::zookeeper);
      auto u = remove_unit(*c.remote, unit, ctx.command_timeout(s));
      if (!u) return fail(s.host + ": " + u.error().message);
      if (*u) note(s.host, "removed " + std::string(render::kSystemdUnitDir) + "/" + unit + "\n");
    }
    for (const auto& [kind, dir] : dirs) {
      // A separate transaction-log dir has no myid: it goes with its data dir's verdict.
      std::string k = kind == "zkdata-log" ? "kafkadata" : kind;
      auto r = run_script(*c.remote, "remove " + dir, scripts::host_remove, {k, dir},
                          ctx.command_timeout(s));
      if (!r) return fail(s.host + ": " + r.error().message);
      note(s.host, r->out);
    }
  });
  plan::parallel_for(cluster.kafka_nodes.size(), ctx.options().parallel, [&](std::size_t i) {
    const auto& n = cluster.kafka_nodes[i];
    Connection& c = ctx.connection(n);
    if (!c.remote) return fail(n.host + ": " + c.error);
    auto p = render::kafka_paths(n);
    std::vector<std::pair<std::string, std::string>> dirs = {{"install", p.install_dir}};
    if (purge == PurgeData::yes)
      for (const auto& d : p.log_dirs) dirs.push_back({"kafkadata", d});
    if (n.service.launcher == inventory::Launcher::systemd) {
      const std::string unit = unit_of(n.service, render::Product::kafka);
      auto u = remove_unit(*c.remote, unit, ctx.command_timeout(n));
      if (!u) return fail(n.host + ": " + u.error().message);
      if (*u) note(n.host, "removed " + std::string(render::kSystemdUnitDir) + "/" + unit + "\n");
    }
    for (const auto& [kind, dir] : dirs) {
      auto r = run_script(*c.remote, "remove " + dir, scripts::host_remove, {kind, dir},
                          ctx.command_timeout(n));
      if (!r) return fail(n.host + ": " + r.error().message);
      note(n.host, r->out);
    }
  });
  return report;
}

}  // namespace zkctl::ops
