#include "ops/commands/backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "ops/host/java.hpp"
#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/health.hpp"
#include "ops/zookeeper/status.hpp"
#include "remote/scripts.hpp"
#include "util/clock.hpp"

namespace zkctl::ops {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kLoadTimeout{600};

bool serving(probe::Mode m) {
  return m == probe::Mode::leader || m == probe::Mode::follower || m == probe::Mode::observer ||
         m == probe::Mode::standalone;
}

std::string log_dir_of(const inventory::Server& s) {
  return s.data_log_dir.empty() ? s.data_dir : s.data_log_dir;
}

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// A local temp file beside `target`, created 0600; removed when it goes away unless kept.
struct LocalTemp {
  std::string path;
  std::FILE* file = nullptr;
  bool keep = false;
  ~LocalTemp() {
    if (file != nullptr) std::fclose(file);
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

util::Result<void> open_temp(const std::string& target, const char* suffix, LocalTemp& t) {
  std::string pattern = target + suffix;
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0)
    return util::fail(target + ": cannot create a temp file beside it: " + std::strerror(errno));
  t.path = pattern;
  t.file = ::fdopen(fd, "w+b");
  if (t.file == nullptr) return util::fail(pattern + ": " + std::strerror(errno));
  return {};
}

// The server named `host`, or the one choose_source picks; its mode and ZooKeeper version.
struct Source {
  const inventory::Server* server = nullptr;
  probe::Mode mode = probe::Mode::unknown;
  std::string version;
};

util::Result<Source> pick_source(Context& ctx, const std::string& host) {
  if (!host.empty()) {
    for (const auto& s : ctx.cluster().servers)
      if (s.host == host) return Source{&s, probe::Mode::unknown, ""};
    return util::fail(host + " is not a ZooKeeper server of the inventory");
  }
  ClusterStatus status = collect_status(ctx, probe::AskMntr::no);
  std::vector<SourceCandidate> candidates;
  for (const auto& n : status.nodes) {
    std::uint64_t zxid = 0;
    if (n.probe.srvr) zxid = probe::zxid_number(n.probe.srvr->zxid).value_or(0);
    candidates.push_back({n.server->host, n.probe.mode, zxid});
  }
  auto i = choose_source(candidates);
  if (!i) return util::fail("no server is serving: a backup is taken from a serving server");
  const auto& n = status.nodes[*i];
  std::string version = n.probe.srvr ? n.probe.srvr->version : "";
  version = version.substr(0, version.find_first_of("-, "));
  return Source{n.server, n.probe.mode, version};
}

// List the server's state files and choose the restorable state.
util::Result<StateSelection> list_state(Context& ctx, const inventory::Server& s, remote::Remote& r,
                                        StateListing* listing_out = nullptr) {
  auto out =
      remote::run_script(r, "list state files", remote::scripts::backup_list,
                         {s.service.user, s.data_dir, log_dir_of(s)}, ctx.command_timeout(s));
  if (!out) return out.error();
  auto listing = parse_listing(out->out);
  if (!listing) return util::fail(s.host + ": " + listing.error().message);
  if (listing_out != nullptr) *listing_out = *listing;
  auto sel = select_state(*listing);
  if (!sel) return util::fail(s.host + ": " + sel.error().message);
  return sel;
}

// Run `command` on `host` and write its standard output (a tar) into `raw`, with
// progress against `total` (bytes expected); the bytes read.
util::Result<std::uint64_t> stream_into(Context& ctx, const std::string& host, remote::Remote& r,
                                        const std::string& command, std::uint64_t total,
                                        std::FILE* raw, std::chrono::seconds timeout) {
  std::uint64_t got = 0;
  auto last = Clock::now();
  auto sink = [&](std::string_view chunk) -> util::Result<void> {
    if (std::fwrite(chunk.data(), 1, chunk.size(), raw) != chunk.size())
      return util::fail("writing the local temp file failed: " + std::string(std::strerror(errno)));
    got += chunk.size();
    if (Clock::now() - last > std::chrono::milliseconds(500)) {
      last = Clock::now();
      ctx.progress().report(
          {host, "backup", runner::EventKind::progress, mib(got) + " of about " + mib(total)});
    }
    return {};
  };
  auto run = r.run_streaming(command, sink, timeout);
  if (!run) return run.error();
  if (run->exit_status != 0) {
    return util::fail(host + ": streaming the data dir failed (exit " +
                      std::to_string(run->exit_status) + "): " + run->err);
  }
  if (std::fflush(raw) != 0) return util::fail("writing the local temp file failed");
  return got;
}

// Stream the selected files as a tar into `raw`; the bytes read.
util::Result<std::uint64_t> stream_state(Context& ctx, const inventory::Server& s,
                                         remote::Remote& r, const StateSelection& sel,
                                         std::FILE* raw) {
  std::vector<std::string> args = {s.service.user, s.data_dir, sel.snapshot.name, log_dir_of(s)};
  for (const auto& l : sel.logs) args.push_back(l.name);
  return stream_into(ctx, s.host, r, remote::script_command(remote::scripts::backup_stream, args),
                     sel.bytes(), raw, ctx.command_timeout(s));
}

// The members of the raw tar, logs cut at their last complete transaction, into `m`.
util::Result<std::vector<LoadMember>> index_raw(const std::string& raw, Manifest& m) {
  auto entries = list_tar(raw);
  if (!entries) return entries.error();
  std::vector<LoadMember> out;
  for (const auto& e : *entries) {
    const std::string base = e.name.substr(e.name.rfind('/') + 1);
    auto f = state_file_of(base, e.size);
    if (!f) return util::fail("unexpected member in the stream: " + e.name);
    LoadMember lm{base, raw, e.offset, e.size};
    if (f->kind == StateFile::Kind::log) {
      std::ifstream in(raw, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(e.offset));
      auto scan = scan_txn_log(in, e.size);
      if (!scan) return util::fail(base + ": " + scan.error().message);
      lm.size = scan->end;
      m.txns += scan->txns;
      m.last_zxid = std::max(m.last_zxid, scan->last_zxid);
    } else {
      m.snapshot_zxid = f->zxid;
      m.last_zxid = std::max(m.last_zxid, f->zxid);
    }
    auto sum = sha256_range(raw, lm.offset, lm.size);
    if (!sum) return sum.error();
    m.members.push_back({"version-2/" + base, lm.size, *sum});
    out.push_back(lm);
  }
  return out;
}

// Count znodes by loading the state locally; a note when that could not be done.
std::string count_znodes(const std::vector<LoadMember>& members, const std::string& distribution,
                         Manifest& m) {
  auto loaded = load_locally(members, distribution, kLoadTimeout);
  if (!loaded) return loaded.error().message;
  if (loaded->last_zxid < m.last_zxid) {
    return "ZooKeeper loaded the state only to " + zxid_hex(loaded->last_zxid) +
           ", its logs reach " + zxid_hex(m.last_zxid);
  }
  m.znode_count = loaded->znode_count;
  m.ephemeral_count = loaded->ephemeral_count;
  if (m.zookeeper_version.empty()) m.zookeeper_version = loaded->zookeeper_version;
  return "";
}

// Write manifest + members to a temp file beside `out`, then rename it over `out`.
// Each member is stored as `prefix` + its name.
util::Result<std::uint64_t> write_archive(const std::string& out, const Manifest& m,
                                          const std::vector<LoadMember>& members,
                                          const std::string& prefix = "version-2/") {
  LocalTemp t;
  if (auto o = open_temp(out, ".tmp-XXXXXX", t); !o) return o.error();
  TarWriter w(t.file);
  if (auto r = w.add("manifest.json", manifest_json(m)); !r) return r.error();
  for (const auto& x : members)
    if (auto r = w.add_copy(prefix + x.name, x.path, x.offset, x.size); !r) return r.error();
  if (auto r = w.finish(); !r) return r.error();
  if (std::fflush(t.file) != 0 || ::fsync(::fileno(t.file)) != 0)
    return util::fail(t.path + ": " + std::strerror(errno));
  const auto size = static_cast<std::uint64_t>(std::ftell(t.file));
  if (::rename(t.path.c_str(), out.c_str()) != 0)
    return util::fail(out + ": " + std::strerror(errno));
  t.keep = true;
  return size;
}

// ---- KRaft metadata -----------------------------------------------------------------

// The metadata log's replication table, asked through the first node that answers.
util::Result<std::vector<QuorumReplica>> read_replication(Context& ctx) {
  const AdminScript s{"kafka-metadata-quorum.sh",
                      remote::scripts::backup_kraft_replication,
                      kafka_access(ctx.cluster()).bootstrap,
                      {}};
  return ask_first_kafka_node<std::vector<QuorumReplica>>(ctx, s, "controller quorum",
                                                          parse_quorum_replication);
}

struct KraftSource {
  const inventory::KafkaNode* node = nullptr;
  std::string mode;  // "follower", "leader", "not asked"
};

// The node named `host`, else the controller choose_kraft_source picks.
util::Result<KraftSource> pick_kraft_source(Context& ctx, const std::string& host) {
  if (!host.empty()) {
    const auto* n = ctx.cluster().find_kafka(host);
    if (n == nullptr) return util::fail(host + " is not a Kafka node of the inventory");
    return KraftSource{n, "not asked"};
  }
  auto rows = read_replication(ctx);
  if (!rows) return rows.error();
  auto i = choose_kraft_source(*rows);
  if (!i) return util::fail("no controller is serving: a backup is taken from a serving one");
  for (const auto& n : ctx.cluster().kafka_nodes) {
    if (n.id != (*rows)[*i].node_id) continue;
    std::string mode = (*rows)[*i].status;
    for (auto& ch : mode) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return KraftSource{&n, mode};
  }
  return util::fail("controller " + std::to_string((*rows)[*i].node_id) +
                    " is not a node of the inventory");
}

// The newest snapshot on `n` and its cluster id.
util::Result<std::pair<Checkpoint, std::string>> newest_on(Context& ctx,
                                                           const inventory::KafkaNode& n,
                                                           remote::Remote& r) {
  const std::string& dir = n.log_dirs.front();
  auto out = remote::run_script(r, "list metadata snapshots", remote::scripts::backup_kraft_list,
                                {n.service.user, dir}, ctx.command_timeout(n));
  if (!out) return out.error();
  auto listing = parse_kraft_listing(out->out);
  if (!listing) return util::fail(n.host + ": " + listing.error().message);
  auto newest = newest_checkpoint(*listing);
  if (!newest) {
    return util::fail(n.host + ": no metadata snapshot in " + dir +
                      "/__cluster_metadata-0 yet (a controller writes one after "
                      "metadata.log.max.snapshot.interval.ms, an hour by default)");
  }
  return std::make_pair(*newest, listing->cluster_id);
}

// `name` as an archive member: __cluster_metadata-0/<offset>-<epoch>.checkpoint.
std::optional<Checkpoint> kraft_snapshot_member(const std::string& name) {
  const std::string dir = "__cluster_metadata-0/";
  if (!name.starts_with(dir)) return std::nullopt;
  return checkpoint_of(name.substr(dir.size()), 0);
}

// The raw tar's members (meta.properties, the snapshot) with their sha256, into `m`.
util::Result<std::vector<LoadMember>> index_kraft_raw(const std::string& raw, Manifest& m) {
  auto entries = list_tar(raw);
  if (!entries) return entries.error();
  std::vector<LoadMember> out;
  for (const auto& e : *entries) {
    if (e.name != "meta.properties" && !kraft_snapshot_member(e.name))
      return util::fail("unexpected member in the stream: " + e.name);
    auto sum = sha256_range(raw, e.offset, e.size);
    if (!sum) return sum.error();
    m.members.push_back({e.name, e.size, *sum});
    out.push_back({e.name, raw, e.offset, e.size});
  }
  return out;
}

// Read the snapshot member with Kafka's DumpLogSegments; a note when that failed.
std::string count_records(const std::vector<LoadMember>& members, const std::string& distribution,
                          Manifest& m) {
  for (const auto& x : members) {
    auto c = kraft_snapshot_member(x.name);
    if (!c) continue;
    LoadMember named = x;
    named.name = c->name;
    auto dump = dump_kraft_snapshot(named, distribution, kLoadTimeout);
    if (!dump) return dump.error().message;
    if (!dump->problems.empty()) return dump->problems.front();
    m.record_count = dump->records;
    return "";
  }
  return "no snapshot in the stream";
}

}  // namespace

std::optional<std::size_t> choose_source(const std::vector<SourceCandidate>& candidates) {
  std::optional<std::size_t> best;
  std::optional<std::size_t> leader;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (!serving(c.mode)) continue;
    if (c.mode == probe::Mode::leader) {
      leader = i;
      continue;
    }
    if (!best || c.zxid > candidates[*best].zxid) best = i;
  }
  return best ? best : leader;
}

