#include "inventory/validate.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

namespace zkctl::inventory {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// What zoo.cfg's TLS and authentication keys come from.
constexpr std::string_view kZooKeeperSecurityHint = "[security] (tls, authentication)";

// Keys zkctl writes itself, with the inventory setting that controls each.
const std::vector<std::pair<std::string_view, std::string_view>>& managed_keys() {
  static const std::vector<std::pair<std::string_view, std::string_view>> keys = {
      {"dataDir", "zookeeper.data_dir (or a server's data_dir)"},
      {"dataLogDir", "zookeeper.data_log_dir (or a server's data_log_dir)"},
      {"clientPort", "zookeeper.client_port (or a server's client_port)"},
      {"tickTime", "zookeeper.tick_time"},
      {"initLimit", "zookeeper.init_limit"},
      {"syncLimit", "zookeeper.sync_limit"},
      {"peerType", "role in [[zookeeper.servers]]"},
      {"4lw.commands.whitelist", "zookeeper.four_letter_words, which adds words to zkctl's own"},
      {"admin.enableServer", "zookeeper.admin_port (0 turns the AdminServer off)"},
      {"admin.serverPort", "zookeeper.admin_port (or a server's admin_port)"},
      {"dynamicConfigFile", "[[zookeeper.servers]]: zkctl writes a static server list"},
      {"secureClientPort", kZooKeeperSecurityHint},
      {"serverCnxnFactory", kZooKeeperSecurityHint},
      {"sslQuorum", kZooKeeperSecurityHint},
      {"sslQuorumReloadCertFiles", kZooKeeperSecurityHint},
      {"client.certReload", kZooKeeperSecurityHint},
      {"portUnification", kZooKeeperSecurityHint},
      {"client.portUnification", kZooKeeperSecurityHint},
  };
  return keys;
}

// zoo.cfg key families zkctl writes from [security]: ssl.* (ssl.quorum.* too) and the
// authentication providers.
constexpr std::string_view kZooKeeperSecurityPrefixes[] = {"ssl.", "authProvider."};

// What to set instead of a Kafka TLS, SASL or ACL key.
constexpr std::string_view kSecurityHint =
    "set [security] (tls, authentication, authorization, [[security.users]]) instead";

// server.properties keys zkctl writes itself, with what to set instead.
const std::vector<std::pair<std::string_view, std::string_view>>& kafka_managed_key_hints() {
  static const std::vector<std::pair<std::string_view, std::string_view>> keys = {
      {"broker.id", "set id in [[kafka.nodes]] instead"},
      {"node.id", "set id in [[kafka.nodes]] instead"},
      {"process.roles", "set roles in [[kafka.nodes]] instead"},
      {"listeners",
       "zkctl writes its listeners CLIENT, INTERNAL and CONTROLLER (TLS and SASL from "
       "[security]); set kafka.listener_port, kafka.internal_port and kafka.controller_port (or "
       "a node's) instead"},
      {"advertised.listeners",
       "set host, listener_port and internal_port in [[kafka.nodes]] (or kafka.listener_port, "
       "kafka.internal_port) instead"},
      {"listener.security.protocol.map",
       "zkctl names its listeners CLIENT, INTERNAL and CONTROLLER and takes their TLS and SASL "
       "from [security]; set [security] and kafka.listener_port / kafka.internal_port / "
       "kafka.controller_port instead"},
      {"controller.listener.names",
       "zkctl names its controller listener CONTROLLER; set kafka.controller_port instead"},
      {"inter.broker.listener.name",
       "brokers talk on zkctl's INTERNAL listener (CLIENT in an open cluster); set "
       "kafka.internal_port and [security] instead"},
      {"controller.quorum.voters",
       "set roles = [\"controller\"] (or [\"broker\", \"controller\"]) and controller_port in "
       "[[kafka.nodes]] instead"},
      {"controller.quorum.bootstrap.servers",
       "set roles = [\"controller\"] (or [\"broker\", \"controller\"]) and controller_port in "
       "[[kafka.nodes]] instead"},
      {"log.dirs", "set kafka.log_dirs (or a node's log_dirs) instead"},
      {"broker.rack", "set rack in each [[kafka.nodes]] entry instead"},
      {"log.dir", "set kafka.log_dirs (or a node's log_dirs) instead"},
      {"zookeeper.connect", "set [[zookeeper.servers]] and kafka.zookeeper_chroot instead"},
      {"authorizer.class.name", kSecurityHint},
      {"super.users", kSecurityHint},
      {"allow.everyone.if.no.acl.found", kSecurityHint},
      {"zookeeper.set.acl", kSecurityHint},
      {"zookeeper.clientCnxnSocket", kSecurityHint},
      {"security.inter.broker.protocol", kSecurityHint},
  };
  return keys;
}

// server.properties key families zkctl writes from [security] (TLS, SASL, per-listener
// settings, brokers to ZooKeeper over TLS), in every mode.
constexpr std::string_view kKafkaSecurityPrefixes[] = {"ssl.", "sasl.", "listener.name.",
                                                       "zookeeper.ssl."};

// Managed key prefixes: server.N lines come from [[zookeeper.servers]].
constexpr std::string_view kManagedServerPrefix = "server.";

// Option families whose members are open-ended (provider-specific, per id, ...).
constexpr std::string_view kKnownPrefixes[] = {"admin.", "metricsProvider.", "group.", "weight."};

// Documented zoo.cfg keys zkctl passes through (not the TLS ones it writes from [security]).
constexpr std::string_view kKnownKeys[] = {
    // ZooKeeper Administrator's Guide (3.8/3.9): advanced configuration.
    "observerMasterPort",
    "globalOutstandingLimit",
    "preAllocSize",
    "snapCount",
    "commitLogCount",
    "snapSizeLimitInKb",
    "txnLogSizeLimitInKb",
    "maxCnxns",
    "maxClientCnxns",
    "clientPortAddress",
    "minSessionTimeout",
    "maxSessionTimeout",
    "fsync.warningthresholdms",
    "maxResponseCacheSize",
    "maxGetChildrenResponseCacheSize",
    "autopurge.snapRetainCount",
    "autopurge.purgeInterval",
    "syncEnabled",
    "extendedTypesEnabled",
    "emulate353TTLNodes",
    "watchManagerName",
    "watcherCleanThreadsNum",
    "watcherCleanThreshold",
    "watcherCleanIntervalInSeconds",
    "maxInProcessingDeadWatchers",
    "bitHashCacheSize",
    "fastleader.minNotificationInterval",
    "fastleader.maxNotificationInterval",
    "connectionMaxTokens",
    "connectionTokenFillTime",
    "connectionTokenFillCount",
    "connectionFreezeTime",
    "connectionDropIncrease",
    "connectionDropDecrease",
    "connectionDecreaseRatio",
    "connection_throttle_weight_enabled",
    "connection_throttle_global_session_weight",
    "connection_throttle_local_session_weight",
    "connection_throttle_renew_session_weight",
    "clientPortListenBacklog",
    "flushDelay",
    "maxWriteQueuePollTime",
    "maxBatchSize",
    "requestThrottleLimit",
    "requestThrottleStallTime",
    "requestThrottleDropStale",
    "requestStaleLatencyCheck",
    "requestStaleConnectionCheck",
    "request_throttler.shutdownTimeout",
    "advancedFlowControlEnabled",
    "enableEagerACLCheck",
    "maxConcurrentSnapSyncs",
    "maxConcurrentDiffSyncs",
    "digest.enabled",
    "snapshot.trust.empty",
    "snapshot.compression.method",
    "audit.enable",
    "audit.impl.class",
    "largeRequestMaxBytes",
    "largeRequestThreshold",
    "netty.server.outstandingHandshake.limit",
    "throttledOpWaitTime",
    "learner.closeSocketAsync",
    "leader.closeSocketAsync",
    "learner.asyncSending",
    // Cluster options.
    "electionAlg",
    "maxTimeToWaitForEpoch",
    "connectToLearnerMasterLimit",
    "leaderServes",
    "cnxTimeout",
    "quorumCnxnTimeoutMs",
    "standaloneEnabled",
    "reconfigEnabled",
    "tcpKeepAlive",
    "clientTcpKeepAlive",
    "electionPortBindRetry",
    "observer.reconnectDelayMs",
    "observer.election.DelayMs",
    "localSessionsEnabled",
    "localSessionsUpgradingEnabled",
    // Encryption, authentication, authorization.
    "DigestAuthenticationProvider.superDigest",
    "DigestAuthenticationProvider.digestAlg",
    "X509AuthenticationProvider.superUser",
    "superUser",
    "ensembleAuthName",
    "sessionRequireClientSASLAuth",
    "allowSaslFailedClients",
    "enforce.auth.enabled",
    "enforce.auth.schemes",
    "kerberos.removeHostFromPrincipal",
    "kerberos.removeRealmFromPrincipal",
    "kerberos.canonicalizeHostNames",
    "multiAddress.enabled",
    "multiAddress.reachabilityCheckTimeoutMs",
    "multiAddress.reachabilityCheckEnabled",
    "quorum.auth.enableSasl",
    "quorum.auth.learnerRequireSasl",
    "quorum.auth.serverRequireSasl",
    "quorum.auth.learner.saslLoginContext",
    "quorum.auth.server.saslLoginContext",
    "quorum.auth.kerberos.servicePrincipal",
    "quorum.cnxn.threads.size",
    // Experimental, unsafe, start-up and performance options.
    "readonlymode.enabled",
    "forceSync",
    "jute.maxbuffer",
    "jute.maxbuffer.extrasize",
    "skipACL",
    "quorumListenOnAllIPs",
    "datadir.autocreate",
    "db.autocreate",
    "nio.numSelectorThreads",
    "nio.numWorkerThreads",
    "nio.directBufferBytes",
    "nio.shutdownTimeout",
    "commitProcessor.numWorkerThreads",
    "commitProcessor.maxReadBatchSize",
    "commitProcessor.maxCommitBatchSize",
    "commitProcessor.shutdownTimeout",
    "znode.container.checkIntervalMs",
    "znode.container.maxPerMinute",
    "znode.container.maxNeverUsedIntervalMs",
    "messageTracker.BufferSize",
    "messageTracker.Enabled",
    // AdminServer and metrics members most often set (the families are open).
    "admin.serverAddress",
    "admin.idleTimeout",
    "admin.commandURL",
    "admin.portUnification",
    "metricsProvider.className",
    "metricsProvider.httpHost",
    "metricsProvider.httpPort",
    "metricsProvider.exportJvmInfo",
};
}  // namespace

int edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates) {
  std::optional<std::string> best;
  if (word.size() > kMaxHintWordLength) return best;
  int best_distance = 1 << 30;
  for (std::string_view c : candidates) {
    if (c == word) continue;
    const int limit = c.size() <= 4 ? 1 : 2;
    const size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap > static_cast<size_t>(limit)) continue;  // at least `gap` edits apart
    const int dist = edit_distance(word, c);
    if (dist <= limit && dist < best_distance) {
      best = std::string(c);
      best_distance = dist;
    }
  }
  return best;
}

bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host)
    if (!is_alnum(c) && c != '-' && c != '.' && c != ':') return false;
  const std::string copy(host);
  if (host.find(':') != std::string_view::npos) {
    in6_addr addr{};
    return inet_pton(AF_INET6, copy.c_str(), &addr) == 1;
  }
  if (std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; })) {
    in_addr addr{};
    return inet_pton(AF_INET, copy.c_str(), &addr) == 1;
  }
  // inet_aton (and so the resolver) reads '0x7f.1' or '0x7f000001' as an address.
  if (in_addr addr{}; inet_aton(copy.c_str(), &addr) != 0) return false;
  // RFC 3696: a top-level label is never all digits ('a.123' is no name).
  const std::string_view last = host.substr(host.rfind('.') + 1);
  if (!last.empty() && std::all_of(last.begin(), last.end(), is_digit)) return false;
  // Host name: dot-separated labels of 1..63 letters, digits and inner hyphens.
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    start = end + 1;
  }
  return true;
}

