// `zkctl recover`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/confirm.hpp"
#include "cli/exit_codes.hpp"
#include "ops/backup/zk_state.hpp"
#include "ops/commands/recover.hpp"
#include "ops/commands/restore.hpp"

namespace zkctl::cli {

namespace {

// A broker's controlled shutdown asks the controller through ZooKeeper, which has lost its
// quorum here: Kafka retries for about two minutes before it shuts down anyway. The brokers
// are killed after kRecoverKafkaGrace instead; they recover their logs when started.
constexpr std::chrono::seconds kRecoverKafkaGrace{15};

ops::Options recover_options(ops::Options o) {
  o.kafka_stop_grace = std::min(o.kafka_stop_grace, kRecoverKafkaGrace);
  return o;
}

// A private local dir for the survivors' copies, removed when it goes away.
struct CopiesDir {
  std::string path;
  ~CopiesDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

void print_survey(const ops::RecoverSurvey& s) {
  std::printf("no quorum; what each server holds:\n");
  for (std::size_t i = 0; i < s.servers.size(); ++i) {
    const auto& v = s.servers[i];
    if (v.archive.empty()) {
      std::printf("  %-12s no usable data: %s\n", v.host.c_str(), v.why_not.c_str());
      continue;
    }
    std::printf("  %-12s last zxid %s, %s znodes%s\n", v.host.c_str(),
                ops::zxid_hex(v.last_zxid).c_str(),
                v.znodes ? std::to_string(*v.znodes).c_str() : "unknown",
                s.source && *s.source == i ? "  <- highest: rebuild from here" : "");
  }
}

// After the survey: confirm, then place the source's state everywhere.
int rebuild(ops::Context& ctx, const ops::RecoverSurvey& s, Confirm confirm,
            ops::AuditRecord& audit) {
  const ops::Survivor& src = s.servers[*s.source];
  const std::string& name = ctx.cluster().name;
  std::printf(
      "rebuilding from %s at zxid %s: writes after %s that only the lost servers "
      "acknowledged are lost\n",
      src.host.c_str(), ops::zxid_hex(src.last_zxid).c_str(), ops::zxid_hex(src.last_zxid).c_str());
  if (!ctx.cluster().kafka_nodes.empty())
    std::printf(
        "Kafka's brokers cannot shut down in a controlled way without a quorum: one still "
        "running %llds after its SIGTERM is killed (it recovers its logs when started)\n",
        static_cast<long long>(ctx.options().kafka_stop_grace.count()));
  if (confirm == Confirm::ask &&
      !confirm_by_name("This stops every server of " + name + " and gives each " + src.host +
                           "'s data (membership: the inventory).",
                       name)) {
    std::fprintf(stderr, "zkctl: recover not confirmed; nothing was changed (use --yes)\n");
    audit.summary = "refused: not confirmed";
    return kRefused;
  }
  auto archive = ops::open_checked(src.archive);
  if (!archive) {
    std::fprintf(stderr, "zkctl: %s\n", archive.error().message.c_str());
    return kFailed;
  }
  ops::RestoreResult r = ops::restore(ctx, *archive);
  for (const auto& h : r.placed) audit.hosts.push_back({h, "state placed from " + src.host});
  for (const auto& c : r.checks) std::printf("%s\n", c.c_str());
  for (const auto& e : r.errors) std::fprintf(stderr, "zkctl: %s\n", e.c_str());
  if (!r.ok || !r.kafka_started) {
    audit.summary = "recover failed";
    return kFailed;
  }
  audit.summary = "recovered from " + src.host + " at " + ops::zxid_hex(src.last_zxid);
  std::printf("recovered %s from %s: last zxid %s on %zu servers, quorum back\n", name.c_str(),
              src.host.c_str(), ops::zxid_hex(src.last_zxid).c_str(), r.placed.size());
  return kOk;
}

}  // namespace

int cmd_recover(GlobalOptions& g, Confirm confirm) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/zkctl-recover.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "zkctl: cannot make a temp dir: %s\n", std::strerror(errno));
    return kFailed;
  }
  CopiesDir copies{pattern};
  auto printer = make_progress(g);
  ops::Context ctx(loaded->cluster, recover_options(g.ops), *printer);
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) -> int {
    auto s = ops::survey(ctx, copies.path, ZKCTL_VERSION);
    if (!s) {
      std::fprintf(stderr, "zkctl: recover refused: %s\n", s.error().message.c_str());
      audit.summary = "refused: " + s.error().message;
      return kRefused;
    }
    print_survey(*s);
    if (!s->source) {
      std::fprintf(stderr, "zkctl: no server holds usable data; restore a backup instead\n");
      audit.summary = "no survivor with data";
      return kFailed;
    }
    return rebuild(ctx, *s, confirm, audit);
  });
}

}  // namespace zkctl::cli
