// Parsing what a metrics endpoint answers: the HTTP envelope and the text exposition format.

#include "probe/prometheus.hpp"

#include <gtest/gtest.h>

namespace zkctl::probe {
namespace {

// Lines as ZooKeeper's provider (simpleclient 0.9) and the JMX exporter agent (1.x) write them.
constexpr std::string_view kPage =
    "# HELP outstanding_requests outstanding_requests\n"
    "# TYPE outstanding_requests gauge\n"
    "outstanding_requests 3.0\n"
    "jvm_memory_bytes_used{area=\"heap\",} 1.5207936E7\n"
    "jvm_memory_bytes_used{area=\"nonheap\",} 1.6881992E7\n"
    "kafka_network_requestmetrics_totaltimems{quantile=\"0.99\",request=\"Produce\"} 4.5\n"
    "kafka_server_replicamanager_isrshrinks_total 7\n"
    "broken{ 1\n"
    "no_value\n"
    "nan_ok NaN\n";

TEST(Prometheus, ParsesNamesLabelsAndValuesSkippingWhatIsMalformed) {
  const Samples s = parse_metrics_text(kPage);
  EXPECT_EQ(sample(s, "outstanding_requests"), 3.0);
  EXPECT_EQ(sample(s, "jvm_memory_bytes_used", {"area=\"nonheap\""}), 1.6881992E7);
  EXPECT_EQ(sample(s, "jvm_memory_bytes_used"), 1.5207936E7);  // the first
  EXPECT_EQ(sample(s, "kafka_network_requestmetrics_totaltimems",
                   {"request=\"Produce\"", "quantile=\"0.99\""}),
            4.5);
  EXPECT_EQ(sample(s, "kafka_network_requestmetrics_totaltimems", {"request=\"Fetch\""}),
            std::nullopt);
  EXPECT_EQ(sample(s, "kafka_server_replicamanager_isrshrinks_total"), 7.0);
  EXPECT_FALSE(s.contains("broken"));
  EXPECT_FALSE(s.contains("no_value"));
  EXPECT_TRUE(s.contains("nan_ok"));
}

TEST(Prometheus, ReadsThe200BodyAndRefusesOtherStatuses) {
  auto ok = parse_metrics_response(
      "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n"
      "outstanding_requests 1\n");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(sample(*ok, "outstanding_requests"), 1.0);
  auto bad = parse_metrics_response("HTTP/1.1 401 Unauthorized\r\n\r\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "metrics endpoint answered 'HTTP/1.1 401 Unauthorized', not 200");
  EXPECT_FALSE(parse_metrics_response("\x15\x03\x01 not http"));
  EXPECT_FALSE(parse_metrics_response("HTTP/1.1 200 OK\r\nno end of headers"));
}

TEST(Prometheus, DecodesAChunkedBody) {
  auto r = parse_metrics_response(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "c\r\nznode_count \r\n3\r\n12\n\r\n0\r\n\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(sample(*r, "znode_count"), 12.0);
  EXPECT_FALSE(parse_metrics_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz"));
}

TEST(Prometheus, TheRequestIsOneHttp10Get) {
  EXPECT_EQ(metrics_request("node1"),
            "GET /metrics HTTP/1.0\r\nHost: node1\r\nAccept: text/plain\r\n\r\n");
}

}  // namespace
}  // namespace zkctl::probe
