#include "ops/check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "ops/deploy.hpp"
#include "ops/java.hpp"
#include "ops/status.hpp"
#include "plan/runner.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "render/zk_paths.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

bool CheckReport::failed() const {
  return std::any_of(items.begin(), items.end(),
                     [](const CheckItem& i) { return i.verdict == Verdict::fail; });
}

HostProbe parse_host_probe(const std::string& text) {
  HostProbe p;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "java") {
      p.java = v;
      p.java_major = java_major(v);
    } else if (k == "mem") {
      p.mem_available_kb = std::atol(v.c_str());
    } else if (k == "disk") {
      auto sp = v.find(' ');
      if (sp != std::string::npos)
        p.disk_free_kb.push_back({v.substr(sp + 1), std::atol(v.c_str())});
    } else if (k == "clock") {
      p.clock = std::atof(v.c_str());
    } else if (k == "name") {
      auto sp = v.find(' ');
      p.resolved.push_back({v.substr(0, sp), sp == std::string::npos ? "" : v.substr(sp + 1)});
    }
  }
  return p;
}

CheckReport check(Context& ctx) {
  const auto& cluster = ctx.cluster();
  CheckReport report;
  std::mutex mu;
  auto add = [&](CheckItem item) {
    std::lock_guard l(mu);
    report.items.push_back(std::move(item));
  };

  // 1. Deploy's own pre-flight (SSH, host keys, java, dirs, ports, myid, foreign data).
  {
    DeployReport pre = deploy(ctx, DeployMode::preflight_only);
    for (const auto& p : pre.preflight) add({"", "pre-flight", Verdict::fail, p});
    for (const auto& p : pre.refusals) add({"", "membership", Verdict::fail, p});
    if (pre.preflight.empty())
      add({"", "pre-flight", Verdict::ok, "SSH, host keys, java, dirs, ports, myid"});
  }

  // 2. Per host: java version, memory vs heaps, disk in the data dirs, names, clock.
  struct HostNeeds {
    std::string host;
    Connection* conn = nullptr;
    int heap_mb = 0;
    JavaNeed java{0, ""};  // the most demanding product on the host
    std::vector<std::string> dirs;
  };
  std::vector<HostNeeds> hosts;
  // The one Java policy (ops/java): each product's need, read from its distribution.
  auto need_of = [&](const std::string& dist, render::Product product) -> JavaNeed {
    auto n = java_need_of(dist, product);
    return n ? *n : JavaNeed{0, ""};  // deploy's pre-flight above reported why
  };
  const JavaNeed zk_java =
      cluster.servers.empty() ? JavaNeed{0, ""}
                              : need_of(cluster.zookeeper.distribution, render::Product::zookeeper);
  const JavaNeed kafka_java = cluster.kafka
                                  ? need_of(cluster.kafka->distribution, render::Product::kafka)
                                  : JavaNeed{0, ""};
  auto raise = [](JavaNeed& have, const JavaNeed& more) {
    if (more.min_major > have.min_major) have = more;
  };
  auto need = [&](const std::string& host) -> HostNeeds& {
    for (auto& h : hosts)
      if (h.host == host) return h;
    hosts.push_back({host});
    return hosts.back();
  };
  for (const auto& s : cluster.servers) {
    auto& h = need(s.host);
    if (!h.conn) h.conn = &ctx.connection(s);
    h.heap_mb += cluster.zookeeper.heap_mb;
    raise(h.java, zk_java);
    auto p = render::zk_paths(s);
    h.dirs.push_back(p.data_dir);
    if (!p.data_log_dir.empty()) h.dirs.push_back(p.data_log_dir);
  }
  for (const auto& n : cluster.kafka_nodes) {
    auto& h = need(n.host);
    if (!h.conn) h.conn = &ctx.connection(n);
    h.heap_mb += cluster.kafka->heap_mb;
    raise(h.java, kafka_java);
    for (const auto& d : render::kafka_paths(n).log_dirs) h.dirs.push_back(d);
  }
  std::vector<std::string> names;
  for (const auto& h : hosts) names.push_back(h.host);

  std::vector<HostProbe> probes(hosts.size());
  std::vector<double> offsets(hosts.size(), 0);
  std::vector<bool> probed(hosts.size(), false);
  plan::parallel_for(hosts.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    auto& h = hosts[i];
    if (!h.conn || !h.conn->remote) return;  // pre-flight already reported it
    std::vector<std::string> args = {std::to_string(h.dirs.size())};
    args.insert(args.end(), h.dirs.begin(), h.dirs.end());
    args.insert(args.end(), names.begin(), names.end());
    double t0 = now_seconds();
    auto r =
        run_script(*h.conn->remote, "check", scripts::host_probe, args, std::chrono::seconds(60));
    double t1 = now_seconds();
    if (!r) return add({h.host, "probe", Verdict::fail, r.error().message});
    probes[i] = parse_host_probe(r->out);
    offsets[i] = probes[i].clock - (t0 + t1) / 2;  // host clock minus ours, RTT-centred
    probed[i] = true;
  });

  std::map<std::string, std::map<std::string, std::vector<std::string>>>
      seen;  // name -> addr -> hosts
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!probed[i]) continue;
    const auto& h = hosts[i];
    const auto& p = probes[i];
    if (!cluster.java.distribution.empty()) {  // [java]: deploy pushes the JDK
      add({h.host, "java", Verdict::ok, "pushed JDK " + cluster.java.distribution});
    } else if (auto problem = h.java.min_major > 0
                                  ? java_problem(p.java, h.java.min_major, h.java.product)
                                  : std::nullopt) {
      add({h.host, "java", Verdict::fail, *problem});
    } else {
      add({h.host, "java", Verdict::ok, p.java});
    }
    if (p.mem_available_kb >= 0) {
      long need_kb = static_cast<long>(h.heap_mb) * 1024;
      long have_mb = p.mem_available_kb / 1024;
      if (p.mem_available_kb < need_kb) {
        add({h.host, "memory", Verdict::fail,
             std::to_string(have_mb) + " MiB available < " + std::to_string(h.heap_mb) +
                 " MiB of configured heaps"});
      } else {
        add({h.host, "memory", Verdict::ok,
             std::to_string(have_mb) + " MiB available for " + std::to_string(h.heap_mb) +
                 " MiB of heaps"});
      }
    }
    for (const auto& [dir, kb] : p.disk_free_kb) {
      Verdict v = kb < 1024L * 1024 ? Verdict::warn : Verdict::ok;
      add({h.host, "disk", v,
           dir + ": " + std::to_string(kb / 1024) + " MiB free" +
               (v == Verdict::warn ? " (less than 1 GiB)" : "")});
    }
    for (const auto& [name, addr] : p.resolved) {
      if (addr.empty()) {
        add({h.host, "names", Verdict::fail, name + " does not resolve on " + h.host});
        continue;
      }
      seen[name][addr].push_back(h.host);
      if (name == h.host && addr.rfind("127.", 0) == 0) {
        add({h.host, "names", Verdict::fail,
             h.host + " resolves to " + addr +
                 " on itself: ZooKeeper would bind its quorum ports "
                 "on loopback and elections fail (fix /etc/hosts)"});
      }
    }
  }
  for (const auto& [name, addrs] : seen) {
    if (addrs.size() > 1) {
      std::string detail = name + " resolves differently:";
      for (const auto& [addr, where] : addrs) {
        detail += " " + addr + " on";
        for (const auto& w : where) detail += " " + w;
        detail += ";";
      }
      add({"", "names", Verdict::fail, detail});
    }
  }
  if (!seen.empty())
    add({"", "names", Verdict::ok, "every name resolves the same on every host checked"});
  double lo = 1e18, hi = -1e18;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!probed[i]) continue;
    lo = std::min(lo, offsets[i]);
    hi = std::max(hi, offsets[i]);
  }
  if (hi >= lo) {
    double skew = hi - lo;
    char buf[96];
    std::snprintf(buf, sizeof buf, "largest clock difference between hosts %.3f s", skew);
    add({"", "clock", skew > 1.0 ? Verdict::warn : Verdict::ok, buf});
  }

  // 3. On a running ensemble, what status sees.
  if (!cluster.servers.empty()) {
    ClusterStatus st = collect_status(ctx);
    bool any_up = std::any_of(st.nodes.begin(), st.nodes.end(), [](const NodeStatus& n) {
      return n.probe.mode != probe::Mode::down;
    });
    if (any_up)
      add({"", "status", st.quorum.ok() ? Verdict::ok : Verdict::fail, st.quorum.describe()});
  }
  return report;
}

}  // namespace zkctl::ops
