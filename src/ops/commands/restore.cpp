#include "ops/commands/restore.hpp"

#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "ops/backup/zk_state.hpp"
#include "ops/commands/cluster_control.hpp"
#include "ops/zookeeper/status.hpp"
#include "remote/scripts.hpp"
#include "runner/interrupt.hpp"
#include "runner/runner.hpp"

namespace zkctl::ops {

namespace {

using runner::StepOutcome;

std::string log_dir_of(const inventory::Server& s) {
  return s.data_log_dir.empty() ? s.data_dir : s.data_log_dir;
}

bool serving_mode(probe::Mode m) {
  return m == probe::Mode::leader || m == probe::Mode::follower || m == probe::Mode::observer ||
         m == probe::Mode::standalone;
}

// The newest zxid `s`'s data dir names, through its session.
util::Result<std::uint64_t> named_zxid_of(Context& ctx, const inventory::Server& s) {
  Connection& c = ctx.connection(s);
  if (!c.remote) return util::fail(c.error);
  auto out =
      remote::run_script(*c.remote, "list state files", remote::scripts::backup_list,
                         {s.service.user, s.data_dir, log_dir_of(s)}, ctx.command_timeout(s));
  if (!out) return out.error();
  auto listing = parse_listing(out->out);
  if (!listing) return listing.error();
  return named_zxid(*listing);
}

// Upload the archive to a private staging dir on the host and place it; removes the dir.
util::Result<StepOutcome> place_on(Context& ctx, const inventory::Server& s, const Archive& a) {
  Connection& c = ctx.connection(s);
  if (!c.remote) return util::fail(c.error);
  remote::Remote& r = *c.remote;
  const auto t = ctx.command_timeout(s);
  auto staged = remote::run_script(r, "stage", remote::scripts::backup_stage, {}, t);
  if (!staged) return staged.error();
  std::string dir = staged->out.substr(0, staged->out.find('\n'));
  const std::string file = dir + "/state.tar";
  auto up = r.upload_file(a.path, file, 0600, [&](std::uint64_t sent, std::uint64_t total) {
    ctx.progress().report(
        {s.host, "upload", runner::EventKind::progress,
         std::to_string(sent >> 20) + "/" + std::to_string(total >> 20) + " MiB"});
  });
  util::Result<remote::CommandResult> placed =
      up ? remote::run_script(
               r, "place state", remote::scripts::backup_place,
               {s.service.user, file, s.data_dir, log_dir_of(s),
                std::to_string(epoch_of(a.manifest.last_zxid)), std::to_string(s.id)},
               t)
         : util::Result<remote::CommandResult>(up.error());
  (void)remote::run_script(r, "unstage", remote::scripts::backup_unstage, {dir}, t);
  if (!placed) return placed.error();
  return StepOutcome::done;
}

// The cluster without Kafka: ZooKeeper starts (and is checked) before brokers.
inventory::Cluster zookeeper_only(const inventory::Cluster& c) {
  inventory::Cluster v = c;
  v.kafka.reset();
  v.kafka_nodes.clear();
  return v;
}

// Verify against the manifest through the leader's srvr and mntr.
std::vector<std::string> verify_restored(Context& ctx, const Manifest& m, RestoreResult& result) {
  ClusterStatus st = collect_status(ctx);
  for (const auto& n : st.nodes) {
    if (n.probe.mode != probe::Mode::leader && n.probe.mode != probe::Mode::standalone) continue;
    if (!n.probe.srvr || !n.probe.mntr || !n.probe.mntr->znode_count) break;
    auto e = n.probe.mntr->raw.find("zk_ephemerals_count");
    const long eph = e == n.probe.mntr->raw.end() ? 0 : std::atol(e->second.c_str());
    const std::uint64_t zxid = probe::zxid_number(n.probe.srvr->zxid).value_or(0);
    result.checks.push_back(n.server->host + " leads epoch " + std::to_string(epoch_of(zxid)) +
                            " after the archive's last zxid " + zxid_hex(m.last_zxid) + "; " +
                            std::to_string(*n.probe.mntr->znode_count) + " znodes (" +
                            std::to_string(eph) + " ephemeral)");
    return restore_mismatches(m, *n.probe.mntr->znode_count, eph, zxid);
  }
  return {"no leader answered srvr and mntr after the start: " + st.quorum.describe()};
}

// The leader's ephemeral count (mntr), or nullopt when no leader answers.
std::optional<long> ephemerals_now(Context& ctx) {
  ClusterStatus st = collect_status(ctx);
  for (const auto& n : st.nodes) {
    if (n.probe.mode != probe::Mode::leader && n.probe.mode != probe::Mode::standalone) continue;
    if (!n.probe.mntr) return std::nullopt;
    auto e = n.probe.mntr->raw.find("zk_ephemerals_count");
    if (e == n.probe.mntr->raw.end()) return std::nullopt;
    return std::atol(e->second.c_str());
  }
  return std::nullopt;
}

// The archive's sessions are dead (their clients were stopped or are elsewhere), but their
// ephemeral znodes stay until the sessions expire: a Kafka broker finding its own
// registration held by such a session exits. Wait (up to the wait timeout) until none is left.
void await_dead_sessions(Context& ctx, const Manifest& m, RestoreResult& result) {
  if (!m.ephemeral_count || *m.ephemeral_count == 0) return;
  const auto t0 = std::chrono::steady_clock::now();
  const auto deadline = t0 + ctx.options().wait_timeout;
  ctx.progress().report({"", "expire the archive's sessions", runner::EventKind::started, ""});
  std::optional<long> left;
  while (std::chrono::steady_clock::now() < deadline && !runner::stop_requested()) {
    left = ephemerals_now(ctx);
    if (left && *left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const long secs =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0)
          .count();
  if (left && *left == 0) {
    result.checks.push_back("the archive's " + std::to_string(*m.ephemeral_count) +
                            " ephemeral znodes expired with their sessions after " +
                            std::to_string(secs) + " s");
    ctx.progress().report({"", "expire the archive's sessions", runner::EventKind::done, ""});
  } else {
    result.checks.push_back("warning: " + (left ? std::to_string(*left) : std::string("some")) +
                            " ephemeral znodes still held after " + std::to_string(secs) +
                            " s (live clients of the restored sessions?)");
  }
}

}  // namespace

bool RestoreCheck::serving() const {
  for (const auto& s : servers)
    if (s.serving) return true;
  return false;
}

std::vector<const ServerData*> RestoreCheck::newer() const {
  std::vector<const ServerData*> out;
  for (const auto& s : servers)
    if (s.newest() > archive.manifest.last_zxid) out.push_back(&s);
  return out;
}

util::Result<Archive> open_checked(const std::string& path) {
  auto archive = open_archive(path);
  if (!archive) return archive.error();
  auto problems = check_members(*archive);
  if (!problems.empty()) {
    std::string text = path + ": the archive is damaged:";
    for (const auto& p : problems) text += "\n  " + p;
    return util::fail(text);
  }
  return archive;
}

util::Result<RestoreCheck> check_restore(Context& ctx, Archive archive) {
  RestoreCheck check{std::move(archive), {}};
  ClusterStatus st = collect_status(ctx, probe::AskMntr::no);
  std::vector<const inventory::Server*> servers;
  for (const auto& n : st.nodes) {
    ServerData d;
    d.host = n.server->host;
    d.serving = serving_mode(n.probe.mode);
    if (n.probe.srvr) d.zxid = probe::zxid_number(n.probe.srvr->zxid).value_or(0);
    check.servers.push_back(d);
    servers.push_back(n.server);
  }
  ctx.connect(servers);
  std::mutex mu;
  runner::parallel_for(servers.size(), ctx.options().parallel, [&](std::size_t i) {
    auto z = named_zxid_of(ctx, *servers[i]);
    std::lock_guard l(mu);
    if (z)
      check.servers[i].named_zxid = *z;
    else
      check.servers[i].error = z.error().message;
  });
  for (const auto& s : check.servers)
    if (!s.error.empty()) return util::fail(s.host + ": " + s.error);
  return check;
}

std::vector<std::string> restore_mismatches(const Manifest& m, long znodes, long ephemerals,
                                            std::uint64_t zxid) {
  std::vector<std::string> out;
  if (epoch_of(zxid) != epoch_of(m.last_zxid) + 1) {
    out.push_back("the ensemble is in epoch " + std::to_string(epoch_of(zxid)) +
                  ", not the one after the archive's (" +
                  std::to_string(epoch_of(m.last_zxid) + 1) +
                  "): it did not elect from the restored state");
  }
  if (m.znode_count && m.ephemeral_count &&
      znodes - ephemerals != *m.znode_count - *m.ephemeral_count) {
    out.push_back("the ensemble holds " + std::to_string(znodes - ephemerals) +
                  " persistent znodes, the archive " +
                  std::to_string(*m.znode_count - *m.ephemeral_count));
  }
  return out;
}

RestoreResult restore(Context& ctx, const Archive& archive) {
  RestoreResult result;
  auto stopped = stop_cluster(ctx);
  result.errors = stopped.errors;
  if (!stopped.ok) return result;
  runner::Stage stage{"restore", {}};
  for (const auto& s : ctx.cluster().servers) {
    const inventory::Server* sp = &s;
    stage.jobs.push_back(
        {s.host, {{"place state", [&ctx, sp, &archive] { return place_on(ctx, *sp, archive); }}}});
  }
  runner::Runner runner(ctx.progress(), ctx.options().parallel);
  auto placed = runner.run_stage(stage);
  for (const auto& h : placed.hosts) {
    if (h.ok())
      result.placed.push_back(h.host);
    else
      result.errors.push_back(h.host + ": " + h.failed_step + ": " + h.error);
  }
  if (!placed.ok()) return result;
  const inventory::Cluster view = zookeeper_only(ctx.cluster());
  Context zk(view, ctx);
  auto started = start_cluster(zk);
  if (!started.ok) {
    result.errors.insert(result.errors.end(), started.errors.begin(), started.errors.end());
    return result;
  }
  auto mismatches = verify_restored(zk, archive.manifest, result);
  if (!mismatches.empty()) {
    result.errors.insert(result.errors.end(), mismatches.begin(), mismatches.end());
    return result;
  }
  result.ok = true;
  await_dead_sessions(zk, archive.manifest, result);
  if (!ctx.cluster().kafka_nodes.empty()) {
    auto k = start_cluster(ctx);
    result.kafka_started = k.ok;
    result.errors.insert(result.errors.end(), k.errors.begin(), k.errors.end());
  }
  return result;
}

}  // namespace zkctl::ops
