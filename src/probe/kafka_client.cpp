#include "probe/kafka_client.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <utility>

#include "probe/kafka_handle.hpp"

namespace zkctl::probe {

using namespace kafka_detail;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxErrors = 5;  // distinct errors kept in reports

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct DeleteTopicDeleter {
  void operator()(rd_kafka_DeleteTopic_t* t) const { rd_kafka_DeleteTopic_destroy(t); }
};
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};

// The cluster's metadata (all topics) through `rk` within `timeout_ms`.
util::Result<KafkaMetadata> read_metadata(rd_kafka_t* rk, const LogSink& sink,
                                          const std::string& bootstrap, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, std::max(timeout_ms, 1));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return util::fail("kafka metadata from " + bootstrap + ": " + rd_kafka_err2str(err) +
                      sink.suffix());
  }
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> md(raw);
  KafkaMetadata out;
  out.answered_by = md->orig_broker_id;
  for (int i = 0; i < md->broker_cnt; ++i) {
    const auto& b = md->brokers[i];
    out.brokers.push_back({b.id, b.host != nullptr ? b.host : "", b.port});
  }
  for (int t = 0; t < md->topic_cnt; ++t) {
    const auto& topic = md->topics[t];
    const std::string name = topic.topic != nullptr ? topic.topic : "";
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.topic_errors.push_back(name + ": " + rd_kafka_err2str(topic.err));
    }
    for (int p = 0; p < topic.partition_cnt; ++p) {
      const auto& part = topic.partitions[p];
      KafkaPartition kp;
      kp.topic = name;
      kp.partition = part.id;
      kp.leader = part.leader;
      kp.replicas.assign(part.replicas, part.replicas + part.replica_cnt);
      kp.isr.assign(part.isrs, part.isrs + part.isr_cnt);
      if (part.err != RD_KAFKA_RESP_ERR_NO_ERROR) kp.error = rd_kafka_err2str(part.err);
      out.partitions.push_back(std::move(kp));
    }
  }
  std::sort(out.brokers.begin(), out.brokers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(out.partitions.begin(), out.partitions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return out;
}

std::string random_suffix() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()));
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += hex[gen() % 16];
  return s;
}

