#include "ops/kafka/upgrade.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <tuple>

#include "ops/cluster/state.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/commands/deploy_plan.hpp"
#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/health.hpp"
#include "ops/kafka/node.hpp"
#include "ops/zookeeper/upgrade.hpp"
#include "remote/scripts.hpp"

namespace zkctl::ops {

namespace {

constexpr const char* kIbp = "inter.broker.protocol.version";
constexpr const char* kMetadata = "metadata.version";
constexpr KafkaLine kKraftFloor{3, 3};  // Kafka 4 needs the software and metadata.version here

KafkaLine line_of(const DistVersion& v) {
  return {v.major, v.minor};
}

std::tuple<int, int, int> key(const DistVersion& v) {
  return {v.major, v.minor, v.patch};
}

// The level the cluster speaks as far as zkctl knows: read from it, else the record's.
std::optional<KafkaLine> known_level(const KafkaUpgradeFacts& f) {
  if (f.level) return parse_kafka_line(*f.level);
  if (!f.record) return std::nullopt;
  if (f.record->step == "binaries" && !f.record->pinned.empty())
    return parse_kafka_line(f.record->pinned);
  if (!f.record->raised.empty()) return parse_kafka_line(f.record->raised);
  return std::nullopt;
}

// A downgrade below a level already raised; Kafka 4 over a cluster below 3.3; ZooKeeper mode
// from before 0.8 (upstream's upgrade notes start there).
void add_refusals(const KafkaUpgradeFacts& f, const DistVersion* oldest, const DistVersion* newest,
                  KafkaUpgrade& u) {
  const bool zk = f.mode == inventory::KafkaMode::zookeeper;
  const char* name = zk ? kIbp : kMetadata;
  const KafkaLine target = line_of(f.target);
  const auto level = known_level(f);
  if (newest && target < line_of(*newest)) {
    const KafkaLine raised = level.value_or(line_of(*newest));  // unknown: the safe side
    if (raised > target) {
      u.refusals.push_back("downgrade " + newest->text + " -> " + f.target.text +
                           " refused: " + name + " is " + (f.level ? *f.level : to_string(raised)) +
                           (f.level ? "" : " (not read from the cluster)") + ", raised past " +
                           to_string(target) + "; Kafka supports no downgrade below a " + name +
                           " already raised (upgrade forward instead)");
    }
  }
  if (!zk && f.target.major >= 4) {
    if (oldest && line_of(*oldest) < kKraftFloor) {
      u.refusals.push_back("upgrade " + oldest->text + " -> " + f.target.text +
                           " refused: Kafka 4 needs every node on 3.3 or later first (upstream: "
                           "upgrade a KRaft cluster older than 3.3 to 3.9 first)");
    } else if (f.level && level && *level < kKraftFloor) {
      u.refusals.push_back("upgrade to " + f.target.text + " refused: metadata.version is " +
                           *f.level +
                           "; Kafka 4 needs it at 3.3-IV3 or later (upgrade to 3.9 and raise "
                           "it with deploy --finalize-upgrade first)");
    }
  }
  if (zk && oldest && line_of(*oldest) < KafkaLine{0, 8}) {
    u.refusals.push_back("upgrade " + oldest->text + " -> " + f.target.text +
                         " refused: upstream documents upgrades from 0.8 on only");
  }
}

// ZooKeeper mode: the lowest of the oldest installed line, the record's pin and the level read
// from the brokers, when below the target's line.
std::optional<KafkaLine> zookeeper_pin(const KafkaUpgradeFacts& f, const DistVersion* oldest) {
  const KafkaLine target = line_of(f.target);
  std::optional<KafkaLine> pin;
  auto lower = [&](std::optional<KafkaLine> l) {
    if (l && *l < target && (!pin || *l < *pin)) pin = l;
  };
  if (oldest) lower(line_of(*oldest));
  if (f.record && f.record->step == "binaries" && !f.record->pinned.empty())
    lower(parse_kafka_line(f.record->pinned));
  if (f.level) lower(parse_kafka_line(*f.level));
  return pin;
}

// The step in ZooKeeper mode, from the pin.
void decide_zookeeper(const KafkaUpgradeFacts& f, bool rolling, const DistVersion* oldest,
                      KafkaUpgrade& u) {
  if (f.inventory_pins) {  // the inventory raises it itself (Strimzi's way)
    if (rolling) u.step = KafkaUpgrade::Step::binaries;
    return;
  }
  const auto pin = zookeeper_pin(f, oldest);
  if (!pin) {
    if (rolling) u.step = KafkaUpgrade::Step::binaries;
    return;
  }
  u.raise_from = to_string(*pin);
  u.raise_to = to_string(line_of(f.target));
  if (f.finalize == FinalizeUpgrade::yes) {
    u.step = KafkaUpgrade::Step::finalize;
    return;
  }
  u.pins.inter_broker_protocol = u.raise_from;
  if (*pin < KafkaLine{2, 1}) u.pins.log_message_format = u.raise_from;
  u.step = rolling ? KafkaUpgrade::Step::binaries : KafkaUpgrade::Step::awaiting;
}

// The step in KRaft mode: metadata.version below what every node supports waits for the second.
void decide_kraft(const KafkaUpgradeFacts& f, bool rolling, KafkaUpgrade& u) {
  u.raise_from = f.level.value_or("");
  if (rolling) {
    u.step = KafkaUpgrade::Step::binaries;
    return;
  }
  if (f.finalize == FinalizeUpgrade::yes && !f.kraft_max) {
    u.refusals.push_back("--finalize-upgrade: the cluster's metadata.version cannot be read");
    return;
  }
  if (!f.level || !f.kraft_max || *f.level == *f.kraft_max) return;
  const auto from = parse_kafka_line(*f.level), to = parse_kafka_line(*f.kraft_max);
  if (!from || !to || *from > *to) return;
  u.raise_to = *f.kraft_max;
  u.step = f.finalize == FinalizeUpgrade::yes ? KafkaUpgrade::Step::finalize
                                              : KafkaUpgrade::Step::awaiting;
}

}  // namespace

std::optional<KafkaLine> parse_kafka_line(const std::string& text) {
  KafkaLine l;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  auto [a, ea] = std::from_chars(p, end, l.major);
  if (ea != std::errc() || a == p || a == end || *a != '.') return std::nullopt;
  auto [b, eb] = std::from_chars(a + 1, end, l.minor);
  if (eb != std::errc() || b == a + 1) return std::nullopt;
  return l;  // 0.10.2: the old scheme's line is 0.10
}

std::string to_string(const KafkaLine& line) {
  return std::to_string(line.major) + "." + std::to_string(line.minor);
}

std::optional<KafkaUpgradeRecord> parse_kafka_upgrade_record(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  KafkaUpgradeRecord r;
  r.from = j.value("from", "");
  r.to = j.value("to", "");
  r.pinned = j.value("pinned", "");
  r.step = j.value("step", "");
  r.raised = j.value("raised", "");
  return r;
}

std::string kafka_upgrade_record_json(const KafkaUpgradeRecord& r) {
  nlohmann::json j = {
      {"from", r.from}, {"to", r.to}, {"pinned", r.pinned}, {"step", r.step}, {"raised", r.raised}};
  return j.dump(2) + "\n";
}

KafkaUpgrade decide_kafka_upgrade(const KafkaUpgradeFacts& f) {
  KafkaUpgrade u;
  u.to = f.target.text;
  u.mode = f.mode;
  u.inventory_pins = f.inventory_pins;
  const DistVersion* oldest = nullptr;
  const DistVersion* newest = nullptr;
  for (const auto& v : f.installed) {
    if (!oldest || key(v) < key(*oldest)) oldest = &v;
    if (!newest || key(v) > key(*newest)) newest = &v;
  }
  const bool active = f.record && f.record->step == "binaries";
  u.from = active && !f.record->from.empty() ? f.record->from : oldest ? oldest->text : "";
  add_refusals(f, oldest, newest, u);
  const bool rolling = oldest && line_of(*oldest) < line_of(f.target);
  if (f.finalize == FinalizeUpgrade::yes && (rolling || f.restart_owed)) {
    u.refusals.push_back("--finalize-upgrade: not every node runs " + f.target.text +
                         " yet (oldest installed: " + (oldest ? oldest->text : "?") +
                         (f.restart_owed ? ", a restart still owed" : "") +
                         "); run deploy without it first (the first step)");
  }
  if (f.mode == inventory::KafkaMode::zookeeper)
    decide_zookeeper(f, rolling, oldest, u);
  else
    decide_kraft(f, rolling, u);
  return u;
}

std::string KafkaUpgrade::restart_text() const {
  if (!pins.inter_broker_protocol.empty())
    return std::string(kIbp) + " kept at " + pins.inter_broker_protocol;
  if (step == Step::finalize && mode == inventory::KafkaMode::zookeeper)
    return std::string(kIbp) + " " + raise_from + " -> " + raise_to;
  return "";
}

std::string KafkaUpgrade::stage_text() const {
  const bool zk = mode == inventory::KafkaMode::zookeeper;
  const std::string later =
      "second step, not run by this deploy: `zkctl deploy --finalize-upgrade`";
  switch (step) {
    case Step::none:
      return "";
    case Step::binaries:
      if (zk && inventory_pins)
        return "first step: every broker onto " + to + "; " + kIbp +
               " as [kafka.config] sets it: raise it there (a roll) once every broker runs " + to;
      if (!pins.inter_broker_protocol.empty())
        return "first step: every broker onto " + to + " with " + kIbp + " kept at " +
               pins.inter_broker_protocol + "; " + later + " rolls them again with it raised to " +
               raise_to;
      return "first step: every node onto " + to +
             (raise_from.empty() ? "" : ", " + std::string(kMetadata) + " kept at " + raise_from) +
             "; " + later + " raises the version the cluster speaks once every node runs it";
    case Step::awaiting:
      return "first step done: every node runs " + to + ", " + (zk ? kIbp : kMetadata) + " " +
             raise_from + "; " + later +
             (zk ? " rolls the brokers with it raised to " : " raises it (no roll) to ") + raise_to;
    case Step::finalize:
      return "second step: " + std::string(zk ? kIbp : kMetadata) + " " + raise_from + " -> " +
             raise_to +
             (zk ? " (the roll above)" : " (kafka-features upgrade --metadata, no roll)") +
             ", read back from the cluster and recorded";
  }
  return "";
}

std::optional<MetadataVersion> parse_metadata_version(const std::string& out) {
  auto field = [](const std::string& line, const std::string& name) -> std::string {
    auto at = line.find(name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 2;
    auto end = line.find_first_of("\t \r", at);
    return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
  };
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    std::string line =
        out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    if (field(line, "Feature") != kMetadata) continue;
    MetadataVersion mv{field(line, "FinalizedVersionLevel"), field(line, "SupportedMaxVersion")};
    if (mv.supported_max.empty()) return std::nullopt;
    return mv;
  }
  return std::nullopt;
}

}  // namespace zkctl::ops

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

