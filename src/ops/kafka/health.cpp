#include "ops/kafka/health.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ops/kafka/admin_tool.hpp"
#include "ops/security/cluster_pki.hpp"
#include "probe/kafka_client.hpp"
#include "probe/zk_client.hpp"
#include "remote/scripts.hpp"
#include "render/kafka.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

// A client of the ZooKeeper ensemble Kafka's brokers use (their chroot), as zkctl.
util::Result<std::unique_ptr<probe::ZkClient>> kafka_zookeeper(const Context& ctx) {
  probe::ZkOptions zo;
  zo.tls = zkctl_client_tls(ctx.cluster());
  return probe::ZkClient::connect(render::kafka_zookeeper_connect(ctx.cluster()),
                                  ctx.admin_timeout(), zo);
}

// A duration in ms of the brokers' config: `key` of [kafka.config], else Kafka's default `ms`.
std::chrono::milliseconds broker_config_ms(const inventory::Cluster& cluster,
                                           const std::string& wanted, long long ms) {
  for (const auto& [key, value] : cluster.kafka->extra_config)
    if (key == wanted) {
      try {
        return std::chrono::milliseconds(std::stoll(value));
      } catch (const std::exception&) {
        break;  // not a number: Kafka would not start; the default bounds the wait
      }
    }
  return std::chrono::milliseconds(ms);
}

// zookeeper.session.timeout.ms of the brokers ([kafka.config], else Kafka's default).
std::chrono::milliseconds broker_session_timeout(const inventory::Cluster& cluster) {
  return broker_config_ms(cluster, "zookeeper.session.timeout.ms", 18000);
}

std::vector<int> int_list(const std::string& text) {
  // "[1,2,3]" or "[{"id": 1, ...}, ...]" (4.x prints objects): take every "id" or bare number.
  std::vector<int> out;
  if (text.find("\"id\"") != std::string::npos || text.find("id:") != std::string::npos) {
    std::size_t pos = 0;
    while ((pos = text.find("id", pos)) != std::string::npos) {
      pos += 2;
      while (pos < text.size() && (text[pos] == '"' || text[pos] == ':' || text[pos] == ' ')) ++pos;
      std::size_t end = pos;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      if (end > pos) out.push_back(std::stoi(text.substr(pos, end - pos)));
    }
    return out;
  }
  std::string num;
  for (char c : text + ",") {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      num += c;
    } else if (!num.empty()) {
      out.push_back(std::stoi(num));
      num.clear();
    }
  }
  return out;
}

}  // namespace

probe::KafkaAccess kafka_access(const inventory::Cluster& cluster,
                                const inventory::KafkaNode* only) {
  std::string out;
  for (const auto* b : cluster.brokers()) {
    if (only != nullptr && b != only) continue;
    const int port = b->internal_port != 0 ? b->internal_port : b->listener_port;
    out += (out.empty() ? "" : ",") + b->host + ":" + std::to_string(port);
  }
  return {out, zkctl_client_tls(cluster)};
}

util::Result<KraftQuorum> parse_quorum_status(const std::string& text) {
  KraftQuorum q;
  bool seen = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::string val = line.substr(colon + 1);
    while (!val.empty() && val.front() == ' ') val.erase(val.begin());
    if (key == "LeaderId") {
      q.leader_id = std::atoi(val.c_str());
      seen = true;
    } else if (key == "CurrentVoters") {
      q.voters = int_list(val);
    } else if (key == "CurrentObservers") {
      q.observers = int_list(val);
    } else if (key == "MaxFollowerLag") {
      q.max_follower_lag = std::atol(val.c_str());
    }
  }
  if (!seen) {
    std::string first = text.substr(0, text.find('\n'));
    return util::fail("kafka-metadata-quorum.sh: no LeaderId in its answer" +
                      (first.empty() ? "" : ": " + first));
  }
  return q;
}

