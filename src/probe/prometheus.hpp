#pragma once
// A node's Prometheus endpoint ([metrics]) read the way four-letter words are: one HTTP/1.0
// GET over TCP or an SSH channel (probe::ask_tcp / ask_via), the text exposition parsed.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace zkctl::probe {

// One sample: its label set as written ("{area=\"heap\",}", empty without labels) and value.
struct Sample {
  std::string labels;
  double value = 0;
};

// Metric name -> its samples in page order.
using Samples = std::map<std::string, std::vector<Sample>, std::less<>>;

// The request ask_tcp/ask_via send: GET /metrics, HTTP/1.0 (the server closes after answering).
std::string metrics_request(const std::string& host);

// The samples of `text` (Prometheus text format 0.0.4; comments and malformed lines skipped).
Samples parse_metrics_text(std::string_view text);

// The body of HTTP response `response` (status 200 required; chunked bodies decoded),
// parsed by parse_metrics_text; fails naming the status line otherwise.
util::Result<Samples> parse_metrics_response(std::string_view response);

// The value of the first sample of `name` whose labels contain every `needles` entry;
// nullopt when there is none.
std::optional<double> sample(const Samples& samples, std::string_view name,
                             const std::vector<std::string_view>& needles = {});

}  // namespace zkctl::probe
