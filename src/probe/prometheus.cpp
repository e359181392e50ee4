#include "probe/prometheus.hpp"

#include <charconv>
#include <cstdlib>

namespace zkctl::probe {

namespace {

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// `body` with chunked transfer coding removed; nullopt when malformed.
std::optional<std::string> dechunk(std::string_view body) {
  std::string out;
  while (true) {
    const auto eol = body.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    std::size_t size = 0;
    const std::string_view hex = body.substr(0, eol);
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
    if (ec != std::errc() || p == hex.data()) return std::nullopt;
    if (size == 0) return out;
    if (body.size() < eol + 2 + size) return std::nullopt;
    out.append(body.substr(eol + 2, size));
    body.remove_prefix(std::min(body.size(), eol + 2 + size + 2));
  }
}

bool has_header(std::string_view head, std::string_view header) {
  std::string lower(head);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower.find(header) != std::string::npos;
}

}  // namespace

std::string metrics_request(const std::string& host) {
  return "GET /metrics HTTP/1.0\r\nHost: " + host + "\r\nAccept: text/plain\r\n\r\n";
}

Samples parse_metrics_text(std::string_view text) {
  Samples out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#' || !name_char(line.front(), true)) continue;
    std::size_t i = 1;
    while (i < line.size() && name_char(line[i], false)) ++i;
    const std::string_view name = line.substr(0, i);
    std::string_view labels;
    if (i < line.size() && line[i] == '{') {
      const auto close = line.find('}', i);
      if (close == std::string_view::npos) continue;
      labels = line.substr(i, close + 1 - i);
      i = close + 1;
    }
    while (i < line.size() && line[i] == ' ') ++i;
    const std::string value(line.substr(i, line.find(' ', i) - i));
    if (value.empty()) continue;
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end != value.c_str() + value.size()) continue;
    out[std::string(name)].push_back(Sample{std::string(labels), v});
  }
  return out;
}

util::Result<Samples> parse_metrics_response(std::string_view response) {
  const auto status_end = response.find("\r\n");
  const std::string_view status = response.substr(0, status_end);
  if (!status.starts_with("HTTP/1.") || status.find(" 200") == std::string_view::npos)
    return util::fail("metrics endpoint answered '" + std::string(status.substr(0, 60)) +
                      "', not 200");
  const auto head_end = response.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return util::fail("metrics endpoint: no HTTP body");
  const std::string_view body = response.substr(head_end + 4);
  if (has_header(response.substr(0, head_end), "transfer-encoding: chunked")) {
    auto plain = dechunk(body);
    if (!plain) return util::fail("metrics endpoint: malformed chunked body");
    return parse_metrics_text(*plain);
  }
  return parse_metrics_text(body);
}

std::optional<double> sample(const Samples& samples, std::string_view name,
                             const std::vector<std::string_view>& needles) {
  const auto it = samples.find(name);
  if (it == samples.end()) return std::nullopt;
  for (const auto& s : it->second) {
    bool all = true;
    for (auto n : needles) all = all && s.labels.find(n) != std::string::npos;
    if (all) return s.value;
  }
  return std::nullopt;
}

}  // namespace zkctl::probe