bool is_valid_ssh_user(std::string_view user) {
  if (user.empty() || user.size() > 32) return false;
  if (!(std::islower(static_cast<unsigned char>(user[0])) || user[0] == '_')) return false;
  return std::all_of(user.begin(), user.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
  });
}

bool is_valid_cluster_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::optional<std::string> system_dir_problem(std::string_view dir) {
  // clang-format off
  static constexpr std::string_view kSystemDirs[] = {
      "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
      "/lost+found", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/snap",
      "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/games", "/usr/include", "/usr/lib",
      "/usr/lib32", "/usr/lib64", "/usr/libexec", "/usr/local", "/usr/local/bin",
      "/usr/local/lib", "/usr/local/sbin", "/usr/local/share", "/usr/sbin", "/usr/share",
      "/usr/src", "/var", "/var/backups", "/var/cache", "/var/lib", "/var/local", "/var/lock",
      "/var/log", "/var/mail", "/var/opt", "/var/run", "/var/spool", "/var/tmp"};
  // clang-format on
  for (std::string_view s : kSystemDirs)
    if (dir == s) return "is a system directory";
  for (std::string_view s : {"/proc/", "/sys/", "/dev/"})
    if (starts_with(dir, s)) return "lies in the kernel's " + std::string(s) + " tree";
  return std::nullopt;
}

