#include "ops/backup/kraft_meta.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace zkctl::ops {

namespace {

std::vector<std::string> fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

bool all_digits(const std::string& s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  for (std::size_t i = from; i < from + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// The number after `key` ("lastOffset: ") in `line`, if any.
std::optional<std::uint64_t> number_after(const std::string& line, const std::string& key) {
  const auto at = line.find(key);
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + key.size();
  std::uint64_t v = 0;
  bool any = false;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
    v = v * 10 + static_cast<std::uint64_t>(line[i] - '0');
    any = true;
  }
  return any ? std::optional<std::uint64_t>(v) : std::nullopt;
}

// One "| offset: N ..." record line into `d`.
void add_record(const std::string& line, SnapshotDump& d) {
  d.last_offset = number_after(line, "| offset: ");
  const auto payload = line.find(" payload: ");
  if (payload == std::string::npos) {
    ++d.control_records;
    return;
  }
  ++d.records;
  try {
    auto j = nlohmann::json::parse(line.substr(payload + 10));
    if (j.value("type", "") == "TOPIC_RECORD")
      d.topics.push_back(j.at("data").at("name").get<std::string>());
  } catch (const std::exception&) {
    d.problems.push_back("record at offset " + std::to_string(d.last_offset.value_or(0)) +
                         " is not readable JSON");
  }
}

}  // namespace

util::Result<std::vector<QuorumReplica>> parse_quorum_replication(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int col_id = -1, col_leo = -1, col_status = -1;
  std::vector<QuorumReplica> out;
  while (std::getline(in, line)) {
    auto f = fields(line);
    if (col_id < 0) {
      for (int i = 0; i < static_cast<int>(f.size()); ++i) {
        if (f[i] == "NodeId") col_id = i;
        if (f[i] == "LogEndOffset") col_leo = i;
        if (f[i] == "Status") col_status = i;
      }
      if (col_leo < 0 || col_status < 0) col_id = -1;
      continue;
    }
    const int need = std::max({col_id, col_leo, col_status});
    if (static_cast<int>(f.size()) <= need) continue;
    QuorumReplica r;
    try {
      r.node_id = std::stoi(f[col_id]);
      r.log_end_offset = std::stoll(f[col_leo]);
    } catch (const std::exception&) {
      continue;
    }
    r.status = f[col_status];
    out.push_back(r);
  }
  if (col_id < 0) {
    const std::string first = text.substr(0, text.find('\n'));
    return util::fail("kafka-metadata-quorum.sh: no replication table in its answer" +
                      (first.empty() ? "" : ": " + first));
  }
  return out;
}

std::optional<std::size_t> choose_kraft_source(const std::vector<QuorumReplica>& replicas) {
  std::optional<std::size_t> best;
  std::optional<std::size_t> leader;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    const auto& r = replicas[i];
    if (r.status == "Leader") {
      if (!leader) leader = i;
    } else if (r.status == "Follower") {
      if (!best || r.log_end_offset > replicas[*best].log_end_offset) best = i;
    }
  }
  return best ? best : leader;
}

std::optional<Checkpoint> checkpoint_of(const std::string& name, std::uint64_t size) {
  // 20 digits, '-', 10 digits, ".checkpoint"
  if (name.size() != 20 + 1 + 10 + 11 || name[20] != '-' || !all_digits(name, 0, 20) ||
      !all_digits(name, 21, 10) || name.substr(31) != ".checkpoint")
    return std::nullopt;
  Checkpoint c{name, 0, 0, size};
  try {
    c.offset = std::stoull(name.substr(0, 20));
    const auto epoch = std::stoull(name.substr(21, 10));
    if (epoch > 0xffffffffULL) return std::nullopt;
    c.epoch = static_cast<std::uint32_t>(epoch);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return c;
}

util::Result<KraftListing> parse_kraft_listing(const std::string& text) {
  KraftListing l;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto f = fields(line);
    if (f.size() == 2 && f[0] == "cluster.id") {
      l.cluster_id = f[1];
    } else if (f.size() == 3 && f[0] == "checkpoint") {
      std::uint64_t size = 0;
      try {
        size = std::stoull(f[2]);
      } catch (const std::exception&) {
        return util::fail("bad listing line: " + line);
      }
      if (auto c = checkpoint_of(f[1], size)) l.checkpoints.push_back(*c);
    } else if (!f.empty()) {
      return util::fail("bad listing line: " + line);
    }
  }
  return l;
}

std::optional<Checkpoint> newest_checkpoint(const KraftListing& listing) {
  std::optional<Checkpoint> best;
  for (const auto& c : listing.checkpoints) {
    if (!best || c.offset > best->offset || (c.offset == best->offset && c.epoch > best->epoch))
      best = c;
  }
  return best;
}

util::Result<SnapshotDump> parse_snapshot_dump(const std::string& text) {
  SnapshotDump d;
  bool header = false;
  bool seen_end = false;
  bool footer = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Snapshot end offset: ")) {
      d.end_offset = number_after(line, "Snapshot end offset: ").value_or(0);
      d.epoch = static_cast<std::uint32_t>(number_after(line, "epoch: ").value_or(0));
      seen_end = true;
    } else if (line.starts_with("| offset: ")) {
      add_record(line, d);
      if (line.find(" SnapshotHeader ") != std::string::npos) header = true;
      if (line.find(" SnapshotFooter ") != std::string::npos) footer = true;
    } else if (line.starts_with("baseOffset: ") &&
               line.find("isvalid: false") != std::string::npos) {
      d.problems.push_back("the batch at offset " +
                           std::to_string(number_after(line, "baseOffset: ").value_or(0)) +
                           " fails its CRC check (isvalid: false)");
    }
  }
  if (!seen_end) {
    const std::string first = text.substr(0, text.find('\n'));
    return util::fail("DumpLogSegments did not read a snapshot" +
                      (first.empty() ? "" : ": " + first));
  }
  if (!header) d.problems.push_back("the snapshot has no SnapshotHeader record");
  if (!footer) d.problems.push_back("the snapshot has no SnapshotFooter record (cut short?)");
  return d;
}

}  // namespace zkctl::ops
