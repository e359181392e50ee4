#include "ops/commands/recover.hpp"

#include "ops/commands/backup.hpp"
#include "ops/zookeeper/status.hpp"

namespace zkctl::ops {

std::optional<std::size_t> choose_survivor(const std::vector<Survivor>& servers) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (servers[i].archive.empty()) continue;
    if (!best || servers[i].last_zxid > servers[*best].last_zxid) best = i;
  }
  return best;
}

util::Result<RecoverSurvey> survey(Context& ctx, const std::string& dir,
                                   const std::string& zkctl_version) {
  ClusterStatus st = collect_status(ctx, probe::AskMntr::no);
  if (st.quorum.ok()) {
    return util::fail("the ensemble has a quorum (" + st.quorum.facts() +
                      "): recover is for a lost majority; use backup and restore");
  }
  RecoverSurvey out;
  std::vector<const inventory::Server*> servers;
  for (const auto& s : ctx.cluster().servers) servers.push_back(&s);
  ctx.connect(servers);
  // One at a time: each copy loads its state locally to count znodes.
  for (const auto* s : servers) {
    Survivor v;
    v.host = s->host;
    Connection& c = ctx.connection(*s);
    if (!c.remote) {
      v.why_not = "unreachable: " + c.error;
      out.servers.push_back(v);
      continue;
    }
    BackupOptions o;
    o.out = dir + "/" + s->host + ".tar";
    o.zkctl_version = zkctl_version;
    o.server = s->host;
    auto b = backup(ctx, o);
    if (!b) {
      v.why_not = b.error().message;
    } else {
      v.archive = b->path;
      v.last_zxid = b->manifest.last_zxid;
      v.znodes = b->manifest.znode_count;
    }
    out.servers.push_back(v);
  }
  out.source = choose_survivor(out.servers);
  return out;
}

}  // namespace zkctl::ops
