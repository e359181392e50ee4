#pragma once
// Keeping secrets out of everything zkctl prints or logs. A secret is the value of a
// config key that names one (see is_secret_key); a Redactor knows the values and masks
// them, and masks `key=value` lines and JAAS `password="..."` options on its own too.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zkctl::util {

// What a masked value prints as.
inline constexpr std::string_view kRedacted = "<redacted>";

// Whether a config key's value is secret: its lowercase form contains "password",
// "secret", "token" or "credential", is "sasl.jaas.config" (or ends in ".sasl.jaas.config",
// per-listener JAAS), or starts with "ssl." and contains "key" (ssl.key.password,
// ssl.keystore.*, ...).
bool is_secret_key(std::string_view key);

class Redactor {
 public:
  // Remember `value` as secret (values shorter than 4 bytes are masked only by key).
  void add_secret(std::string value);
  // add_secret for the value of every secret key in `config`.
  void add_config(const std::vector<std::pair<std::string, std::string>>& config);

  // `text` with every known secret value, the value of every `KEY=VALUE` / `KEY: VALUE`
  // line whose KEY is secret (after an optional diff marker '+', '-' or ' '), and every
  // JAAS `password="..."` replaced by kRedacted.
  std::string redact(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;  // longest first
};

// The process-wide redactor: cli fills it once the inventory is loaded; everything that
// prints (progress, verbose log, errors, audit) goes through it.
Redactor& global_redactor();
// global_redactor().redact(text).
std::string redact(std::string_view text);

}  // namespace zkctl::util