void add_error(std::vector<std::string>& errors, const std::string& e) {
  if (errors.size() < kMaxErrors && std::find(errors.begin(), errors.end(), e) == errors.end()) {
    errors.push_back(e);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> kafka_client_settings(const KafkaAccess& access) {
  Settings out = {{"bootstrap.servers", access.bootstrap},
                  {"client.id", "zkctl"},
                  {"log.connection.close", "false"}};
  if (!access.tls.enabled()) return out;
  out.insert(out.end(), {{"security.protocol", "ssl"},
                         {"ssl.ca.location", access.tls.ca_file},
                         {"ssl.endpoint.identification.algorithm", "https"}});
  if (!access.tls.cert_file.empty()) {
    out.insert(out.end(),
               {{"ssl.certificate.location", access.tls.cert_file},
                {"ssl.key.location",
                 access.tls.key_file.empty() ? access.tls.cert_file : access.tls.key_file}});
  }
  return out;
}

int KafkaMetadata::under_replicated() const {
  return static_cast<int>(std::count_if(partitions.begin(), partitions.end(), [](const auto& p) {
    return p.isr.size() < p.replicas.size();
  }));
}

int KafkaMetadata::offline() const {
  return static_cast<int>(std::count_if(partitions.begin(), partitions.end(),
                                        [](const auto& p) { return p.leader < 0; }));
}

bool KafkaMetadata::has_topic(const std::string& topic) const {
  return std::any_of(partitions.begin(), partitions.end(),
                     [&](const auto& p) { return p.topic == topic; });
}

util::Result<KafkaMetadata> kafka_metadata(const KafkaAccess& access, milliseconds timeout) {
  LogSink sink;
  auto rk = make_handle(RD_KAFKA_PRODUCER, access, {}, &sink);
  if (!rk) return rk.error();
  return read_metadata(rk->get(), sink, access.bootstrap, static_cast<int>(timeout.count()));
}

namespace {
// The single topic result of an admin request for one topic: an error unless it succeeded.
util::Result<void> one_topic_result(const rd_kafka_topic_result_t** results, size_t n,
                                    const std::string& what) {
  if (n != 1) return util::fail(what + ": no result for the topic");
  const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const char* msg = rd_kafka_topic_result_error_string(results[0]);
  return util::fail(what + ": " + (msg != nullptr ? msg : rd_kafka_err2str(err)));
}
}  // namespace

util::Result<void> create_topic(const KafkaAccess& access, const std::string& topic, int partitions,
                                int replication, milliseconds timeout,
                                const std::vector<std::pair<std::string, std::string>>& config) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka create topic " + topic + " on " + access.bootstrap;
  LogSink sink;
  auto rk = make_handle(RD_KAFKA_PRODUCER, access, {}, &sink);
  if (!rk) return rk.error();

  char errstr[512] = {};
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> nt(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication, errstr, sizeof errstr));
  if (!nt) return util::fail(what + ": " + errstr);
  for (const auto& [key, value] : config) {
    if (rd_kafka_NewTopic_set_config(nt.get(), key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR)
      return util::fail(what + ": topic setting " + key + "=" + value);
  }
  auto options = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, deadline);
  if (!options) return options.error();
  Queue queue(rd_kafka_queue_new(rk->get()));
  rd_kafka_NewTopic_t* list[] = {nt.get()};
  rd_kafka_CreateTopics(rk->get(), list, 1, options->get(), queue.get());
  auto ev = admin_result(queue.get(), deadline, what, sink);
  if (!ev) return ev.error();
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev->get());
  size_t n = 0;
  auto results = res != nullptr ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
  if (auto one = one_topic_result(results, n, what); !one) return one.error();

  // Created on the controller; wait until the brokers serve it.
  std::string last;
  while (true) {
    auto md = read_metadata(rk->get(), sink, access.bootstrap, std::max(remaining_ms(deadline), 1));
    if (md) {
      int led = 0;
      int seen = 0;
      for (const auto& p : md->partitions) {
        if (p.topic != topic) continue;
        ++seen;
        if (p.leader >= 0) ++led;
      }
      if (seen == partitions && led == partitions) return {};
      last = std::to_string(seen) + " of " + std::to_string(partitions) + " partitions listed, " +
             std::to_string(led) + " with a leader";
    } else {
      last = md.error().message;
    }
    if (remaining_ms(deadline) <= 0) {
      return util::fail(what + ": created, but not served within " +
                        std::to_string(timeout.count()) + " ms: " + last);
    }
    std::this_thread::sleep_for(milliseconds(std::min(200, remaining_ms(deadline))));
  }
}

int KafkaMinInsync::of(const std::string& topic) const {
  auto it = topics.find(topic);
  return it != topics.end() ? it->second : broker;
}

namespace {
struct ConfigResourceDeleter {
  void operator()(rd_kafka_ConfigResource_t* r) const { rd_kafka_ConfigResource_destroy(r); }
};
using ConfigResource = std::unique_ptr<rd_kafka_ConfigResource_t, ConfigResourceDeleter>;

// min.insync.replicas (and a topic's unclean.leader.election.enable) of one described
// resource into `out`; an error names the resource.
util::Result<void> take_min_insync(const rd_kafka_ConfigResource_t* res, KafkaMinInsync& out) {
  const std::string name = rd_kafka_ConfigResource_name(res);
  if (rd_kafka_ConfigResource_error(res) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* msg = rd_kafka_ConfigResource_error_string(res);
    return util::fail(
        name + ": " +
        (msg != nullptr ? msg : rd_kafka_err2str(rd_kafka_ConfigResource_error(res))));
  }
  const bool topic = rd_kafka_ConfigResource_type(res) == RD_KAFKA_RESOURCE_TOPIC;
  size_t n = 0;
  const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res, &n);
  for (size_t i = 0; i < n; ++i) {
    const std::string key = rd_kafka_ConfigEntry_name(entries[i]);
    const char* value = rd_kafka_ConfigEntry_value(entries[i]);
    if (value == nullptr) continue;
    if (topic && key == "unclean.leader.election.enable" && std::string(value) == "true")
      out.unclean.insert(name);
    if (key != "min.insync.replicas") continue;
    const int v = std::atoi(value);
    if (v < 1) return util::fail(name + ": min.insync.replicas=" + value);
    if (!topic) {
      out.broker = v;
    } else if (rd_kafka_ConfigEntry_source(entries[i]) ==
               RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
      out.topics[name] = v;
    }
  }
  return {};
}
}  // namespace

