#include "util/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace zkctl::util {

namespace {

constexpr std::size_t npos = std::string_view::npos;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != npos;
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string_view> dotted_parts(std::string_view k) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t dot = k.find('.'); dot != npos; dot = k.find('.', start)) {
    parts.push_back(k.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(k.substr(start));
  return parts;
}

// A dotted part "ssl" followed by one containing "key" (ssl.keystore.*, ssl.key.password).
bool ssl_key_material(std::string_view k) {
  const auto parts = dotted_parts(k);
  const auto ssl = std::find(parts.begin(), parts.end(), "ssl");
  return ssl != parts.end() &&
         std::any_of(ssl + 1, parts.end(), [](std::string_view p) { return contains(p, "key"); });
}

// A character of an option name (`listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config`).
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// The position of the quote `q` closing a quoted value that starts at `from` (backslash
// escapes skipped), or npos.
std::size_t closing_quote(std::string_view s, std::size_t from, char q) {
  for (std::size_t i = from; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == q) {
      return i;
    }
  }
  return npos;
}

// Append the masked form of the value starting at `vb` to `out`; where the text goes on.
// A value running to the end of `s` (unquoted, or its quote never closed) leaves it open.
std::size_t mask_value(std::string_view s, std::size_t vb, std::string& out, RedactState& st) {
  std::string_view quote;
  if (s.substr(vb).starts_with("\\\"")) {
    quote = s.substr(vb, 2);  // a JSON-escaped quote, as a JAAS value shows in JSON
  } else if (vb < s.size() && (s[vb] == '"' || s[vb] == '\'')) {
    quote = s.substr(vb, 1);
  }
  if (!quote.empty()) {
    const std::size_t from = vb + quote.size();
    const std::size_t close =
        quote.size() == 2 ? s.find(quote, from) : closing_quote(s, from, quote[0]);
    out += quote;
    out += kRedacted;
    if (close == npos) {
      st.open = true;
      return s.size();
    }
    out += quote;
    return close + quote.size();
  }
  const std::size_t end = s.find_first_of(" \t,;)]}&\"'\033", vb);
  if (end == npos) st.open = true;
  if (end == vb || vb == s.size()) return vb;
  out += kRedacted;
  return end == npos ? s.size() : end;
}

// The option name right before `sep`: for '=' the name characters before it, for ':' a
// quoted JSON member name ("name": ...); "" when there is none.
std::string_view option_name(std::string_view s, std::size_t from, std::size_t sep) {
  std::size_t e = sep;
  if (s[sep] == ':') {
    while (e > from && s[e - 1] == ' ') --e;
    if (e == from || s[e - 1] != '"') return {};
    --e;
  }
  std::size_t b = e;
  while (b > from && is_name_char(s[b - 1])) --b;
  if (s[sep] == ':' && (b == from || s[b - 1] != '"')) return {};
  return s.substr(b, e - b);
}

// Mask the value of every secret option inside a line: `name=value`, `name="..."`,
// `-Dname=value`, `name=\"...\"` and JSON `"name": "..."`.
std::string mask_options(std::string_view s, RedactState& st) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t sep = s.find_first_of("=:", i);
    if (sep == npos) break;
    const std::string_view name = option_name(s, i, sep);
    if (name.empty() || !is_secret_key(name)) {
      out += s.substr(i, sep + 1 - i);
      i = sep + 1;
      continue;
    }
    std::size_t vb = sep + 1;
    if (s[sep] == ':')
      while (vb < s.size() && s[vb] == ' ') ++vb;
    out += s.substr(i, vb - i);
    i = mask_value(s, vb, out, st);
  }
  if (i < s.size()) out += s.substr(i);
  return out;
}

// Where a "-----BEGIN ...PRIVATE KEY-----" marker starts at or after `from`; npos if none.
std::size_t private_key_begin(std::string_view s, std::size_t from) {
  for (std::size_t b = s.find("-----BEGIN ", from); b != npos; b = s.find("-----BEGIN ", b + 1)) {
    const std::size_t close = s.find("-----", b + 11);
    const std::string_view label = s.substr(b + 11, close == npos ? npos : close - b - 11);
    if (contains(label, "PRIVATE KEY")) return b;
  }
  return npos;
}

