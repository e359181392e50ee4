#include "ops/commands/verify.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "ops/kafka/health.hpp"
#include "ops/security/cluster_pki.hpp"
#include "probe/kafka_client.hpp"
#include "probe/zk_client.hpp"

namespace zkctl::ops {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string suffix() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return buf;
}

std::string fmt_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

VerifyStep zookeeper_round_trip(const inventory::Cluster& cluster,
                                std::chrono::milliseconds timeout) {
  VerifyStep step{"zookeeper round trip", false, "", 0};
  auto t0 = Clock::now();
  // Two different servers: the first voter writes, the last server (an observer
  // if there is one) reads.
  const inventory::Server& a = cluster.servers.front();
  const inventory::Server& b = cluster.servers.size() > 1 ? cluster.servers.back() : a;
  std::string via_a = a.host + ":" + std::to_string(a.ports.client);
  std::string via_b = b.host + ":" + std::to_string(b.ports.client);
  std::string path = "/zkctl-verify-" + suffix();
  std::string data = "written through " + via_a;
  probe::ZkOptions zo;
  zo.tls = zkctl_client_tls(cluster);
  // On a cluster that authenticates, the test znode is zkctl's own (x509 creator ACL).
  if (zo.tls.enabled() && cluster.security.authentication != inventory::Authentication::none)
    zo.acl = probe::ZkAcl::creator;
  auto writer = probe::ZkClient::connect(via_a, timeout, zo);
  if (!writer) {
    step.detail = writer.error().message;
    return step;
  }
  if (auto c = (*writer)->create(path, data, probe::CreateMode::persistent); !c) {
    step.detail = c.error().message;
    return step;
  }
  auto reader = probe::ZkClient::connect(via_b, timeout, zo);
  std::string got;
  if (!reader) {
    step.detail = reader.error().message;
  } else if (auto s = (*reader)->sync(path); !s) {
    step.detail = s.error().message;
  } else if (auto g = (*reader)->get(path); !g) {
    step.detail = g.error().message;
  } else if (!*g) {
    step.detail = path + " written through " + via_a + " is missing when read through " + via_b;
  } else {
    got = **g;
    step.ok = got == data;
    step.detail = step.ok
                      ? "wrote " + path + " through " + via_a + ", read it back through " + via_b
                      : "read back '" + got + "' instead of '" + data + "'";
  }
  (void)(*writer)->remove(path);
  step.ms = ms_since(t0);
  return step;
}

}  // namespace

bool VerifyReport::ok() const {
  return !steps.empty() &&
         std::all_of(steps.begin(), steps.end(), [](const VerifyStep& s) { return s.ok; }) &&
         lost == 0;
}