namespace {
// One DescribeConfigs request for `owned` through `access` within `timeout`; each resource's
// result goes to `each` (an error from it ends the call, prefixed with what was asked).
template <class Each>
util::Result<void> describe_configs(const KafkaAccess& access, std::vector<ConfigResource> owned,
                                    milliseconds timeout, Each each) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka describe configs on " + access.bootstrap;
  LogSink sink;
  auto rk = make_handle(RD_KAFKA_PRODUCER, access, {}, &sink);
  if (!rk) return rk.error();
  std::vector<rd_kafka_ConfigResource_t*> list;
  for (auto& r : owned) list.push_back(r.get());
  auto options = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, deadline);
  if (!options) return options.error();
  Queue queue(rd_kafka_queue_new(rk->get()));
  rd_kafka_DescribeConfigs(rk->get(), list.data(), list.size(), options->get(), queue.get());
  auto ev = admin_result(queue.get(), deadline, what, sink);
  if (!ev) return ev.error();
  const rd_kafka_DescribeConfigs_result_t* res = rd_kafka_event_DescribeConfigs_result(ev->get());
  size_t n = 0;
  const rd_kafka_ConfigResource_t** results =
      res != nullptr ? rd_kafka_DescribeConfigs_result_resources(res, &n) : nullptr;
  if (n != list.size())
    return util::fail(what + ": " + std::to_string(n) + " of " + std::to_string(list.size()) +
                      " resources answered");
  for (size_t i = 0; i < n; ++i) {
    if (auto r = each(results[i]); !r) return util::fail(what + ": " + r.error().message);
  }
  return {};
}

// Config `key` of one described broker resource ("" when it has none).
util::Result<std::string> take_config(const rd_kafka_ConfigResource_t* res,
                                      const std::string& key) {
  if (rd_kafka_ConfigResource_error(res) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* msg = rd_kafka_ConfigResource_error_string(res);
    return util::fail(
        std::string("broker ") + rd_kafka_ConfigResource_name(res) + ": " +
        (msg != nullptr ? msg : rd_kafka_err2str(rd_kafka_ConfigResource_error(res))));
  }
  size_t n = 0;
  const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res, &n);
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_ConfigEntry_name(entries[i]) != key) continue;
    const char* value = rd_kafka_ConfigEntry_value(entries[i]);
    return std::string(value != nullptr ? value : "");
  }
  return std::string();
}
}  // namespace

util::Result<KafkaMinInsync> kafka_min_insync(const KafkaAccess& access,
                                              const std::vector<std::string>& topics, int broker_id,
                                              milliseconds timeout) {
  std::vector<ConfigResource> owned;
  owned.emplace_back(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, std::to_string(broker_id).c_str()));
  for (const auto& t : topics)
    owned.emplace_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.c_str()));
  KafkaMinInsync out;
  auto r = describe_configs(
      access, std::move(owned), timeout,
      [&](const rd_kafka_ConfigResource_t* res) { return take_min_insync(res, out); });
  if (!r) return r.error();
  return out;
}

util::Result<std::map<int, std::string>> kafka_broker_config(const KafkaAccess& access,
                                                             const std::vector<int>& brokers,
                                                             const std::string& key,
                                                             milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::map<int, std::string> out;
  for (int id : brokers) {  // librdkafka takes one BROKER resource per request
    std::vector<ConfigResource> owned;
    owned.emplace_back(
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, std::to_string(id).c_str()));
    auto r = describe_configs(access, std::move(owned),
                              std::max(milliseconds(remaining_ms(deadline)), milliseconds(1)),
                              [&](const rd_kafka_ConfigResource_t* res) -> util::Result<void> {
                                auto value = take_config(res, key);
                                if (!value) return value.error();
                                out[id] = *value;
                                return {};
                              });
    if (!r) return r.error();
  }
  return out;
}