// The end of the "-----BEGIN/END ...-----" marker whose label starts at `label` (the
// line's end when the marker is not closed).
std::size_t marker_end(std::string_view s, std::size_t label) {
  const std::size_t close = s.find("-----", label);
  return close == npos ? s.size() : close + 5;
}

// Mask the body of PEM private key blocks, within the line and across lines (`st`):
// markers stay, everything between them becomes kRedacted.
std::string mask_private_keys(std::string_view s, RedactState& st) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (st.in_private_key) {
      const std::size_t end = s.find("-----END ", i);
      const std::string_view before = s.substr(i, end == npos ? npos : end - i);
      out += trim(before).size() <= 1 && before.find_first_not_of("+- \t") == npos
                 ? before  // a diff marker or indent before the END marker stays
                 : kRedacted;
      if (end == npos) return out;
      st.in_private_key = false;
      i = marker_end(s, end + 9);
      out += s.substr(end, i - end);
      continue;
    }
    const std::size_t begin = private_key_begin(s, i);
    if (begin == npos) break;
    const std::size_t body = marker_end(s, begin + 11);
    out += s.substr(i, body - i);
    st.in_private_key = true;
    i = body;
  }
  if (i < s.size()) out += s.substr(i);
  return out;
}

// Mask the value of a `[diff marker]KEY=VALUE` or `KEY: VALUE` line with a secret KEY (the
// value runs to the line's end, so it is left open). `continued`: the raw line ends in '\'.
std::string mask_key_line(std::string_view line, bool continued, RedactState& st) {
  std::size_t start = 0;
  if (!line.empty() && (line[0] == '+' || line[0] == '-' || line[0] == ' ')) start = 1;
  const std::size_t eq = line.find_first_of("=:", start);
  if (eq == npos) return std::string(line);
  // `KEY: VALUE` only with a blank after the colon ("inv.toml:3:1: error" is no key).
  if (line[eq] == ':' && eq + 1 < line.size() && line[eq + 1] != ' ' && line[eq + 1] != '\t')
    return std::string(line);
  const std::string_view key = trim(line.substr(start, eq - start));
  const bool key_like =
      std::all_of(key.begin(), key.end(), [](char c) { return is_name_char(c) || c == '"'; });
  if (key.empty() || !key_like || !is_secret_key(key)) return std::string(line);
  st.open = true;
  st.secret_continues = continued;
  if (trim(line.substr(eq + 1)).empty()) return std::string(line);
  const bool space = line[eq] == ':' || (eq + 1 < line.size() && line[eq + 1] == ' ');
  return std::string(line.substr(0, eq + 1)) + (space ? " " : "") + std::string(kRedacted);
}

// A character a cut of an over-long line never separates from its neighbour: names,
// values, base64.
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '/' || c == '=' || c == ':' || c == '\\';
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  static constexpr std::array kWords = {"password",    "passwd",      "passphrase",
                                        "secret",      "token",       "credential",
                                        "superdigest", "private.key", "privatekey"};
  for (const char* word : kWords)
    if (contains(k, word)) return true;
  if (k == "jaas.config" || k.ends_with(".jaas.config")) return true;
  if (dotted_parts(k).back().ends_with("key")) return true;
  return ssl_key_material(k);
}

void Redactor::add_secret(std::string value) {
  if (value.find('\n') != std::string::npos) {
    std::size_t start = 0;
    while (start < value.size()) {
      const std::size_t nl = std::min(value.find('\n', start), value.size());
      const std::string_view line = trim(std::string_view(value).substr(start, nl - start));
      if (line.size() >= 8 && !line.starts_with("-----")) add_secret(std::string(line));
      start = nl + 1;
    }
  }
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
    // A JAAS value's own quoted secrets, for output that shows only part of it.
    std::size_t pos = 0;
    while ((pos = value.find("=\"", pos)) != std::string::npos) {
      const std::size_t close = value.find('"', pos + 2);
      if (close == std::string::npos) break;
      RedactState st;
      const std::string option = value.substr(0, close + 1);
      if (mask_options(option, st) != option) add_secret(value.substr(pos + 2, close - pos - 2));
      pos = close + 1;
    }
  }
}

