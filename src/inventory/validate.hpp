#pragma once
// Pure checks the inventory loader applies to single values, and what zkctl
// knows about zoo.cfg keys. No I/O, no TOML.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zkctl::inventory {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions),
// compared case-insensitively.
int edit_distance(std::string_view a, std::string_view b);

// Words longer than this get no "did you mean" hint (no edit distance is computed).
inline constexpr size_t kMaxHintWordLength = 64;

// The candidate closest to `word` when it is close enough to be a likely typo
// (distance 1 for candidates of up to 4 characters, else up to 2); ties go to the
// earlier candidate. Never returns `word` itself, nothing for a word longer than
// kMaxHintWordLength, and skips candidates whose length alone rules them out.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

// A host name (RFC 1123 labels, the last one not all digits), a dotted-quad IPv4
// address or an IPv6 address without brackets. Rejects everything else (spaces,
// quotes, '$', ';', a leading '-', and numeric forms inet_aton would take as an
// address, such as '0x7f.1' or '127.1').
bool is_valid_host(std::string_view host);

// A POSIX-style login name: [a-z_][a-z0-9_-]*, at most 32 characters.
bool is_valid_ssh_user(std::string_view user);

// [A-Za-z0-9_.-]+, at most 64 characters, not starting with '.' or '-' (the name
// becomes file and unit names: never '.', '..', a hidden file or an option).
bool is_valid_cluster_name(std::string_view name);

// Why the normalized absolute `dir` must not be a node's directory because it is a
// system directory ('/etc', '/usr', '/var/lib', ... themselves, or anything under
// '/proc', '/sys', '/dev'), or nullopt when it is not one.
std::optional<std::string> system_dir_problem(std::string_view dir);

// True when `text` holds a control character (below 0x20, or 0x7f).
bool has_control_char(std::string_view text);

// The four-letter words ZooKeeper 3.8/3.9 knows.
const std::vector<std::string_view>& known_four_letter_words();

// How zkctl treats a key of [zookeeper.config].
struct ZooCfgKeyInfo {
  enum class Kind {
    managed,  // zkctl writes it from other inventory settings: an error
    known,    // a documented ZooKeeper option: passed through
    unknown,  // ZooKeeper would make it a Java system property: a warning
  };
  Kind kind = Kind::unknown;
  // managed: the inventory setting to use instead; unknown: a likely intended
  // key ("" when none looks close).
  std::string hint;
};

// Classify a zoo.cfg key (case-sensitive, as ZooKeeper reads it). Managed: the keys zkctl
// writes from other settings, server.N, and the TLS and authentication keys it writes from
// [security] (ssl.*, authProvider.*, secureClientPort, serverCnxnFactory, sslQuorum, ...).
ZooCfgKeyInfo classify_zoo_cfg_key(std::string_view key);

// Every documented zoo.cfg key zkctl passes through (exact names; prefixes
// such as "metricsProvider." are accepted separately).
const std::vector<std::string_view>& known_zoo_cfg_keys();

// server.properties keys zkctl writes itself from the inventory (broker.id,
// listeners, log.dirs, zookeeper.connect, controller.quorum.voters, super.users, ...),
// exact names; the families ssl.*, sasl.*, listener.name.* and zookeeper.ssl.* (written
// from [security]) are managed too, and only kafka_managed_key_hint() knows them.
const std::vector<std::string_view>& kafka_managed_keys();

// For a key of kafka_managed_keys() or of a managed family: what to set in the inventory
// instead, as a clause ("set kafka.log_dirs (or a node's log_dirs) instead"); nullopt
// otherwise.
std::optional<std::string> kafka_managed_key_hint(std::string_view key);

// A Kafka cluster id as `kafka-storage.sh random-uuid` prints it: 22 base64url
// characters encoding 16 bytes (canonically: the last one is A, Q, g or w), and
// not one of Kafka's reserved ids (all zero, or the metadata topic's ...AQ).
bool is_valid_kafka_cluster_id(std::string_view id);

// Why `chroot` is not a usable ZooKeeper chroot for Kafka's zookeeper.connect,
// or nullopt when it is: it must start with '/', hold only [A-Za-z0-9_./-], have
// no empty, "." or ".." component, no trailing '/', and not be '/' or under /zookeeper.
std::optional<std::string> zookeeper_chroot_problem(std::string_view chroot);

}  // namespace zkctl::inventory