// ZooKeeper mode: the lowest inter.broker.protocol.version the brokers report (DescribeConfigs).
util::Result<std::string> read_protocol_version(Context& ctx) {
  std::vector<int> ids;
  for (const auto* b : ctx.cluster().brokers()) ids.push_back(b->id);
  auto values =
      probe::kafka_broker_config(kafka_access(ctx.cluster()), ids, kIbp, std::chrono::seconds(15));
  if (!values) return values.error();
  std::string lowest;
  for (const auto& [id, v] : *values) {
    auto l = parse_kafka_line(v);
    if (!l) return util::fail("broker " + std::to_string(id) + ": " + kIbp + " '" + v + "'");
    if (lowest.empty() || *l < *parse_kafka_line(lowest)) lowest = v;
  }
  if (lowest.empty()) return util::fail(std::string("no broker reported ") + kIbp);
  return lowest;
}

// KRaft: kafka-features.sh on the first reachable node: describe, or upgrade --metadata `level`.
util::Result<std::string> run_features(Context& ctx, const std::string& level) {
  AdminScript s{
      "kafka-features.sh", scripts::kafka_features, kafka_access(ctx.cluster()).bootstrap, {}};
  if (!level.empty()) s.args.push_back(level);
  return run_admin_script_on_first(ctx, s, "kafka-features");
}

