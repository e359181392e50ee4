#include "ops/commands/check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "ops/cluster/racks.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/component.hpp"
#include "ops/host/java.hpp"
#include "ops/security/expiry.hpp"
#include "ops/zookeeper/status.hpp"
#include "remote/scripts.hpp"
#include "runner/runner.hpp"
#include "util/key_value.hpp"

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
  util::for_each_key_value(text, [&p](const std::string& k, const std::string& v) {
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
  });
  return p;
}

namespace {

// Collects check items from any thread.
class Items {
 public:
  explicit Items(CheckReport& report) : report_(report) {}
  void add(CheckItem item) {
    std::lock_guard l(mu_);
    report_.items.push_back(std::move(item));
  }

 private:
  CheckReport& report_;
  std::mutex mu_;
};

// What one host must offer: the nodes on it, their heaps, java and data dirs.
struct HostNeeds {
  std::string host;
  Connection* conn = nullptr;
  int heap_mb = 0;
  JavaNeed java{0, ""};  // the most demanding product on the host
  std::vector<std::string> dirs;
  HostProbe probe;
  bool probed = false;
  double clock_offset = 0;  // host clock minus ours, RTT-centred
};

// 1. Deploy's own pre-flight (SSH, host keys, java, dirs, ports, myid, foreign data).
void preflight_items(Context& ctx, Items& items) {
  DeployReport pre = deploy(ctx, DeployMode::preflight_only);
  for (const auto& p : pre.preflight) items.add({"", "pre-flight", Verdict::fail, p});
  for (const auto& p : pre.refusals) items.add({"", "membership", Verdict::fail, p});
  if (pre.preflight.empty())
    items.add({"", "pre-flight", Verdict::ok, "SSH, host keys, java, dirs, ports, myid"});
}

// Every host's needs, from every node on it (the one Java policy: ops/java).
std::vector<HostNeeds> host_needs(Context& ctx, std::vector<std::unique_ptr<Tier>>& tiers) {
  std::vector<HostNeeds> hosts;
  for (auto& tier : tiers) {
    auto need = java_need_of(tier->distribution(), tier->product());  // pre-flight says why not
    for (Component* n : tier->nodes()) {
      auto it = std::find_if(hosts.begin(), hosts.end(),
                             [&](const HostNeeds& h) { return h.host == n->host(); });
      if (it == hosts.end()) {
        hosts.emplace_back();
        hosts.back().host = n->host();
        it = hosts.end() - 1;
      }
      HostNeeds& h = *it;
      if (!h.conn) h.conn = &n->connection(ctx);
      h.heap_mb += n->heap_mb();
      if (need && need->min_major > h.java.min_major) h.java = *need;
      for (const auto& d : n->owned_dirs())
        if (d.holds == OwnedDir::Holds::data) h.dirs.push_back(d.path);
    }
  }
  return hosts;
}

// 2. Ask every host at once: java, memory, free disk in the data dirs, names, clock.
void probe_hosts(Context& ctx, std::vector<HostNeeds>& hosts, Items& items) {
  std::vector<std::string> names;
  for (const auto& h : hosts) names.push_back(h.host);
  runner::parallel_for(hosts.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    auto& h = hosts[i];
    if (!h.conn || !h.conn->remote) return;  // pre-flight already reported it
    std::vector<std::string> args = {std::to_string(h.dirs.size())};
    args.insert(args.end(), h.dirs.begin(), h.dirs.end());
    args.insert(args.end(), names.begin(), names.end());
    double t0 = now_seconds();
    auto r = remote::run_script(*h.conn->remote, "check", scripts::host_probe, args,
                                std::chrono::seconds(60));
    double t1 = now_seconds();
    if (!r) return items.add({h.host, "probe", Verdict::fail, r.error().message});
    h.probe = parse_host_probe(r->out);
    h.clock_offset = h.probe.clock - (t0 + t1) / 2;
    h.probed = true;
  });
}

void java_and_memory_items(const inventory::Cluster& cluster, const HostNeeds& h, Items& items) {
  const HostProbe& p = h.probe;
  if (!cluster.java.distribution.empty()) {  // [java]: deploy pushes the JDK
    items.add({h.host, "java", Verdict::ok, "pushed JDK " + cluster.java.distribution});
  } else if (auto problem = h.java.min_major > 0
                                ? java_problem(p.java, h.java.min_major, h.java.product)
                                : std::nullopt) {
    items.add({h.host, "java", Verdict::fail, *problem});
  } else {
    items.add({h.host, "java", Verdict::ok, p.java});
  }
  if (p.mem_available_kb < 0) return;
  const long need_kb = static_cast<long>(h.heap_mb) * 1024;
  const std::string have = std::to_string(p.mem_available_kb / 1024) + " MiB available";
  const std::string heaps = std::to_string(h.heap_mb) + " MiB of";
  if (p.mem_available_kb < need_kb)
    items.add({h.host, "memory", Verdict::fail, have + " < " + heaps + " configured heaps"});
  else
    items.add({h.host, "memory", Verdict::ok, have + " for " + heaps + " heaps"});
}

