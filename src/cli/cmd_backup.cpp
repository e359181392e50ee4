// `zkctl backup` and `zkctl backup verify`.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/backup/zk_state.hpp"
#include "ops/commands/backup.hpp"
#include "runner/progress.hpp"

namespace zkctl::cli {

namespace {

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// "<cluster>-<kind>-<UTC>.tar" in the current dir.
std::string default_out(const std::string& cluster, const std::string& kind) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
  return cluster + "-" + kind + "-" + when + ".tar";
}

std::string count_text(const ops::Manifest& m) {
  if (!m.znode_count) return "unknown";
  return std::to_string(*m.znode_count) + " (" + std::to_string(m.ephemeral_count.value_or(0)) +
         " ephemeral)";
}

nlohmann::ordered_json manifest_summary(const ops::Manifest& m) {
  return nlohmann::ordered_json::parse(ops::manifest_json(m));
}

void print_rate(const ops::BackupResult& r) {
  const double rate = r.seconds > 0 ? static_cast<double>(r.streamed) / r.seconds / 1048576.0 : 0;
  std::printf("wrote %s: %s in %.1f s (%s streamed, %.1f MiB/s)\n", r.path.c_str(),
              mib(r.bytes).c_str(), r.seconds, mib(r.streamed).c_str(), rate);
}

void print_kraft_backup(const ops::BackupResult& r) {
  const ops::Manifest& m = r.manifest;
  std::printf(
      "backup of %s from %s (node %d, %s): metadata snapshot at offset %llu, epoch %u, "
      "cluster id %s\n",
      m.cluster.c_str(), m.server.c_str(), m.server_id, m.mode.c_str(),
      static_cast<unsigned long long>(m.snapshot_offset), m.snapshot_epoch, m.cluster_id.c_str());
  if (m.record_count)
    std::printf("records: %ld, read by Kafka %s's DumpLogSegments from the archive locally\n",
                *m.record_count, m.kafka_version.c_str());
  if (!r.count_note.empty())
    std::fprintf(stderr, "zkctl: warning: records not counted: %s\n", r.count_note.c_str());
  print_rate(r);
}

void print_backup(const ops::BackupResult& r) {
  const ops::Manifest& m = r.manifest;
  std::printf("backup of %s from %s (%s): snapshot %s + %zu log(s), last zxid %s, %llu txns\n",
              m.cluster.c_str(), m.server.c_str(), m.mode.c_str(),
              ops::zxid_hex(m.snapshot_zxid).c_str(), m.members.size() - 1,
              ops::zxid_hex(m.last_zxid).c_str(), static_cast<unsigned long long>(m.txns));
  std::printf("znodes: %s%s\n", count_text(m).c_str(),
              m.znode_count ? (", counted by ZooKeeper " + m.zookeeper_version +
                               " loading the archive locally")
                                  .c_str()
                            : "");
  if (!r.count_note.empty())
    std::fprintf(stderr, "zkctl: warning: znodes not counted: %s\n", r.count_note.c_str());
  print_rate(r);
}

nlohmann::ordered_json dump_summary(const ops::SnapshotDump& d) {
  nlohmann::ordered_json j;
  j["end_offset"] = d.end_offset;
  j["epoch"] = d.epoch;
  j["records"] = d.records;
  j["control_records"] = d.control_records;
  j["last_offset"] = d.last_offset ? nlohmann::ordered_json(*d.last_offset) : nullptr;
  j["topics"] = d.topics;
  return j;
}

void print_dump(const ops::SnapshotDump& d) {
  std::printf("checksums: ok (sha256 of every member)\n");
  std::printf(
      "DumpLogSegments: snapshot at offset %llu, epoch %u: %ld records (+%ld control), "
      "last offset %s\n",
      static_cast<unsigned long long>(d.end_offset), d.epoch, d.records, d.control_records,
      d.last_offset ? std::to_string(*d.last_offset).c_str() : "none");
  std::string topics;
  for (const auto& t : d.topics) topics += (topics.empty() ? "" : ", ") + t;
  std::printf("topics (%zu): %s\n", d.topics.size(), topics.empty() ? "none" : topics.c_str());
}

}  // namespace