util::Result<std::map<int, std::string>> kafka_broker_racks(const KafkaAccess& access,
                                                            const std::vector<int>& brokers,
                                                            milliseconds timeout) {
  return kafka_broker_config(access, brokers, "broker.rack", timeout);
}

util::Result<void> delete_topic(const KafkaAccess& access, const std::string& topic,
                                milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka delete topic " + topic + " on " + access.bootstrap;
  LogSink sink;
  auto rk = make_handle(RD_KAFKA_PRODUCER, access, {}, &sink);
  if (!rk) return rk.error();

  std::unique_ptr<rd_kafka_DeleteTopic_t, DeleteTopicDeleter> dt(
      rd_kafka_DeleteTopic_new(topic.c_str()));
  auto options = admin_options(rk->get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, deadline);
  if (!options) return options.error();
  Queue queue(rd_kafka_queue_new(rk->get()));
  rd_kafka_DeleteTopic_t* list[] = {dt.get()};
  rd_kafka_DeleteTopics(rk->get(), list, 1, options->get(), queue.get());
  auto ev = admin_result(queue.get(), deadline, what, sink);
  if (!ev) return ev.error();
  const rd_kafka_DeleteTopics_result_t* res = rd_kafka_event_DeleteTopics_result(ev->get());
  size_t n = 0;
  auto results = res != nullptr ? rd_kafka_DeleteTopics_result_topics(res, &n) : nullptr;
  if (auto one = one_topic_result(results, n, what); !one) return one.error();

  std::string last;
  while (true) {
    auto md = read_metadata(rk->get(), sink, access.bootstrap, std::max(remaining_ms(deadline), 1));
    if (md && !md->has_topic(topic)) return {};
    last = md ? "still listed" : md.error().message;
    if (remaining_ms(deadline) <= 0) {
      return util::fail(what + ": deleted, but " + last + " after " +
                        std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(milliseconds(std::min(200, remaining_ms(deadline))));
  }
}

namespace {

// Delivery bookkeeping for produce(); the message opaque is its index.
struct ProduceContext : LogSink {
  std::vector<Clock::time_point> sent_at;
  int reported = 0;
  bool gave_up = false;  // purged after the deadline: report as "not acknowledged in time"
  std::chrono::milliseconds timeout{0};
  ProduceReport report;
  double sum_ms = 0;
};

void produce_dr(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
  auto* ctx = static_cast<ProduceContext*>(static_cast<LogSink*>(opaque));
  const auto index = reinterpret_cast<std::intptr_t>(m->_private);
  ++ctx->reported;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++ctx->report.acked;
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - ctx->sent_at[index]).count();
    ctx->sum_ms += ms;
    ctx->report.max_ms = std::max(ctx->report.max_ms, ms);
    return;
  }
  ++ctx->report.failed;
  const bool purged =
      m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT;
  if (purged && ctx->gave_up) {
    add_error(ctx->report.errors,
              "not acknowledged within " + std::to_string(ctx->timeout.count()) + " ms");
  } else {
    add_error(ctx->report.errors, rd_kafka_err2str(m->err));
  }
}

// Producer settings for produce(): acks from all in-sync replicas, no duplicates.
Settings producer_settings(milliseconds message_timeout) {
  return {{"acks", "all"},
          {"enable.idempotence", "true"},
          {"linger.ms", "5"},
          {"message.timeout.ms", std::to_string(std::max<long>(message_timeout.count(), 10))}};
}

}  // namespace