util::Result<BackupResult> backup(Context& ctx, const BackupOptions& options) {
  const auto t0 = Clock::now();
  auto source = pick_source(ctx, options.server);
  if (!source) return source.error();
  const inventory::Server& s = *source->server;
  Connection& c = ctx.connection(s);
  if (!c.remote) return util::fail(s.host + ": " + c.error);
  ctx.progress().report({s.host, "backup", runner::EventKind::started, ""});
  auto sel = list_state(ctx, s, *c.remote);
  if (!sel) return sel.error();
  LocalTemp raw;
  if (auto o = open_temp(options.out, ".stream-XXXXXX", raw); !o) return o.error();
  auto streamed = stream_state(ctx, s, *c.remote, *sel, raw.file);
  if (!streamed) return streamed.error();
  BackupResult result;
  Manifest& m = result.manifest;
  m.cluster = ctx.cluster().name;
  m.server = s.host;
  m.server_id = s.id;
  m.mode = source->mode == probe::Mode::unknown ? "not serving" : probe::to_string(source->mode);
  m.time = util::utc_now_iso8601();
  m.zkctl_version = options.zkctl_version;
  m.zookeeper_version = source->version;
  auto members = index_raw(raw.path, m);
  if (!members) return members.error();
  if (options.count == BackupOptions::Count::yes)
    result.count_note = count_znodes(*members, ctx.cluster().zookeeper.distribution, m);
  auto size = write_archive(options.out, m, *members);
  if (!size) return size.error();
  result.path = options.out;
  result.bytes = *size;
  result.streamed = *streamed;
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  ctx.progress().report({s.host, "backup", runner::EventKind::done, mib(*streamed) + " streamed"});
  return result;
}