using Seen = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

void disk_and_name_items(const HostNeeds& h, Seen& seen, Items& items) {
  for (const auto& [dir, kb] : h.probe.disk_free_kb) {
    Verdict v = kb < 1024L * 1024 ? Verdict::warn : Verdict::ok;
    items.add({h.host, "disk", v,
               dir + ": " + std::to_string(kb / 1024) + " MiB free" +
                   (v == Verdict::warn ? " (less than 1 GiB)" : "")});
  }
  for (const auto& [name, addr] : h.probe.resolved) {
    if (addr.empty()) {
      items.add({h.host, "names", Verdict::fail, name + " does not resolve on " + h.host});
      continue;
    }
    seen[name][addr].push_back(h.host);
    if (name == h.host && addr.rfind("127.", 0) == 0) {
      items.add({h.host, "names", Verdict::fail,
                 h.host + " resolves to " + addr +
                     " on itself: ZooKeeper would bind its quorum ports "
                     "on loopback and elections fail (fix /etc/hosts)"});
    }
  }
}

// Names resolving alike everywhere, and the clocks agreeing.
void cluster_items(const std::vector<HostNeeds>& hosts, const Seen& seen, Items& items) {
  for (const auto& [name, addrs] : seen) {
    if (addrs.size() < 2) continue;
    std::string detail = name + " resolves differently:";
    for (const auto& [addr, where] : addrs) {
      detail += " " + addr + " on";
      for (const auto& w : where) detail += " " + w;
      detail += ";";
    }
    items.add({"", "names", Verdict::fail, detail});
  }
  if (!seen.empty())
    items.add({"", "names", Verdict::ok, "every name resolves the same on every host checked"});
  double lo = 1e18, hi = -1e18;
  for (const auto& h : hosts) {
    if (!h.probed) continue;
    lo = std::min(lo, h.clock_offset);
    hi = std::max(hi, h.clock_offset);
  }
  if (hi < lo) return;
  char buf[96];
  std::snprintf(buf, sizeof buf, "largest clock difference between hosts %.3f s", hi - lo);
  items.add({"", "clock", hi - lo > 1.0 ? Verdict::warn : Verdict::ok, buf});
}

// 3. On a running ensemble, what status sees.
void status_item(Context& ctx, Items& items) {
  if (ctx.cluster().servers.empty()) return;
  ClusterStatus st = collect_status(ctx);
  bool any_up = std::any_of(st.nodes.begin(), st.nodes.end(),
                            [](const NodeStatus& n) { return n.probe.mode != probe::Mode::down; });
  if (!any_up) return;
  const Health h = st.overall();
  items.add(
      {"", "status",
       h == Health::ok ? Verdict::ok : (h == Health::degraded ? Verdict::warn : Verdict::fail),
       st.verdict()});
}

// 4. A TLS cluster's certificates as the hosts hold them: days left, warn/fail (ops/expiry).
void expiry_items(Context& ctx, Items& items) {
  for (const auto& r : collect_expiry(ctx).rows) {
    const Verdict v = r.level == ExpiryLevel::ok     ? Verdict::ok
                      : r.level == ExpiryLevel::warn ? Verdict::warn
                                                     : Verdict::fail;
    std::string detail = r.node;
    if (!r.sha256.empty())
      detail += ": " + std::to_string(r.days_left) + " days left (until " + r.not_after + ")";
    if (!r.note.empty()) detail += "; " + r.note;
    items.add({r.host, "certificate", v, detail});
  }
}

// 5. Racks (#15): a quorum one rack's loss would break, topics in fewer racks than they could.
void rack_items(Context& ctx, Items& items) {
  RackReport r = rack_report(ctx);
  if (!r.racks) return;
  for (const auto& w : r.warnings) items.add({"", "racks", Verdict::warn, w});
  if (!r.unread.empty())
    items.add({"", "racks", Verdict::warn, "topic placement not read: " + r.unread});
  if (r.warnings.empty() && r.unread.empty())
    items.add({"", "racks", Verdict::ok,
               "every quorum survives the loss of any one rack; " + std::to_string(r.topics) +
                   " topics spread over the racks they can use"});
}

}  // namespace

CheckReport check(Context& ctx) {
  CheckReport report;
  Items items(report);
  preflight_items(ctx, items);
  auto tiers = tiers_of(ctx.cluster());
  std::vector<HostNeeds> hosts = host_needs(ctx, tiers);
  probe_hosts(ctx, hosts, items);
  Seen seen;  // name -> address -> hosts
  for (const auto& h : hosts) {
    if (!h.probed) continue;
    java_and_memory_items(ctx.cluster(), h, items);
    disk_and_name_items(h, seen, items);
  }
  cluster_items(hosts, seen, items);
  status_item(ctx, items);
  expiry_items(ctx, items);
  rack_items(ctx, items);
  return report;
}

}  // namespace zkctl::ops