KafkaHealth kafka_health(Context& ctx, WithQuorum with_quorum) {
  const auto& cluster = ctx.cluster();
  KafkaHealth h;
  auto add_error = [&](const std::string& e) { h.error += (h.error.empty() ? "" : "; ") + e; };
  auto md = probe::kafka_metadata(kafka_access(cluster), ctx.admin_timeout());
  if (md) {
    for (const auto& b : md->brokers) h.registered.insert(b.id);
    h.under_replicated = md->under_replicated();
    h.offline = md->offline();
  } else {
    add_error("metadata: " + md.error().message);
  }
  if (cluster.kafka->mode == inventory::KafkaMode::zookeeper) {
    auto zk = kafka_zookeeper(ctx);
    if (!zk) {
      add_error("zookeeper: " + zk.error().message);
      return h;
    }
    auto ids = (*zk)->children("/brokers/ids");
    if (ids) {
      h.registered.clear();  // ZooKeeper's registry is the authority in this mode
      for (const auto& id : *ids) h.registered.insert(std::atoi(id.c_str()));
    } else {
      add_error("/brokers/ids: " + ids.error().message);
    }
    auto ctl = (*zk)->get("/controller");
    if (ctl && *ctl) {
      try {
        h.controller = nlohmann::json::parse(**ctl).at("brokerid").get<int>();
      } catch (const std::exception& e) {
        add_error(std::string("/controller: ") + e.what());
      }
    }
  } else if (with_quorum == WithQuorum::yes) {
    auto q = read_kraft_quorum(ctx);
    if (q) {
      h.quorum = *q;
      if (q->leader_id >= 0) h.controller = q->leader_id;
    } else {
      add_error(q.error().message);
    }
  }
  return h;
}

util::Result<KraftQuorum> read_kraft_quorum(Context& ctx) {
  const AdminScript s{
      "kafka-metadata-quorum.sh", scripts::kafka_quorum, kafka_access(ctx.cluster()).bootstrap, {}};
  return ask_first_kafka_node<KraftQuorum>(ctx, s, "controller quorum", parse_quorum_status);
}