util::Result<BackupResult> backup_kraft(Context& ctx, const BackupOptions& options) {
  const auto t0 = Clock::now();
  auto source = pick_kraft_source(ctx, options.server);
  if (!source) return source.error();
  const inventory::KafkaNode& n = *source->node;
  Connection& c = ctx.connection(n);
  if (!c.remote) return util::fail(n.host + ": " + c.error);
  ctx.progress().report({n.host, "backup", runner::EventKind::started, ""});
  auto newest = newest_on(ctx, n, *c.remote);
  if (!newest) return newest.error();
  const Checkpoint& snap = newest->first;
  LocalTemp raw;
  if (auto o = open_temp(options.out, ".stream-XXXXXX", raw); !o) return o.error();
  auto streamed =
      stream_into(ctx, n.host, *c.remote,
                  remote::script_command(remote::scripts::backup_kraft_stream,
                                         {n.service.user, n.log_dirs.front(), snap.name}),
                  snap.size, raw.file, ctx.command_timeout(n));
  if (!streamed) return streamed.error();
  BackupResult result;
  Manifest& m = result.manifest;
  m.kind = kKraftMetadata;
  m.cluster = ctx.cluster().name;
  m.server = n.host;
  m.server_id = n.id;
  m.mode = source->mode;
  m.snapshot_offset = snap.offset;
  m.snapshot_epoch = snap.epoch;
  m.cluster_id = newest->second;
  m.time = util::utc_now_iso8601();
  m.zkctl_version = options.zkctl_version;
  const std::string& dist = ctx.cluster().kafka->distribution;
  if (auto v = distribution_version(dist, render::Product::kafka)) m.kafka_version = v->text;
  auto members = index_kraft_raw(raw.path, m);
  if (!members) return members.error();
  if (options.count == BackupOptions::Count::yes)
    result.count_note = count_records(*members, dist, m);
  auto size = write_archive(options.out, m, *members, "");
  if (!size) return size.error();
  result.path = options.out;
  result.bytes = *size;
  result.streamed = *streamed;
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  ctx.progress().report({n.host, "backup", runner::EventKind::done, mib(*streamed) + " streamed"});
  return result;
}