util::Result<ProduceReport> produce(const KafkaAccess& access, const std::string& topic, int count,
                                    milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  ProduceContext ctx;
  ctx.timeout = timeout;
  ctx.sent_at.resize(std::max(count, 0));
  auto rk = make_handle(RD_KAFKA_PRODUCER, access, producer_settings(timeout), &ctx, produce_dr);
  if (!rk) return rk.error();

  int handed = 0;
  for (int i = 0; i < count; ++i) {
    const std::string key = std::to_string(i);
    const std::string payload = "zkctl-verify-" + key;
    while (true) {
      ctx.sent_at[i] = Clock::now();
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk->get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(i))),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++handed;
        break;
      }
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && remaining_ms(deadline) > 0) {
        rd_kafka_poll(rk->get(), 10);
        continue;
      }
      // Not even queued: counts as reported and failed.
      ++ctx.reported;
      ++ctx.report.failed;
      add_error(ctx.report.errors, rd_kafka_err2str(err));
      break;
    }
    rd_kafka_poll(rk->get(), 0);
  }
  while (ctx.reported < count && remaining_ms(deadline) > 0) {
    rd_kafka_poll(rk->get(), std::min(100, remaining_ms(deadline)));
  }
  if (ctx.reported < count) {
    ctx.gave_up = true;
    rd_kafka_purge(rk->get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    const auto grace = Clock::now() + milliseconds(1000);
    while (ctx.reported < count && remaining_ms(grace) > 0) rd_kafka_poll(rk->get(), 50);
    if (ctx.reported < count) {
      ctx.report.failed += count - ctx.reported;
      add_error(ctx.report.errors,
                "not acknowledged within " + std::to_string(timeout.count()) + " ms");
    }
  }
  char fatal[512] = {};
  if (rd_kafka_fatal_error(rk->get(), fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    add_error(ctx.report.errors, std::string("fatal: ") + fatal);
  }
  if (ctx.report.failed > 0 && ctx.report.errors.size() < kMaxErrors) {
    const std::string tail = ctx.suffix();
    if (!tail.empty()) add_error(ctx.report.errors, tail.substr(2, tail.size() - 3));
  }
  if (ctx.report.acked > 0) ctx.report.avg_ms = ctx.sum_ms / ctx.report.acked;
  (void)handed;
  return ctx.report;
}

util::Result<std::vector<std::string>> consume(const KafkaAccess& access, const std::string& topic,
                                               int expected, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = "kafka consume " + topic + " from " + access.bootstrap;
  LogSink sink;
  auto rk = make_handle(RD_KAFKA_CONSUMER, access,
                        {{"group.id", "zkctl-verify-" + random_suffix()},
                         {"auto.offset.reset", "earliest"},
                         {"enable.auto.commit", "false"},
                         {"enable.auto.offset.store", "false"},
                         {"allow.auto.create.topics", "false"}},
                        &sink);
  if (!rk) return rk.error();
  rd_kafka_poll_set_consumer(rk->get());
  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)>
      subscription(rd_kafka_topic_partition_list_new(1), rd_kafka_topic_partition_list_destroy);
  rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk->get(), subscription.get())) {
    return util::fail(what + ": subscribe: " + rd_kafka_err2str(err));
  }

  std::vector<std::string> seen;
  std::unordered_set<std::string> distinct;
  util::Result<void> outcome;
  while (static_cast<int>(seen.size()) < expected && remaining_ms(deadline) > 0) {
    std::unique_ptr<rd_kafka_message_t, MessageDeleter> m(
        rd_kafka_consumer_poll(rk->get(), std::min(200, remaining_ms(deadline))));
    if (!m) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
        outcome = util::fail(what + ": " + rd_kafka_message_errstr(m.get()));
        break;
      }
      sink.add(rd_kafka_message_errstr(m.get()));  // transient: keep reading
      continue;
    }
    std::string payload(static_cast<const char*>(m->payload), m->len);
    if (distinct.insert(payload).second) seen.push_back(std::move(payload));
  }

  // Leave the group politely, but not for long (the handle is then destroyed without
  // another close).
  Queue close_queue(rd_kafka_queue_new(rk->get()));
  std::unique_ptr<rd_kafka_error_t, ErrorDeleter> close_error(
      rd_kafka_consumer_close_queue(rk->get(), close_queue.get()));
  if (!close_error) {
    const auto close_deadline = Clock::now() + milliseconds(3000);
    while (!rd_kafka_consumer_closed(rk->get()) && remaining_ms(close_deadline) > 0) {
      Event ev(rd_kafka_queue_poll(close_queue.get(), 100));
    }
  }
  if (!outcome) return outcome.error();
  if (seen.empty() && expected > 0 && sink.all_brokers_down) {
    return util::fail(what + ": no broker reachable" + sink.suffix());
  }
  return seen;
}

}  // namespace zkctl::probe