util::Result<void> wait_broker_healthy(Context& ctx, const inventory::KafkaNode& node,
                                       std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  KafkaHealth h;
  for (;;) {
    h = kafka_health(ctx, WithQuorum::no);
    bool registered = !node.broker || h.registered.count(node.id) > 0;
    // ... and, a broker, its own listener answers (what `status` asks of it).
    if (registered && h.under_replicated == 0 && h.offline == 0 &&
        (!node.broker ||
         probe::kafka_metadata(kafka_access(ctx.cluster(), &node), ctx.options().probe_timeout)))
      return {};
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return util::fail("broker " + std::to_string(node.id) + " on " + node.host +
                    " not healthy after " + std::to_string(timeout.count()) +
                    "s (registered: " + (h.registered.count(node.id) ? "yes" : "no") +
                    ", under-replicated partitions: " + std::to_string(h.under_replicated) +
                    ", offline: " + std::to_string(h.offline) +
                    (h.error.empty() ? "" : "; " + h.error) + ")");
}

namespace {

// min.insync.replicas of every topic in `md` (its own, else the brokers'), asked of the broker
// that answered the metadata, else of `fallback`; an error reads "min.insync.replicas: why".
util::Result<probe::KafkaMinInsync> read_min_insync(Context& ctx, const probe::KafkaMetadata& md,
                                                    int fallback) {
  std::set<std::string> topics;
  for (const auto& p : md.partitions) topics.insert(p.topic);
  const int asked = md.answered_by >= 0 ? md.answered_by : fallback;
  auto min = probe::kafka_min_insync(kafka_access(ctx.cluster()), {topics.begin(), topics.end()},
                                     asked, ctx.admin_timeout());
  if (!min) return util::fail("min.insync.replicas: " + min.error().message);
  return min;
}

// One look at the gate for `batch` (one broker, or a rack's): metadata, then
// min.insync.replicas of its topics (through a broker that answered); an unreadable cluster
// is a wait, with why.
GateVerdict look(Context& ctx, const std::set<int>& batch, GatePhase phase,
                 const std::set<int>& rolled) {
  auto md = probe::kafka_metadata(kafka_access(ctx.cluster()), ctx.admin_timeout());
  if (!md) return {GateVerdict::Kind::wait, "waiting for metadata: " + md.error().message};
  if (phase == GatePhase::after) return gate_after_restart(*md, *batch.begin());
  auto min = read_min_insync(ctx, *md, *batch.begin());
  if (!min) return {GateVerdict::Kind::wait, "waiting for " + min.error().message};
  return gate_before_restart_batch(*md, *min, batch, rolled);
}

}  // namespace

util::Result<GateVerdict> poll_gate(Context& ctx, const std::string& host, const std::string& step,
                                    GatePhase phase, const std::function<GateVerdict()>& look) {
  const auto timeout = ctx.options().wait_timeout;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string shown;
  for (;;) {
    GateVerdict v = look();
    if (v.kind != GateVerdict::Kind::wait) return v;
    if (v.why != shown) {
      ctx.progress().report({host, step, runner::EventKind::progress, v.why});
      shown = v.why;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return util::fail(std::string(phase == GatePhase::before ? "before" : "after") +
                        " the restart, still " + v.why + " after " +
                        std::to_string(timeout.count()) + "s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

util::Result<GateVerdict> await_gate(Context& ctx, const inventory::KafkaNode& node,
                                     const std::string& step, GatePhase phase,
                                     const std::set<int>& rolled) {
  return poll_gate(ctx, node.host, step, phase,
                   [&] { return look(ctx, {node.id}, phase, rolled); });
}

namespace {

// A look at the after-restart gate of `broker` (metadata once): go, or wait with why and the
// leaders holding it out among `unrolled`.
GateVerdict look_after(Context& ctx, int broker, const std::set<int>& unrolled,
                       std::map<std::string, int>& missing_under, std::vector<HeldOut>& held,
                       std::optional<probe::KafkaMetadata>& md) {
  held.clear();
  auto read = probe::kafka_metadata(kafka_access(ctx.cluster()), ctx.admin_timeout());
  if (!read) return {GateVerdict::Kind::wait, "waiting for metadata: " + read.error().message};
  md = std::move(*read);
  GateVerdict v = gate_after_restart(*md, broker);
  if (v.kind == GateVerdict::Kind::wait)
    held = leaders_holding_out(*md, broker, unrolled, missing_under);
  note_missing(*md, broker, missing_under);
  return v;
}

std::string held_text(const HeldOut& h, int broker, std::chrono::milliseconds bound) {
  return "broker " + std::to_string(h.leader) + " has not taken broker " + std::to_string(broker) +
         " back into the ISRs it leads (" + some_of(h.partitions, 3, ", ", " ") + ") for " +
         std::to_string(bound.count()) + " ms (replica.lag.time.max.ms)";
}

// Of the leaders holding `broker` out (all of them for the same bound), the one to restart
// first: the first that may go with no partition offline, else the first that may go at all
// (a leader that is the only in-sync replica left: with two leaders not expanding ISRs,
// restarting one leaves the other alone in its ISRs). Else none, and `refused` says why.
std::optional<Rejoin> first_to_restart(Context& ctx, const probe::KafkaMetadata& md, int broker,
                                       const std::vector<HeldOut>& held,
                                       std::chrono::milliseconds bound, std::string& refused) {
  auto min = read_min_insync(ctx, md, broker);  // once for every leader weighed
  if (!min) {
    refused = "waiting for " + min.error().message;
    return std::nullopt;
  }
  std::optional<Rejoin> fallback;
  for (const auto& h : held) {
    const std::string why = held_text(h, broker, bound);
    GateVerdict may = gate_restart_holding_leader(md, *min, broker, h);
    if (may.kind == GateVerdict::Kind::refuse) refused = why + "; " + may.why;
    if (may.kind != GateVerdict::Kind::go) continue;
    if (may.why.empty()) return Rejoin{h.leader, why};
    if (!fallback) fallback = Rejoin{h.leader, why + "; " + may.why};
  }
  return fallback;
}

}  // namespace

util::Result<Rejoin> await_rejoin(Context& ctx, const inventory::KafkaNode& node,
                                  const std::string& step, const std::set<int>& unrolled) {
  HoldWatch watch(broker_config_ms(ctx.cluster(), "replica.lag.time.max.ms", 30000));
  Rejoin rejoin;
  std::string refused;
  std::map<std::string, int> missing_under;  // partition -> its leader while node was out of it
  auto back = poll_gate(ctx, node.host, step, GatePhase::after, [&] {
    std::vector<HeldOut> held;
    std::optional<probe::KafkaMetadata> md;
    GateVerdict v = look_after(ctx, node.id, unrolled, missing_under, held, md);
    if (v.kind != GateVerdict::Kind::wait) return v;
    // An unreadable cluster neither counts nor resets the holding.
    auto due = md ? watch.observe(held, std::chrono::steady_clock::now()) : std::nullopt;
    if (!due) return v;
    auto first = first_to_restart(ctx, *md, node.id, held, watch.bound(), refused);
    if (!first) return v;
    rejoin = *first;
    return GateVerdict{};  // ends the polling: that leader is restarted first
  });
  if (!back)
    return util::fail(back.error().message + (refused.empty() ? "" : " (" + refused + ")"));
  return rejoin;
}

util::Result<GateVerdict> await_batch_gate(Context& ctx, const std::string& host,
                                           const std::set<int>& batch, const std::string& step,
                                           const std::set<int>& rolled) {
  return poll_gate(ctx, host, step, GatePhase::before,
                   [&] { return look(ctx, batch, GatePhase::before, rolled); });
}

namespace {
// The brokers whose own listener does not answer a metadata request ("12 (listener :9092)").
std::string silent_listeners(Context& ctx) {
  std::string out;
  for (const auto* b : ctx.cluster().brokers()) {
    if (probe::kafka_metadata(kafka_access(ctx.cluster(), b), ctx.options().probe_timeout))
      continue;
    out += (out.empty() ? "" : ", ") + std::to_string(b->id) +
           " (listener :" + std::to_string(b->listener_port) + ")";
  }
  return out;
}
}  // namespace

util::Result<void> wait_all_registered(Context& ctx, std::chrono::seconds timeout) {
  const auto& cluster = ctx.cluster();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  KafkaHealth h;
  std::string missing;
  for (;;) {
    h = kafka_health(ctx, WithQuorum::no);
    missing.clear();
    for (const auto* b : cluster.brokers())
      if (!h.registered.count(b->id))
        missing += (missing.empty() ? "" : ", ") + std::to_string(b->id);
    // Registered is not yet serving: each broker's own listener must answer a metadata
    // request too (what `status` asks), or a start right before a status looks broken.
    if (missing.empty()) missing = silent_listeners(ctx);
    if (missing.empty()) return {};
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return util::fail("brokers not registered and serving after " + std::to_string(timeout.count()) +
                    "s: " + missing + (h.error.empty() ? "" : " (" + h.error + ")"));
}

util::Result<void> wait_stale_registration_gone(Context& ctx, const inventory::KafkaNode& node,
                                                const std::string& step) {
  const auto& cluster = ctx.cluster();
  // A broker of the KRaft inventory rendered as a ZooKeeper-mode one (a migration's brokers
  // before KRaft, or back after its rollback) registers in ZooKeeper too.
  const bool in_zookeeper = cluster.kafka->mode == inventory::KafkaMode::zookeeper ||
                            ctx.options().kafka_brokers_as != render::KafkaMigration::none;
  if (!node.broker || !in_zookeeper) return {};
  auto zk = kafka_zookeeper(ctx);
  if (!zk) return util::fail("zookeeper: " + zk.error().message);
  const std::string path = "/brokers/ids/" + std::to_string(node.id);
  const auto session = broker_session_timeout(cluster);
  const auto deadline = std::chrono::steady_clock::now() + session + std::chrono::seconds(5);
  bool shown = false;
  for (;;) {
    auto there = (*zk)->exists(path);
    if (!there) return util::fail(path + ": " + there.error().message);
    if (!*there) return {};
    if (std::chrono::steady_clock::now() >= deadline)
      return util::fail("broker " + std::to_string(node.id) + " is still registered (" + path +
                        ") by a process that is not running, " +
                        std::to_string(session.count() / 1000 + 5) +
                        " s after its ZooKeeper session should have expired; is another broker "
                        "running with id " +
                        std::to_string(node.id) + "?");
    if (!shown)
      ctx.progress().report({node.host, step, runner::EventKind::progress,
                             "waiting for the registration of broker " + std::to_string(node.id) +
                                 "'s previous process to expire (ZooKeeper session, " +
                                 std::to_string(session.count()) + " ms)"});
    shown = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace zkctl::ops