int cmd_backup(GlobalOptions& g, const std::string& out, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const bool kraft = loaded->cluster.servers.empty() && loaded->cluster.kafka &&
                     loaded->cluster.kafka->mode == inventory::KafkaMode::kraft;
  if (loaded->cluster.servers.empty() && !kraft) {
    std::fprintf(stderr,
                 "zkctl: cluster %s has no ZooKeeper servers and no KRaft quorum to back up\n",
                 loaded->cluster.name.c_str());
    return kUsage;
  }
  runner::NullProgress quiet;
  auto printer = output == Output::json ? nullptr : make_progress(g);
  ops::Context ctx(loaded->cluster, g.ops,
                   printer ? *printer : static_cast<runner::Progress&>(quiet));
  ops::BackupOptions o;
  o.out =
      out.empty() ? default_out(loaded->cluster.name, kraft ? "kraft-metadata" : "zookeeper") : out;
  o.zkctl_version = ZKCTL_VERSION;
  auto r = kraft ? ops::backup_kraft(ctx, o) : ops::backup(ctx, o);
  if (!r) {
    std::fprintf(stderr, "zkctl: backup failed: %s\n", r.error().message.c_str());
    const auto& e = r.error().message;
    return e.starts_with("no server is serving") || e.starts_with("no controller is serving")
               ? kNoQuorum
               : kFailed;
  }
  if (output == Output::json) {
    nlohmann::ordered_json j;
    j["path"] = r->path;
    j["bytes"] = r->bytes;
    j["streamed_bytes"] = r->streamed;
    j["seconds"] = r->seconds;
    if (!r->count_note.empty()) j["count_note"] = r->count_note;
    j["manifest"] = manifest_summary(r->manifest);
    std::printf("%s\n", j.dump(2).c_str());
  } else if (kraft) {
    print_kraft_backup(*r);
  } else {
    print_backup(*r);
  }
  return kOk;
}

int cmd_backup_verify(GlobalOptions& g, const std::string& file, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const auto& cl = loaded->cluster;
  auto r = ops::verify_backup(file, cl.zookeeper.distribution, std::chrono::seconds(600),
                              cl.kafka ? cl.kafka->distribution : "");
  if (!r) {
    std::fprintf(stderr, "zkctl: %s\n", r.error().message.c_str());
    return kFailed;
  }
  const ops::Manifest& m = r->manifest;
  if (output == Output::json) {
    nlohmann::ordered_json j;
    j["file"] = file;
    j["ok"] = r->problems.empty();
    j["problems"] = r->problems;
    if (r->loaded) {
      j["loaded"] = {{"snapshot_znodes", r->loaded->snapshot_znodes},
                     {"snapshot_zxid", ops::zxid_hex(r->loaded->snapshot_zxid)},
                     {"znode_count", r->loaded->znode_count},
                     {"ephemeral_count", r->loaded->ephemeral_count},
                     {"last_zxid", ops::zxid_hex(r->loaded->last_zxid)},
                     {"zookeeper_version", r->loaded->zookeeper_version}};
    }
    if (r->dump) j["dump"] = dump_summary(*r->dump);
    j["manifest"] = manifest_summary(m);
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: cluster %s, from %s at %s, %zu members\n", file.c_str(), m.cluster.c_str(),
                m.server.c_str(), m.time.c_str(), m.members.size());
    if (r->loaded) {
      const auto& l = *r->loaded;
      std::printf("checksums: ok (sha256 of every member)\n");
      std::printf("SnapshotFormatter: snapshot %s holds %ld znodes\n",
                  ops::zxid_hex(l.snapshot_zxid).c_str(), l.snapshot_znodes);
      std::printf("ZooKeeper %s loaded it: %ld znodes (%ld ephemeral), last zxid %s\n",
                  l.zookeeper_version.c_str(), l.znode_count, l.ephemeral_count,
                  ops::zxid_hex(l.last_zxid).c_str());
    }
    if (r->dump) print_dump(*r->dump);
    for (const auto& p : r->problems) std::fprintf(stderr, "zkctl: %s\n", p.c_str());
    std::printf("%s\n", r->problems.empty() ? "verified" : "NOT VERIFIED");
  }
  return r->problems.empty() ? kOk : kFailed;
}

}  // namespace zkctl::cli
