#pragma once
// librdkafka handles as zkctl's Kafka clients make them (kafka_client, kafka_acl): owning
// pointers, a log sink that keeps librdkafka's lines off stderr, a handle built from a
// KafkaAccess, and admin requests bounded by a deadline. Internal to src/probe/.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::probe::kafka_detail {

using Clock = std::chrono::steady_clock;
using Settings = std::vector<std::pair<std::string, std::string>>;

// librdkafka's log lines and error callbacks for one handle, kept instead of printed; the
// last few warnings end up in error messages. Called from librdkafka's threads.
struct LogSink {
  mutable std::mutex log_mutex;
  std::deque<std::string> lines;
  std::atomic<bool> all_brokers_down{false};  // librdkafka said so at least once

  void add(std::string line) {
    std::lock_guard lock(log_mutex);
    lines.push_back(std::move(line));
    if (lines.size() > 4) lines.pop_front();
  }
  // " (librdkafka: <last line>)" or "".
  std::string suffix() const {
    std::lock_guard lock(log_mutex);
    if (lines.empty()) return "";
    return " (librdkafka: " + lines.back() + ")";
  }
};

// Owning handles.
struct HandleDeleter {
  int flags = 0;  // rd_kafka_destroy_flags
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy_flags(rk, flags); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
using AdminOptions = std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter>;

// Milliseconds until `deadline`, at least 0.
int remaining_ms(Clock::time_point deadline);

// A client handle of `type` for `access` (kafka_client_settings, then `settings`), logging
// into `sink` (which must outlive it); `dr_msg_cb` for producers that want delivery reports.
util::Result<Handle> make_handle(rd_kafka_type_t type, const KafkaAccess& access,
                                 const Settings& settings, LogSink* sink,
                                 void (*dr_msg_cb)(rd_kafka_t*, const rd_kafka_message_t*,
                                                   void*) = nullptr);

// Wait for one admin result event on `queue` until `deadline`; an event error is an error
// naming `what`.
util::Result<Event> admin_result(rd_kafka_queue_t* queue, Clock::time_point deadline,
                                 const std::string& what, const LogSink& sink);

// Admin options for `api` with a request timeout reaching to `deadline`.
util::Result<AdminOptions> admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t api,
                                         Clock::time_point deadline);

}  // namespace zkctl::probe::kafka_detail
