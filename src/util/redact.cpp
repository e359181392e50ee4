#include "util/redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace zkctl::util {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// Mask the value of one line if it is `[diff marker]KEY=VALUE` or `KEY: VALUE` with a secret KEY.
std::string redact_line(std::string_view line) {
  std::size_t start = 0;
  if (!line.empty() && (line[0] == '+' || line[0] == '-' || line[0] == ' ')) start = 1;
  const std::size_t eq = line.find_first_of("=:", start);
  if (eq == std::string_view::npos) return std::string(line);
  const std::string key = trim(line.substr(start, eq - start));
  if (key.empty() || key.find(' ') != std::string::npos || !is_secret_key(key))
    return std::string(line);
  std::string rest = trim(line.substr(eq + 1));
  if (rest.empty()) return std::string(line);
  return std::string(line.substr(0, eq + 1)) + (line[eq] == ':' ? " " : "") +
         std::string(kRedacted);
}

// Mask JAAS options that carry secrets: password="...", and the same for any *password*,
// *secret* or *token* option, quoted or not.
std::string redact_jaas(std::string text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t eq = text.find('=', i);
    if (eq == std::string::npos) break;
    // The option name: word characters right before '='.
    std::size_t b = eq;
    while (b > i && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '_' ||
                     text[b - 1] == '.'))
      --b;
    const std::string name = lower(std::string_view(text).substr(b, eq - b));
    const bool quoted = eq + 1 < text.size() && text[eq + 1] == '"';
    if (quoted && !name.empty() &&
        (contains(name, "password") || contains(name, "secret") || contains(name, "token"))) {
      const std::size_t close = text.find('"', eq + 2);
      if (close != std::string::npos) {
        out += text.substr(i, eq + 2 - i);
        out += kRedacted;
        out += '"';
        i = close + 1;
        continue;
      }
    }
    out += text.substr(i, eq + 1 - i);
    i = eq + 1;
  }
  out += text.substr(std::min(i, text.size()));
  return out;
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  if (contains(k, "password") || contains(k, "secret") || contains(k, "token") ||
      contains(k, "credential"))
    return true;
  if (k == "sasl.jaas.config" || (k.size() > 17 && k.ends_with(".sasl.jaas.config"))) return true;
  return k.starts_with("ssl.") && contains(k, "key");
}

void Redactor::add_secret(std::string value) {
  if (value.size() < 4) return;
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  secrets_.push_back(std::move(value));
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::add_config(const std::vector<std::pair<std::string, std::string>>& config) {
  for (const auto& [key, value] : config) {
    if (!is_secret_key(key)) continue;
    add_secret(value);
    // A JAAS value's own secrets, for output that shows only part of it.
    const std::string masked = redact_jaas(value);
    std::size_t pos = 0;
    while ((pos = value.find("=\"", pos)) != std::string::npos) {
      const std::size_t close = value.find('"', pos + 2);
      if (close == std::string::npos) break;
      std::string inner = value.substr(pos + 2, close - pos - 2);
      if (masked.find("=\"" + inner + "\"") == std::string::npos) add_secret(inner);
      pos = close + 1;
    }
  }
}

std::string Redactor::redact(std::string_view text) const {
  std::string s(text);
  for (const auto& secret : secrets_) {
    std::size_t pos = 0;
    while ((pos = s.find(secret, pos)) != std::string::npos) {
      s.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  s = redact_jaas(std::move(s));
  std::string out;
  out.reserve(s.size());
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t nl = s.find('\n', start);
    const std::size_t end = nl == std::string::npos ? s.size() : nl;
    out += redact_line(std::string_view(s).substr(start, end - start));
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

Redactor& global_redactor() {
  static Redactor redactor;
  return redactor;
}

std::string redact(std::string_view text) {
  return global_redactor().redact(text);
}

}  // namespace zkctl::util
