#pragma once
// Keeping secrets out of everything zkctl prints or logs. A secret is the value of a
// config key that names one (see is_secret_key); a Redactor knows the values and masks
// them, and on its own masks `key=value` lines, options such as JAAS `password="..."` or
// `-D...superDigest=...` and PEM private key blocks. Text arriving in pieces goes through a
// RedactingStream, which redacts whole lines however the pieces are cut.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zkctl::util {

// What a masked value prints as.
inline constexpr std::string_view kRedacted = "<redacted>";

// Whether a config key's value is secret (key material, a password or a digest). Its
// lowercase form contains "password", "passwd", "passphrase", "secret", "token",
// "credential", "superdigest" or "private.key"/"privatekey"; or ends in "jaas.config"
// (sasl.jaas.config, per listener too); or its last dotted part ends in "key"
// (ssl.keystore.key, listener.name.*.ssl.keystore.key); or a dotted part "ssl" is followed by
// one containing "key" (ssl.key.password, ssl.keystore.*, zookeeper.ssl.keyStore.*, ...).
// Not secret: ssl.truststore.certificates, ssl.protocol, digest.enabled, tickTime.
bool is_secret_key(std::string_view key);

// What one line leaves open for the lines after it in a stream.
struct RedactState {
  bool in_private_key = false;    // between "-----BEGIN ...PRIVATE KEY-----" and "-----END"
  bool secret_continues = false;  // the last line was a secret `key=value` ending in '\'
  bool open = false;              // set per line: the line's end lies inside a masked value
};

class Redactor {
 public:
  // Remember `value` as secret (values shorter than 4 bytes are masked only by key). Each
  // line of a multi-line value is remembered too (when 8 bytes or longer), so a value
  // printed across several writes is masked line by line.
  void add_secret(std::string value);
  // add_secret for the value of every secret key in `config`.
  void add_config(const std::vector<std::pair<std::string, std::string>>& config);

  // `text` with every known secret value, the value of every `KEY=VALUE` / `KEY: VALUE`
  // line whose KEY is secret (after an optional diff marker '+', '-' or ' '), every secret
  // option inside a line (`name=value`, `name="..."`, `"name": "..."`, `-Dname=value`) and
  // the body of every PEM private key block replaced by kRedacted.
  std::string redact(std::string_view text) const;

  // One line of a stream (no '\n'), redacted as redact() would, given and updating what the
  // lines before left open in `state`.
  std::string redact_line(std::string_view line, RedactState& state) const;

  // The length of the longest known secret (0 if none).
  std::size_t longest_secret() const;
  // Whether `text` holds a known secret starting before `pos` and ending after it; if so,
  // where the first such secret starts.
  std::size_t secret_straddling(std::string_view text, std::size_t pos) const;

 private:
  std::string replace_known(std::string_view text) const;
  std::vector<std::string> secrets_;  // longest first
};

// Whether `text` holds anything redact() masks without knowing a value: a secret key's
// value, a secret option or a PEM private key.
bool holds_secret(std::string_view text);

// Redacts text that arrives in pieces (writes of any size) on whole lines: a line is
// redacted once its '\n' arrives, or when flushed. A line longer than `max_line` is cut at
// a point no secret, word or PEM marker spans; where its head leaves a secret value open,
// the rest of that line is dropped (it is part of the value).
class RedactingStream {
 public:
  static constexpr std::size_t kMaxLine = std::size_t{1} << 20;

  explicit RedactingStream(const Redactor& redactor, std::size_t max_line = kMaxLine);
  // What may be written out for `chunk`: every line it completes, redacted.
  std::string write(std::string_view chunk);
  // The partial line held back, redacted (before a prompt is answered, at exit, on error).
  std::string flush();

 private:
  std::string cut_long_line();
  std::size_t safe_cut() const;

  const Redactor& redactor_;
  std::size_t max_line_;
  std::string pending_;     // the line so far, not yet redacted
  RedactState state_;       // what earlier lines left open
  bool drop_line_ = false;  // the rest of the current line is part of a masked value
};

// The process-wide redactor: cli fills it once the inventory is loaded; everything that
// prints (progress, verbose log, errors, audit) goes through it. Never destroyed, so
// output written while the process exits is still redacted.
Redactor& global_redactor();
// global_redactor().redact(text).
std::string redact(std::string_view text);

}  // namespace zkctl::util