namespace {

// Brokers that count now: listed by the cluster and answering on their own listener
// (a broker just killed stays listed until its session expires); all when none answer.
std::vector<const inventory::KafkaNode*> live_brokers(const inventory::Cluster& cluster,
                                                      std::chrono::milliseconds timeout) {
  auto brokers = cluster.brokers();
  std::vector<const inventory::KafkaNode*> alive;
  if (auto md = probe::kafka_metadata(kafka_access(cluster), timeout); md) {
    for (const auto* b : brokers) {
      bool listed = false;
      for (const auto& m : md->brokers) listed |= m.id == b->id;
      if (listed &&
          probe::kafka_metadata(kafka_access(cluster, b), std::chrono::milliseconds(3000))) {
        alive.push_back(b);
      }
    }
  }
  return alive.empty() ? brokers : alive;
}

// Wait (up to 30 s) until the broker at `via` knows `topic` with a leader for each of its
// `partitions`: right after a controller failover that takes a moment, and a broker asked
// too early answers as for an unknown topic (which it may then try to auto-create with
// the default replication factor, failing the whole batch).
void wait_topic_led(const probe::KafkaAccess& via, const std::string& topic, int partitions) {
  for (auto deadline = Clock::now() + std::chrono::seconds(30); Clock::now() < deadline;) {
    auto md = probe::kafka_metadata(via, std::chrono::milliseconds(3000));
    int led = 0;
    if (md) {
      for (const auto& part : md->partitions)
        if (part.topic == topic && part.leader >= 0 && part.error.empty()) ++led;
    }
    if (led == partitions) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

VerifyStep produce_step(const probe::KafkaAccess& via, const std::string& topic, int messages,
                        VerifyReport& report) {
  auto t0 = Clock::now();
  VerifyStep produce{"kafka produce", false, "", 0};
  auto p = probe::produce(via, topic, messages, std::chrono::milliseconds(60000));
  produce.ms = ms_since(t0);
  if (!p) {
    produce.detail = p.error().message;
    return produce;
  }
  report.produced = p->acked;
  produce.ok = p->acked == messages && p->failed == 0;
  produce.detail = std::to_string(p->acked) + "/" + std::to_string(messages) +
                   " acknowledged (acks=all) through " + via.bootstrap + ", latency avg " +
                   fmt_ms(p->avg_ms) + ", max " + fmt_ms(p->max_ms) +
                   (p->errors.empty() ? "" : "; " + p->errors.front());
  return produce;
}

VerifyStep consume_step(const probe::KafkaAccess& via, const std::string& topic,
                        VerifyReport& report) {
  auto t0 = Clock::now();
  VerifyStep consume{"kafka consume", false, "", 0};
  auto got = probe::consume(via, topic, report.produced, std::chrono::milliseconds(60000));
  consume.ms = ms_since(t0);
  if (!got) {
    consume.detail = got.error().message;
    report.lost = report.produced;
    return consume;
  }
  std::set<std::string> seen(got->begin(), got->end());
  report.consumed = static_cast<int>(seen.size());
  report.lost = std::max(0, report.produced - report.consumed);
  consume.ok = report.lost == 0;
  consume.detail = std::to_string(report.consumed) + "/" + std::to_string(report.produced) +
                   " read back through " + via.bootstrap + " in " + fmt_ms(consume.ms) +
                   (report.lost ? ", " + std::to_string(report.lost) + " LOST" : "");
  return consume;
}

// A topic through one broker and back through another: create, produce, consume, delete.
void kafka_round_trip(const inventory::Cluster& cluster, int messages,
                      std::chrono::milliseconds timeout, VerifyReport& report) {
  // Replication min(3, brokers alive now), so a cluster with a broker down still
  // verifies (what is left must still work).
  auto alive = live_brokers(cluster, timeout);
  const auto produce_via = kafka_access(cluster, alive.front());
  const auto consume_via = kafka_access(cluster, alive.size() > 1 ? alive[1] : alive[0]);
  const std::string topic = "zkctl-verify-" + suffix();
  const int rf = std::min<int>(3, static_cast<int>(alive.size()));

  auto t0 = Clock::now();
  VerifyStep create{"kafka create topic", false, "", 0};
  auto c = probe::create_topic(produce_via, topic, 3, rf, std::chrono::milliseconds(30000));
  create.ms = ms_since(t0);
  create.ok = c.ok();
  create.detail =
      c ? topic + ": 3 partitions, replication " + std::to_string(rf) : c.error().message;
  report.steps.push_back(create);
  if (!c) return;
  wait_topic_led(produce_via, topic, 3);
  report.steps.push_back(produce_step(produce_via, topic, messages, report));
  if (report.produced > 0) report.steps.push_back(consume_step(consume_via, topic, report));

  t0 = Clock::now();
  VerifyStep del{"kafka delete topic", false, "", 0};
  auto d = probe::delete_topic(produce_via, topic, std::chrono::milliseconds(30000));
  del.ms = ms_since(t0);
  del.ok = d.ok();
  del.detail = d ? topic + " deleted" : d.error().message;
  report.steps.push_back(del);
}

}  // namespace

VerifyReport verify(Context& ctx, int messages) {
  const auto& cluster = ctx.cluster();
  VerifyReport report;
  const auto timeout = ctx.probe_timeout_at_least(std::chrono::milliseconds(10000));
  if (!cluster.servers.empty()) report.steps.push_back(zookeeper_round_trip(cluster, timeout));
  if (cluster.kafka) kafka_round_trip(cluster, messages, timeout, report);
  return report;
}

}  // namespace zkctl::ops