std::vector<LoadMember> load_members(const Archive& archive) {
  std::vector<LoadMember> out;
  for (const auto& e : archive.entries) {
    if (!e.name.starts_with("version-2/")) continue;
    out.push_back({e.name.substr(10), archive.path, e.offset, e.size});
  }
  return out;
}

namespace {

// verify_backup of a kraft-metadata archive.
VerifyResult verify_kraft(const Archive& archive, const std::string& distribution,
                          std::chrono::seconds timeout) {
  VerifyResult r{archive.manifest, check_members(archive), std::nullopt, std::nullopt};
  if (!r.problems.empty()) return r;
  const TarEntry* snap = nullptr;
  std::string base;  // its file name: DumpLogSegments reads offset and epoch from it
  for (const auto& e : archive.entries) {
    if (auto c = kraft_snapshot_member(e.name)) {
      snap = &e;
      base = c->name;
    }
  }
  if (snap == nullptr) {
    r.problems.push_back("the archive holds no metadata snapshot");
    return r;
  }
  if (distribution.empty()) {
    r.problems.push_back("the inventory has no [kafka] distribution to read the snapshot with");
    return r;
  }
  LoadMember member{base, archive.path, snap->offset, snap->size};
  auto dump = dump_kraft_snapshot(member, distribution, timeout);
  if (!dump) {
    r.problems.push_back(dump.error().message);
    return r;
  }
  r.dump = *dump;
  r.problems.insert(r.problems.end(), dump->problems.begin(), dump->problems.end());
  const Manifest& m = r.manifest;
  if (dump->end_offset != m.snapshot_offset || dump->epoch != m.snapshot_epoch)
    r.problems.push_back("the snapshot ends at offset " + std::to_string(dump->end_offset) +
                         " epoch " + std::to_string(dump->epoch) + ", the manifest says " +
                         std::to_string(m.snapshot_offset) + " epoch " +
                         std::to_string(m.snapshot_epoch));
  if (m.record_count && *m.record_count != dump->records)
    r.problems.push_back("Kafka read " + std::to_string(dump->records) +
                         " records, the manifest says " + std::to_string(*m.record_count));
  return r;
}

}  // namespace

