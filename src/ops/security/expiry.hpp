#pragma once
// Certificate expiry in sight: each node certificate's and each CA's days left, read from the
// hosts (remote-scripts/tls/certs.sh prints only the certificate blocks of node.pem and
// ca.pem, as root, refusing links and files others could have planted), so an operator CA's
// certificates are covered too, and compared with what this machine keeps. `status` and
// `check` show them: warn under kExpiryWarnDays, fail under kExpiryFailDays.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/context.hpp"
#include "util/color.hpp"

namespace zkctl::ops {

inline constexpr long kExpiryWarnDays = 30;
inline constexpr long kExpiryFailDays = 7;

enum class ExpiryLevel { ok, warn, fail };

// fail under kExpiryFailDays (expired included), warn under kExpiryWarnDays, else ok.
ExpiryLevel expiry_level(long days_left);
const char* to_string(ExpiryLevel level);

// One file of certs.sh's output: its path, whether it was read, and its PEM blocks in order.
struct HeldFile {
  std::string path;
  enum class State { read, absent, refused } state = State::read;
  std::vector<std::string> certs;  // one PEM block each (BEGIN..END, newline-terminated)
};

// certs.sh's output, file by file; lines outside a header's blocks are ignored.
std::vector<HeldFile> parse_held_certs(const std::string& out);

// Every certificate block of `pem`, in order (a key or other text around them dropped).
std::vector<std::string> certificate_blocks(const std::string& pem);

// One certificate's row.
struct CertExpiry {
  std::string host;     // where it was read; "" for the CA kept on this machine only
  std::string node;     // "zookeeper 1", "kafka 11", or "CA"
  std::string subject;  // RFC 2253
  std::string sha256;   // fingerprint
  long days_left = 0;
  std::string not_after;  // YYYY-MM-DD (UTC)
  ExpiryLevel level = ExpiryLevel::ok;
  std::string note;  // "differs from this machine's copy", "unreadable: ...", ...
};

struct ExpiryReport {
  std::vector<CertExpiry> rows;  // node certificates, then the CAs (one row per fingerprint)
  ExpiryLevel worst() const;
};

// What one node's held files say: its leaf (the first certificate of node.pem) and every CA
// certificate of ca.pem, against this machine's copy of its certificate (`local_leaf`, may be
// empty) and `now`. CA rows are merged by fingerprint into `report` (their host lists grow).
void add_node_expiry(ExpiryReport& report, const std::string& host, const std::string& node,
                     const std::vector<HeldFile>& held, const std::string& local_leaf,
                     std::chrono::system_clock::time_point now);

// The CA certificates kept on this machine (zkctl's own, or the operator's file), when no
// host showed them (a CA not pushed yet, or hosts down).
void add_local_ca(ExpiryReport& report, const std::string& ca_pem,
                  std::chrono::system_clock::time_point now);

// The certificates as status shows them: a table (NODE HOST DAYS EXPIRES LEVEL SUBJECT NOTE)
// and its JSON (an array of objects with those fields, days_left a number).
std::string expiry_table(const ExpiryReport& report, util::Color color);
nlohmann::json expiry_json(const ExpiryReport& report);

// Every node of a TLS cluster, read over SSH concurrently; an empty report for an open one.
ExpiryReport collect_expiry(Context& ctx);

}  // namespace zkctl::ops
