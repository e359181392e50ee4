// `zkctl pki rotate`: new node certificates, reloaded where the product can.
#include "cli/cmd_pki.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/security/rotate.hpp"
#include "util/table.hpp"

namespace zkctl::cli {

namespace {

const char* how_text(const ops::Pickup& p) {
  return p.how == ops::Pickup::How::reload ? "reload" : "restart";
}

void print_rotation(const ops::RotateReport& r, RotateMode mode, Output output, util::Color color) {
  if (output == Output::json) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : r.nodes)
      nodes.push_back({{"node", n.label},
                       {"kind", n.kind},
                       {"pickup", how_text(n.pickup)},
                       {"reason", n.pickup.reason},
                       {"pid_before", n.pid_before},
                       {"pid_after", n.pid_after}});
    nlohmann::json j = {{"dry_run", mode == RotateMode::dry_run},
                        {"nodes", nodes},
                        {"refusals", r.refusals},
                        {"reloaded", r.reloaded},
                        {"restarted", r.restarted},
                        {"seconds", r.seconds},
                        {"ok", r.refusals.empty() && !r.failed()}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  util::Table t({{"NODE"}, {"KIND"}, {"PICKUP"}, {"WHY"}});
  for (const auto& n : r.nodes) {
    const auto paint =
        n.pickup.how == ops::Pickup::How::reload ? util::Paint::green : util::Paint::yellow;
    t.add_row({n.label, n.kind, util::paint(how_text(n.pickup), paint, color), n.pickup.reason});
  }
  std::printf("%s", t.render().c_str());
  if (mode == RotateMode::apply && r.refusals.empty())
    std::printf("rotated: %d reloaded without a restart, %d restarted, in %.1f s\n", r.reloaded,
                r.restarted, r.seconds);
}

}  // namespace

int cmd_pki_rotate(GlobalOptions& g, RotateMode mode, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto progress_printer = make_progress(g);
  // Rotation issues the new certificates; --dry-run only reads what is kept.
  g.ops.pki_use = mode == RotateMode::apply ? ops::PkiUse::issue : ops::PkiUse::existing;
  ops::Context ctx(loaded->cluster, g.ops, *progress_printer);
  auto body = [&](ops::AuditRecord* audit) {
    const auto r = ops::rotate_node_certificates(
        ctx, mode == RotateMode::dry_run ? ops::RotateMode::dry_run : ops::RotateMode::apply);
    print_rotation(r, mode, output, g.color);
    if (!r.refusals.empty()) {
      std::fprintf(stderr, "zkctl: pki rotate refused; nothing was changed on any host:\n");
      for (const auto& p : r.refusals) std::fprintf(stderr, "  %s\n", p.c_str());
    }
    for (const auto& f : r.failures) {
      std::fprintf(stderr, "zkctl: pki rotate failed: %s: %s: %s\n", f.host.c_str(),
                   f.failed_step.c_str(), f.error.c_str());
      if (audit) audit->hosts.push_back({f.host, f.failed_step + ": " + f.error});
    }
    const int code = !r.refusals.empty() ? kPreflightFailed : r.failed() ? kFailed : kOk;
    if (audit) audit->summary = code == kOk ? "node certificates rotated" : "pki rotate failed";
    return code;
  };
  if (mode == RotateMode::dry_run) return body(nullptr);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) { return body(&audit); });
}

}  // namespace zkctl::cli