util::Result<MetadataVersion> read_metadata_version(Context& ctx) {
  auto out = run_features(ctx, "");
  if (!out) return out.error();
  auto mv = parse_metadata_version(*out);
  if (!mv) return util::fail("kafka-features describe names no metadata.version: " + *out);
  return *mv;
}

// The cluster's level into `f` (nothing when it cannot be read: the record stands in).
void read_level(Context& ctx, KafkaUpgradeFacts& f) {
  if (f.mode == inventory::KafkaMode::zookeeper) {
    if (auto v = read_protocol_version(ctx)) f.level = *v;
    return;
  }
  if (auto mv = read_metadata_version(ctx)) {
    if (!mv->finalized.empty()) f.level = mv->finalized;
    f.kraft_max = mv->supported_max;
  }
}

KafkaTier* kafka_tier(Tier& tier) {
  return tier.kind() == NodeKind::kafka ? static_cast<KafkaTier*>(&tier) : nullptr;
}

bool inventory_sets(const inventory::Cluster& cluster, const std::string& key) {
  const auto& extra = cluster.kafka->extra_config;
  return std::any_of(extra.begin(), extra.end(), [&](const auto& kv) { return kv.first == key; });
}

// Each Kafka node's installed release and whether one owes a restart, into `f`; each node's
// plan names its change ("upgrade 3.8.1 -> 3.9.2").
void read_installed(DeployPlan& plan, const Tier* tier, KafkaUpgradeFacts& f) {
  for (NodePlan& np : plan.nodes) {
    if (np.tier != tier) continue;
    const auto& facts = static_cast<const KafkaComponent*>(np.node)->kafka_facts();
    f.restart_owed = f.restart_owed || facts.restart_pending;
    auto installed = parse_zk_version(facts.installed_version);
    if (!installed) continue;
    f.installed.push_back(*installed);
    np.version_change = version_change_text(*installed, f.target);
  }
}

}  // namespace