util::Result<VerifyResult> verify_backup(const std::string& path, const std::string& distribution,
                                         std::chrono::seconds timeout,
                                         const std::string& kafka_distribution) {
  auto archive = open_archive(path);
  if (!archive) return archive.error();
  if (archive->manifest.kind == kKraftMetadata)
    return verify_kraft(*archive, kafka_distribution, timeout);
  VerifyResult r{archive->manifest, check_members(*archive), std::nullopt, std::nullopt};
  if (!r.problems.empty()) return r;
  auto loaded = load_locally(load_members(*archive), distribution, timeout);
  if (!loaded) {
    r.problems.push_back(loaded.error().message);
    return r;
  }
  r.loaded = *loaded;
  const Manifest& m = r.manifest;
  if (loaded->snapshot_zxid != m.snapshot_zxid)
    r.problems.push_back("the snapshot holds zxid " + zxid_hex(loaded->snapshot_zxid) +
                         ", the manifest says " + zxid_hex(m.snapshot_zxid));
  if (loaded->last_zxid < m.last_zxid)
    r.problems.push_back("ZooKeeper loaded the state only to " + zxid_hex(loaded->last_zxid) +
                         ", the manifest says " + zxid_hex(m.last_zxid));
  if (m.znode_count && m.ephemeral_count &&
      loaded->znode_count - loaded->ephemeral_count != *m.znode_count - *m.ephemeral_count)
    r.problems.push_back("ZooKeeper loaded " + std::to_string(loaded->znode_count) +
                         " znodes, the manifest says " + std::to_string(*m.znode_count));
  return r;
}

}  // namespace zkctl::ops
