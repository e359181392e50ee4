#include "ops/commands/destroy.hpp"

#include <mutex>

#include "ops/commands/cluster_control.hpp"
#include "ops/component.hpp"
#include "ops/host/launcher.hpp"
#include "remote/scripts.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

namespace {

// The names of the data dirs among `dirs` that sit right inside `dir` (Prometheus' TSDB in its
// install dir): a destroy without --purge-data removes `dir` but them.
std::vector<std::string> data_names_inside(const std::vector<OwnedDir>& dirs,
                                           const std::string& dir) {
  std::vector<std::string> names;
  const std::string prefix = dir + "/";
  for (const OwnedDir& d : dirs) {
    if (d.holds != OwnedDir::Holds::data || d.path.rfind(prefix, 0) != 0) continue;
    const std::string name = d.path.substr(prefix.size());
    if (!name.empty() && name.find('/') == std::string::npos) names.push_back(name);
  }
  return names;
}

}  // namespace

DestroyReport destroy(Context& ctx, PurgeData purge, ForceRemove force) {
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

  // 1. Stop everything in the safe order (Kafka brokers, controllers, then the ensemble).
  auto stopped = stop_cluster(ctx);
  for (const auto& e : stopped.errors) fail(e);
  if (!report.ok) return report;  // never delete files under a process we could not stop

  // 2. Remove units and installs (and with purge, data), every node at once.
  std::vector<Component*> nodes;
  auto tiers = tiers_of(ctx.cluster());
  for (auto& tier : tiers)
    for (Component* n : tier->nodes()) nodes.push_back(n);
  runner::parallel_for(nodes.size(), ctx.options().parallel, [&](std::size_t i) {
    const Component& n = *nodes[i];
    Connection& c = n.connection(ctx);
    if (!c.remote) return fail(n.host() + ": " + c.error);
    if (n.service().launcher == inventory::Launcher::systemd) {
      const std::string unit = unit_of(n.service(), n.product());
      auto u = remove_unit(*c.remote, unit, n.timeout(ctx));
      if (!u) return fail(n.host() + ": " + u.error().message);
      if (*u) note(n.host(), "removed " + std::string(render::kSystemdUnitDir) + "/" + unit + "\n");
    }
    const std::vector<OwnedDir> dirs = n.owned_dirs();
    for (const OwnedDir& d : dirs) {
      if (d.holds == OwnedDir::Holds::data && purge == PurgeData::no) {
        note(n.host(), "kept " + d.path + " (data; --purge-data removes it)\n");
        continue;
      }
      std::vector<std::string> args = {d.layout, ctx.cluster().name,
                                       force == ForceRemove::yes ? "force" : "check", d.path};
      if (purge == PurgeData::no) {
        auto keep = data_names_inside(dirs, d.path);
        args.insert(args.end(), keep.begin(), keep.end());
      }
      auto r = remote::run_script(*c.remote, "remove " + d.path, remote::scripts::host_remove, args,
                                  n.timeout(ctx));
      if (!r) return fail(n.host() + ": " + r.error().message);
      note(n.host(), r->out);
    }
  });
  return report;
}

}  // namespace zkctl::ops