std::vector<Component*> controllers_first(std::vector<Component*> order) {
  std::stable_partition(order.begin(), order.end(), [](Component* c) {
    return static_cast<const KafkaComponent*>(c)->node().controller;
  });
  return order;
}

void judge_kafka_upgrade(Context& ctx, DeployPlan& plan, DeployReport& report) {
  KafkaTier* tier = nullptr;
  for (auto& t : plan.tiers)
    if (!tier) tier = kafka_tier(*t);
  if (!tier || !plan.version.count(tier) || !ctx.cluster().kafka) return;
  const auto& cluster = ctx.cluster();
  KafkaUpgradeFacts f;
  f.mode = cluster.kafka->mode;
  f.target = plan.version[tier];
  f.finalize = ctx.options().finalize_upgrade;
  f.inventory_pins = inventory_sets(cluster, kIbp);
  f.record = parse_kafka_upgrade_record(recorded_kafka_upgrade(cluster.name));
  if (f.record && f.record->step != "binaries" && f.record->raised.empty()) f.record.reset();
  read_installed(plan, tier, f);
  const bool in_play =
      std::any_of(f.installed.begin(), f.installed.end(),
                  [&](const DistVersion& v) { return line_of(v) != line_of(f.target); }) ||
      (f.record && f.record->step == "binaries") || f.finalize == FinalizeUpgrade::yes;
  if (!in_play) return;
  read_level(ctx, f);
  KafkaUpgrade u = decide_kafka_upgrade(f);
  for (const auto& r : u.refusals) report.refusals.push_back("kafka: " + r);
  const bool rerender =
      u.pins.inter_broker_protocol != tier->upgrade().pins.inter_broker_protocol ||
      u.pins.log_message_format != tier->upgrade().pins.log_message_format;
  tier->set_upgrade(std::move(u));
  if (!rerender) return;
  for (NodePlan& np : plan.nodes) {
    if (np.tier != tier) continue;
    auto files = np.node->render(ctx);
    if (!files) {
      report.preflight.push_back(np.node->host() + ": kafka: render: " + files.error().message);
      continue;
    }
    np.files = std::move(*files);
  }
}

std::string kafka_upgrade_stage_text(Tier& tier) {
  KafkaTier* k = kafka_tier(tier);
  return k ? k->upgrade().stage_text() : "";
}

std::string kafka_upgrade_restart_text(Tier& tier) {
  KafkaTier* k = kafka_tier(tier);
  return k ? k->upgrade().restart_text() : "";
}

util::Result<void> record_upgrade_start(const std::string& cluster, const KafkaUpgrade& u) {
  if (u.step != KafkaUpgrade::Step::binaries) return {};
  return record_kafka_upgrade(
      cluster,
      kafka_upgrade_record_json({u.from, u.to, u.pins.inter_broker_protocol, "binaries", ""}));
}

util::Result<std::string> run_kafka_upgrade_step(Context& ctx, Tier& tier) {
  KafkaTier* k = kafka_tier(tier);
  if (!k) return util::fail("not a Kafka tier");
  const KafkaUpgrade& u = k->upgrade();
  const bool zk = u.mode == inventory::KafkaMode::zookeeper;
  const char* name = zk ? kIbp : kMetadata;
  if (!zk && u.step == KafkaUpgrade::Step::finalize) {
    if (auto r = run_features(ctx, u.raise_to); !r) return r.error();
  }
  std::string level;
  if (zk) {
    auto v = read_protocol_version(ctx);
    if (!v) return v.error();
    level = *v;
  } else {
    auto mv = read_metadata_version(ctx);
    if (!mv) return mv.error();
    level = mv->finalized;
  }
  const std::string name_is = std::string(name) + " " + level + " (read from the cluster)";
  if (u.step != KafkaUpgrade::Step::finalize) {
    if (auto r = record_upgrade_start(ctx.cluster().name, u); !r) return r.error();
    return "first step done: every node runs " + u.to + ", " + name_is +
           (u.inventory_pins ? "" : "; second step: zkctl deploy --finalize-upgrade");
  }
  auto got = parse_kafka_line(level), want = parse_kafka_line(u.raise_to);
  if (!got || !want || *got < *want || (!zk && level != u.raise_to))
    return util::fail(name_is + ", not raised to " + u.raise_to);
  if (auto r = record_kafka_upgrade(
          ctx.cluster().name, kafka_upgrade_record_json({u.from, u.to, "", "finalized", level}));
      !r)
    return r.error();
  return std::string("second step done: ") + name + " raised " + u.raise_from + " -> " + level +
         " (read from the cluster)";
}

}  // namespace zkctl::ops
