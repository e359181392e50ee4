// `zkctl restore FILE` and `zkctl recover`.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/confirm.hpp"
#include "cli/exit_codes.hpp"
#include "ops/backup/zk_state.hpp"
#include "ops/commands/restore.hpp"
#include "util/table.hpp"

namespace zkctl::cli {

namespace {

void print_servers(const ops::RestoreCheck& check) {
  const ops::Manifest& m = check.archive.manifest;
  std::printf("archive: cluster %s, from %s at %s, last zxid %s, %s znodes\n", m.cluster.c_str(),
              m.server.c_str(), m.time.c_str(), ops::zxid_hex(m.last_zxid).c_str(),
              m.znode_count ? std::to_string(*m.znode_count).c_str() : "unknown");
  for (const auto& s : check.servers) {
    std::string state = s.serving ? "serving at zxid " + ops::zxid_hex(s.zxid) : "not serving";
    std::printf("  %-12s %-28s data dir up to zxid %s%s\n", s.host.c_str(), state.c_str(),
                ops::zxid_hex(s.newest()).c_str(),
                s.newest() > m.last_zxid ? "  NEWER than the archive" : "");
  }
}

// Run the restore and print what happened; the exit code.
int run_restore(ops::Context& ctx, const ops::Archive& archive, ops::AuditRecord& audit) {
  ops::RestoreResult r = ops::restore(ctx, archive);
  for (const auto& h : r.placed) audit.hosts.push_back({h, "state placed"});
  for (const auto& c : r.checks) std::printf("%s\n", c.c_str());
  if (!r.ok) {
    for (const auto& e : r.errors) std::fprintf(stderr, "zkctl: %s\n", e.c_str());
    audit.summary = "restore failed";
    return kFailed;
  }
  std::printf("restored %s from %s: last zxid %s on %zu servers, quorum back, verified\n",
              ctx.cluster().name.c_str(), archive.path.c_str(),
              ops::zxid_hex(archive.manifest.last_zxid).c_str(), r.placed.size());
  audit.summary = "restored from " + archive.path;
  if (!r.kafka_started) {
    for (const auto& e : r.errors) std::fprintf(stderr, "zkctl: %s\n", e.c_str());
    std::fprintf(stderr, "zkctl: ZooKeeper is restored but Kafka did not start\n");
    return kFailed;
  }
  return kOk;
}

}  // namespace

int cmd_restore(GlobalOptions& g, const std::string& file, Confirm confirm) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto archive = ops::open_checked(file);
  if (!archive) {
    std::fprintf(stderr, "zkctl: %s\nzkctl: restore refused; nothing was changed on any host\n",
                 archive.error().message.c_str());
    return kUsage;
  }
  if (archive->manifest.kind != ops::kZooKeeperData) {
    std::fprintf(stderr,
                 "zkctl: %s is a %s backup (cluster %s, node %d); zkctl restores ZooKeeper "
                 "backups only\nzkctl: restore refused; nothing was changed on any host\n",
                 file.c_str(), archive->manifest.kind.c_str(), archive->manifest.cluster.c_str(),
                 archive->manifest.server_id);
    return kUsage;
  }
  auto printer = make_progress(g);
  ops::Context ctx(loaded->cluster, g.ops, *printer);
  const std::string& name = loaded->cluster.name;
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) -> int {
    auto check = ops::check_restore(ctx, std::move(*archive));
    if (!check) {
      std::fprintf(stderr, "zkctl: %s\nzkctl: nothing was changed\n",
                   check.error().message.c_str());
      audit.summary = "refused: " + check.error().message;
      return kFailed;
    }
    print_servers(*check);
    if (check->needs_confirmation() && confirm == Confirm::ask) {
      const auto newer = check->newer();
      std::string q =
          "This stops cluster " + name + " and replaces every server's data with the archive's";
      if (!newer.empty())
        q += ", although " + std::to_string(newer.size()) +
             " server(s) hold NEWER data (their writes after " +
             ops::zxid_hex(check->archive.manifest.last_zxid) + " are lost)";
      if (!confirm_by_name(q + ".", name)) {
        std::fprintf(
            stderr,
            "zkctl: restore not confirmed; nothing was changed (use --yes to skip the question)\n");
        audit.summary = "refused: not confirmed";
        return kRefused;
      }
    }
    return run_restore(ctx, check->archive, audit);
  });
}

}  // namespace zkctl::cli
