#include "probe/kafka_handle.hpp"

#include <algorithm>

#include "probe/kafka_client.hpp"

namespace zkctl::probe::kafka_detail {

namespace {

void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto* sink = static_cast<LogSink*>(rd_kafka_opaque(rk));
  if (sink != nullptr && level <= 4) sink->add(std::string(fac) + ": " + buf);
}

void error_cb(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto* sink = static_cast<LogSink*>(opaque);
  if (sink == nullptr) return;
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) sink->all_brokers_down = true;
  sink->add(reason);
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};

}  // namespace

int remaining_ms(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

util::Result<Handle> make_handle(rd_kafka_type_t type, const KafkaAccess& access,
                                 const Settings& settings, LogSink* sink,
                                 void (*dr_msg_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*)) {
  std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  char errstr[512] = {};
  Settings all = kafka_client_settings(access);
  all.insert(all.end(), settings.begin(), settings.end());
  for (const auto& [key, value] : all) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      return util::fail("kafka client setting " + key + "=" + value + ": " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), log_cb);
  rd_kafka_conf_set_error_cb(conf.get(), error_cb);
  rd_kafka_conf_set_opaque(conf.get(), sink);
  if (dr_msg_cb != nullptr) rd_kafka_conf_set_dr_msg_cb(conf.get(), dr_msg_cb);
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) return util::fail("kafka client for " + access.bootstrap + ": " + errstr);
  conf.release();  // now owned by rk
  return Handle(
      rk, HandleDeleter{type == RD_KAFKA_CONSUMER ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0});
}

util::Result<Event> admin_result(rd_kafka_queue_t* queue, Clock::time_point deadline,
                                 const std::string& what, const LogSink& sink) {
  // A little past the deadline: the request itself times out at the deadline.
  Event ev(rd_kafka_queue_poll(queue, remaining_ms(deadline) + 1000));
  if (!ev) return util::fail(what + ": no answer in time" + sink.suffix());
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return util::fail(what + ": " + rd_kafka_event_error_string(ev.get()) + sink.suffix());
  }
  return ev;
}

util::Result<AdminOptions> admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t api,
                                         Clock::time_point deadline) {
  AdminOptions options(rd_kafka_AdminOptions_new(rk, api));
  char errstr[512] = {};
  const int total = std::max(remaining_ms(deadline), 100);
  // The operation timeout exists only for operations the controller carries out.
  const bool operation =
      api == RD_KAFKA_ADMIN_OP_CREATETOPICS || api == RD_KAFKA_ADMIN_OP_DELETETOPICS;
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), total, errstr, sizeof errstr) ||
      (operation && rd_kafka_AdminOptions_set_operation_timeout(options.get(), total / 2, errstr,
                                                                sizeof errstr))) {
    return util::fail(std::string("kafka admin options: ") + errstr);
  }
  return options;
}

}  // namespace zkctl::probe::kafka_detail