std::string Redactor::replace_known(std::string_view text) const {
  std::string s(text);
  for (const auto& secret : secrets_) {
    std::size_t pos = 0;
    while ((pos = s.find(secret, pos)) != std::string::npos) {
      s.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return s;
}

std::string Redactor::redact_line(std::string_view line, RedactState& state) const {
  state.open = false;
  const bool continued = line.ends_with('\\');
  if (state.secret_continues) {
    mask_private_keys(line, state);  // the value may end a PEM block: track it
    state.secret_continues = continued;
    state.open = true;
    return std::string(kRedacted);
  }
  std::string s = replace_known(line);
  s = mask_private_keys(s, state);
  s = mask_options(s, state);
  return mask_key_line(s, continued, state);
}

std::string Redactor::redact(std::string_view text) const {
  const std::string s = replace_known(text);
  RedactState state;
  std::string out;
  out.reserve(s.size());
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t nl = s.find('\n', start);
    const std::size_t end = nl == std::string::npos ? s.size() : nl;
    out += redact_line(std::string_view(s).substr(start, end - start), state);
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::size_t Redactor::longest_secret() const {
  return secrets_.empty() ? 0 : secrets_.front().size();
}

std::size_t Redactor::secret_straddling(std::string_view text, std::size_t pos) const {
  std::size_t first = npos;
  for (const auto& secret : secrets_) {
    const std::size_t from = pos >= secret.size() ? pos - secret.size() + 1 : 0;
    const std::size_t p = text.find(secret, from);
    if (p != npos && p < pos && p + secret.size() > pos) first = std::min(first, p);
  }
  return first;
}

RedactingStream::RedactingStream(const Redactor& redactor, std::size_t max_line)
    : redactor_(redactor), max_line_(max_line) {}

std::string RedactingStream::write(std::string_view chunk) {
  std::string out;
  std::size_t i = 0;
  while (i < chunk.size()) {
    const std::size_t nl = chunk.find('\n', i);
    if (drop_line_) {
      if (nl == npos) return out;
      drop_line_ = false;
    } else if (nl == npos) {
      pending_.append(chunk.substr(i));
      break;
    } else {
      pending_.append(chunk.substr(i, nl - i));
      out += redactor_.redact_line(pending_, state_);
      pending_.clear();
    }
    out += '\n';
    i = nl + 1;
  }
  if (pending_.size() > max_line_) out += cut_long_line();
  return out;
}

std::string RedactingStream::flush() {
  if (pending_.empty()) return {};
  std::string out = redactor_.redact_line(pending_, state_);
  pending_.clear();
  drop_line_ = state_.open;
  return out;
}

std::string RedactingStream::cut_long_line() {
  std::string out;
  while (!drop_line_ && pending_.size() > max_line_) {
    const std::size_t cut = safe_cut();
    if (cut == 0) {
      out += kRedacted;  // no safe place to cut: the rest of this line is masked
      pending_.clear();
      drop_line_ = true;
      break;
    }
    out += redactor_.redact_line(std::string_view(pending_).substr(0, cut), state_);
    pending_.erase(0, cut);
    if (state_.open) {
      pending_.clear();
      drop_line_ = true;
    }
  }
  return out;
}

std::size_t RedactingStream::safe_cut() const {
  const std::size_t hold = std::max<std::size_t>(redactor_.longest_secret(), 256);
  if (pending_.size() <= hold) return 0;
  std::size_t cut = pending_.size() - hold;
  for (bool moved = true; moved && cut > 0;) {
    moved = false;
    while (cut > 0 && is_word_char(pending_[cut - 1]) && is_word_char(pending_[cut])) {
      --cut;
      moved = true;
    }
    // Never inside or right after a PEM marker ("-----BEGIN RSA PRIVATE KEY-----").
    const std::size_t dash = cut > 0 ? pending_.rfind("-----", cut - 1) : npos;
    if (dash != npos && cut - dash < 64) {
      cut = dash;
      moved = true;
    }
    const std::size_t secret = redactor_.secret_straddling(pending_, cut);
    if (secret != npos) {
      cut = secret;
      moved = true;
    }
  }
  return cut;
}

bool holds_secret(std::string_view text) {
  static const Redactor none;
  return none.redact(text) != text;
}

Redactor& global_redactor() {
  static auto* redactor = new Redactor;  // never destroyed: exit-time writes still use it
  return *redactor;
}

std::string redact(std::string_view text) {
  return global_redactor().redact(text);
}

}  // namespace zkctl::util
