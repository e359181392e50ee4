#include "support/kafka_load_producer.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace zkctl::testing {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxErrors = 5;  // distinct errors kept in a report

// Keep `error` in `errors` unless already there or the list is full.
void keep_error(std::vector<std::string>& errors, const std::string& error) {
  if (errors.size() < kMaxErrors && std::find(errors.begin(), errors.end(), error) == errors.end())
    errors.push_back(error);
}

// librdkafka's log lines stay off the test's output.
void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

void delivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);

}  // namespace

struct Producer::Impl {
  ProducerOptions options;
  rd_kafka_t* rk = nullptr;  // owned; destroyed by stop()
  std::thread thread;
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;

  mutable std::mutex mutex;  // guards report
  ProducerReport report;

  // Produce to `topic` until `stopping`.
  void run(const std::string& topic);
  // The handle, configured for acks=all and idempotence, or why librdkafka refused.
  util::Result<void> open(const std::string& bootstrap);
  // Everything sent has a delivery outcome.
  bool all_reported() const {
    std::lock_guard lock(mutex);
    return static_cast<std::int64_t>(report.acked.size()) + report.failed + report.unresolved >=
           report.sent;
  }
};

namespace {

void delivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* impl = static_cast<Producer::Impl*>(opaque);
  const auto seq = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(m->_private));
  std::lock_guard lock(impl->mutex);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    impl->report.acked.insert(seq);
  } else if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
             m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    ++impl->report.unresolved;
  } else {
    ++impl->report.failed;
    keep_error(impl->report.errors, rd_kafka_err2str(m->err));
  }
}

}  // namespace

util::Result<void> Producer::Impl::open(const std::string& bootstrap) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512] = {};
  const std::string timeout = std::to_string(std::max<long>(options.message_timeout.count(), 10));
  const std::pair<const char*, std::string> settings[] = {{"bootstrap.servers", bootstrap},
                                                          {"client.id", "zkctl-test-load"},
                                                          {"acks", "all"},
                                                          {"enable.idempotence", "true"},
                                                          {"linger.ms", "5"},
                                                          {"message.timeout.ms", timeout},
                                                          {"log.connection.close", "false"}};
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return util::fail(std::string("load producer setting ") + key + ": " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf, quiet_log);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, delivered);
  rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return util::fail("load producer for " + bootstrap + ": " + errstr);
  }
  return {};
}

void Producer::Impl::run(const std::string& topic) {
  std::int64_t seq = 0;
  auto next = Clock::now();
  bool fatal = false;
  while (!stopping.load()) {
    const auto now = Clock::now();
    if (!fatal && now >= next && rd_kafka_outq_len(rk) < options.max_in_flight) {
      const std::string key = std::to_string(seq);
      const std::string payload = options.prefix + key;
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(seq))),
          RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::lock_guard lock(mutex);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          ++report.failed;
          keep_error(report.errors, rd_kafka_err2str(err));
        }
        report.sent = ++seq;
        next = now + options.interval;
      }
      char errstr[512] = {};
      if (rd_kafka_fatal_error(rk, errstr, sizeof errstr) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fatal = true;  // an idempotent producer cannot go on after this
        std::lock_guard lock(mutex);
        keep_error(report.errors, std::string("fatal: ") + errstr);
      }
    }
    const auto wait = std::chrono::duration_cast<milliseconds>(next - Clock::now()).count();
    rd_kafka_poll(rk, static_cast<int>(std::clamp<long>(wait, 0, 50)));
  }
}

Producer::Producer() : impl_(std::make_unique<Impl>()) {}

Producer::~Producer() {
  if (impl_->started && !impl_->stopped) (void)stop(milliseconds(2000));
}

util::Result<void> Producer::start(const std::string& bootstrap, const std::string& topic,
                                   const ProducerOptions& options) {
  if (impl_->started) return util::fail("load producer already started");
  impl_->options = options;
  if (auto opened = impl_->open(bootstrap); !opened) return opened;
  impl_->started = true;
  impl_->thread = std::thread([impl = impl_.get(), topic] { impl->run(topic); });
  return {};
}

ProducerReport Producer::progress() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->report;
}

ProducerReport Producer::stop(milliseconds drain) {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return progress();
  impl.stopping = true;
  if (impl.thread.joinable()) impl.thread.join();
  rd_kafka_flush(impl.rk, static_cast<int>(drain.count()));
  rd_kafka_purge(impl.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  const auto grace = Clock::now() + milliseconds(1000);
  do {
    rd_kafka_poll(impl.rk, 50);
  } while (!impl.all_reported() && Clock::now() < grace);
  rd_kafka_destroy(impl.rk);
  impl.rk = nullptr;
  impl.stopped = true;
  std::lock_guard lock(impl.mutex);
  const std::int64_t missing = impl.report.sent -
                               static_cast<std::int64_t>(impl.report.acked.size()) -
                               impl.report.failed - impl.report.unresolved;
  if (missing > 0) impl.report.unresolved += missing;
  return impl.report;
}

}  // namespace zkctl::testing