bool has_control_char(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

const std::vector<std::string_view>& known_four_letter_words() {
  static const std::vector<std::string_view> words = {
      "conf", "cons", "crst", "dump", "envi", "ruok", "srst", "srvr", "stat",
      "wchs", "wchc", "dirs", "wchp", "mntr", "isro", "hash", "gtmk", "stmk"};
  return words;
}

const std::vector<std::string_view>& known_zoo_cfg_keys() {
  static const std::vector<std::string_view> keys(std::begin(kKnownKeys), std::end(kKnownKeys));
  return keys;
}

ZooCfgKeyInfo classify_zoo_cfg_key(std::string_view key) {
  using Kind = ZooCfgKeyInfo::Kind;
  for (const auto& [name, setting] : managed_keys())
    if (key == name) return {Kind::managed, std::string(setting)};
  if (starts_with(key, kManagedServerPrefix)) return {Kind::managed, "[[zookeeper.servers]]"};
  for (std::string_view prefix : kZooKeeperSecurityPrefixes)
    if (starts_with(key, prefix)) return {Kind::managed, std::string(kZooKeeperSecurityHint)};

  const auto& known = known_zoo_cfg_keys();
  if (std::find(known.begin(), known.end(), key) != known.end()) return {Kind::known, ""};
  for (std::string_view prefix : kKnownPrefixes)
    if (starts_with(key, prefix) && key.size() > prefix.size()) return {Kind::known, ""};

  // ZooKeeper itself prepends "zookeeper." to keys it does not parse.
  constexpr std::string_view kSysPropPrefix = "zookeeper.";
  if (starts_with(key, kSysPropPrefix)) {
    const std::string_view rest = key.substr(kSysPropPrefix.size());
    if (classify_zoo_cfg_key(rest).kind == Kind::known) return {Kind::unknown, std::string(rest)};
  }
  std::vector<std::string_view> candidates = known;
  for (const auto& [name, setting] : managed_keys()) candidates.push_back(name);
  return {Kind::unknown, closest_match(key, candidates).value_or("")};
}

const std::vector<std::string_view>& kafka_managed_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out;
    for (const auto& [key, hint] : kafka_managed_key_hints()) out.push_back(key);
    return out;
  }();
  return keys;
}

std::optional<std::string> kafka_managed_key_hint(std::string_view key) {
  for (const auto& [name, hint] : kafka_managed_key_hints())
    if (key == name) return std::string(hint);
  for (std::string_view prefix : kKafkaSecurityPrefixes)
    if (starts_with(key, prefix)) return std::string(kSecurityHint);
  return std::nullopt;
}

bool is_valid_kafka_cluster_id(std::string_view id) {
  constexpr size_t kLength = 22;  // 16 bytes in unpadded base64url
  if (id.size() != kLength) return false;
  const bool charset_ok = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
  });
  if (!charset_ok) return false;
  // Kafka never generates one starting with '-': its tools would read it as an option.
  if (id.front() == '-') return false;
  // The last character carries 2 bits of the 16th byte and 4 zero bits.
  if (std::string_view("AQgw").find(id.back()) == std::string_view::npos) return false;
  // Uuid.ZERO_UUID and Uuid.METADATA_TOPIC_ID: Kafka refuses both as a cluster id.
  return id != "AAAAAAAAAAAAAAAAAAAAAA" && id != "AAAAAAAAAAAAAAAAAAAAAQ";
}

std::optional<std::string> zookeeper_chroot_problem(std::string_view chroot) {
  if (chroot.empty() || chroot.front() != '/') return "must start with '/'";
  if (chroot == "/") return "must name a znode below the root, not '/' itself";
  for (char c : chroot)
    if (!is_alnum(c) && c != '_' && c != '.' && c != '/' && c != '-')
      return "may contain only letters, digits, '_', '.', '-' and '/'";
  if (chroot.back() == '/') return "must not end with '/'";
  size_t start = 1;
  while (start <= chroot.size()) {
    size_t end = chroot.find('/', start);
    if (end == std::string_view::npos) end = chroot.size();
    const std::string_view part = chroot.substr(start, end - start);
    if (part.empty()) return "must not contain an empty path component ('//')";
    if (part == "." || part == "..") return "must not contain a '.' or '..' component";
    start = end + 1;
  }
  if (chroot == "/zookeeper" || starts_with(chroot, "/zookeeper/"))
    return "must not be under /zookeeper, which ZooKeeper reserves";
  return std::nullopt;
}

}  // namespace zkctl::inventory
