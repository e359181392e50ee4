// `zkctl pki rotate`: new node certificates, reloaded where the product can.
#include "cli/cmd_pki.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/security/ca_rotate.hpp"
#include "ops/security/rotate.hpp"
#include "util/table.hpp"

namespace zkctl::cli {

namespace {

const char* how_text(const ops::Pickup& p) {
  return p.how == ops::Pickup::How::reload ? "reload" : "restart";
}

nlohmann::json nodes_json(const std::vector<ops::RotatedNode>& nodes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : nodes)
    out.push_back({{"node", n.label},
                   {"kind", n.kind},
                   {"pickup", how_text(n.pickup)},
                   {"reason", n.pickup.reason},
                   {"pid_before", n.pid_before},
                   {"pid_after", n.pid_after}});
  return out;
}

std::string nodes_table(const std::vector<ops::RotatedNode>& nodes, util::Color color) {
  util::Table t({{"NODE"}, {"KIND"}, {"PICKUP"}, {"WHY"}});
  for (const auto& n : nodes) {
    const auto paint =
        n.pickup.how == ops::Pickup::How::reload ? util::Paint::green : util::Paint::yellow;
    t.add_row({n.label, n.kind, util::paint(how_text(n.pickup), paint, color), n.pickup.reason});
  }
  return t.render();
}

void print_ca_rotation(const ops::CaRotateReport& r, RotateMode mode, Output output,
                       util::Color color) {
  if (output == Output::json) {
    nlohmann::json phases = nlohmann::json::array();
    for (const auto& p : r.phases)
      phases.push_back({{"phase", ops::to_string(p.phase)},
                        {"change", ops::ca_phase_change(p.phase)},
                        {"state", p.state},
                        {"reloaded", p.reloaded},
                        {"restarted", p.restarted},
                        {"seconds", p.seconds}});
    nlohmann::json j = {{"dry_run", mode == RotateMode::dry_run},
                        {"phases", phases},
                        {"nodes", nodes_json(r.nodes)},
                        {"refusals", r.refusals},
                        {"finished", r.finished},
                        {"seconds", r.seconds},
                        {"ok", r.refusals.empty() && !r.failed()}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  util::Table t({{"PHASE"}, {"STATE"}, {"WHAT IT CHANGES"}});
  for (const auto& p : r.phases)
    t.add_row({ops::to_string(p.phase), p.state, ops::ca_phase_change(p.phase)});
  std::printf("%s\nper phase, each node:\n%s", t.render().c_str(),
              nodes_table(r.nodes, color).c_str());
  if (mode != RotateMode::apply || !r.refusals.empty()) return;
  for (const auto& p : r.phases)
    if (p.state == "done")
      std::printf("%s: %d reloaded without a restart, %d restarted, in %.1f s\n",
                  ops::to_string(p.phase), p.reloaded, p.restarted, p.seconds);
  if (r.finished)
    std::printf("CA rotated: the old CA is archived; every node trusts the new CA only\n");
}

void print_rotation(const ops::RotateReport& r, RotateMode mode, Output output, util::Color color) {
  if (output == Output::json) {
    nlohmann::json j = {{"dry_run", mode == RotateMode::dry_run},
                        {"nodes", nodes_json(r.nodes)},
                        {"refusals", r.refusals},
                        {"reloaded", r.reloaded},
                        {"restarted", r.restarted},
                        {"seconds", r.seconds},
                        {"ok", r.refusals.empty() && !r.failed()}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("%s", nodes_table(r.nodes, color).c_str());
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

int cmd_pki_rotate_ca(GlobalOptions& g, RotateMode mode, Output output, const std::string& until) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto progress_printer = make_progress(g);
  g.ops.pki_use = mode == RotateMode::apply ? ops::PkiUse::issue : ops::PkiUse::existing;
  ops::Context ctx(loaded->cluster, g.ops, *progress_printer);
  ops::CaRotateOptions options;
  options.mode = mode == RotateMode::dry_run ? ops::RotateMode::dry_run : ops::RotateMode::apply;
  if (!until.empty()) options.until = ops::ca_phase_named(until);
  auto body = [&](ops::AuditRecord* audit) {
    const auto r = ops::rotate_ca(ctx, options);
    print_ca_rotation(r, mode, output, g.color);
    if (!r.refusals.empty()) {
      std::fprintf(stderr, "zkctl: pki rotate --ca refused; nothing was changed on any host:\n");
      for (const auto& p : r.refusals) std::fprintf(stderr, "  %s\n", p.c_str());
    }
    for (const auto& f : r.failures) {
      std::fprintf(stderr, "zkctl: pki rotate --ca failed: %s%s%s: %s\n", f.host.c_str(),
                   f.host.empty() ? "" : ": ", f.failed_step.c_str(), f.error.c_str());
      if (audit) audit->hosts.push_back({f.host, f.failed_step + ": " + f.error});
    }
    const int code = !r.refusals.empty() ? kPreflightFailed : r.failed() ? kFailed : kOk;
    if (audit) audit->summary = code == kOk ? "CA rotation phases run" : "pki rotate --ca failed";
    return code;
  };
  if (mode == RotateMode::dry_run) return body(nullptr);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) { return body(&audit); });
}

}  // namespace zkctl::cli
