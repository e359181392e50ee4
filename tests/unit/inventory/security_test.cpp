// Loading [security] and [[security.users]], and Kafka's INTERNAL listener port: the
// model, and every error and warning with its exact file:line:col.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inventory/load.hpp"
#include "inventory/validate.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

namespace fs = std::filesystem;
using namespace test;  // inventory_builder.hpp

// Three ZooKeeper voters a, b, c and three brokers 11..13 on them (zookeeper mode).
const Lines& kZk = test::kThreeVotersThreeBrokers;

// kZk with `security` (its own lines, "[security]" first) appended at line 25.
Lines with_security(const Lines& security) {
  return insert_after(kZk, 24, security);
}

// The open table, lines 25..28.
const Lines kOpen = {"[security]", "tls = false", "authentication = \"none\"",
                     "authorization = false"};

const char* const kOpenWarning =
    "[security] is open: no TLS, no authentication, no authorization (every client can read and "
    "change everything)";

class SecurityTest : public test::InventoryTest {
 protected:
  // A file `name` in the temp dir holding `text`, with `mode`; its absolute path.
  std::string file(const std::string& name, const std::string& text, mode_t mode) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
    return p.string();
  }
};

// ---- defaults and the model ---------------------------------------------------

TEST_F(SecurityTest, AbsentTableMeansSecureDefaults) {
  const LoadResult r = load(kZk);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const SecuritySettings& s = r.cluster->security;
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(s.authentication, Authentication::scram);
  EXPECT_TRUE(s.authorization);
  EXPECT_EQ(s.ca_cert, "");
  EXPECT_EQ(s.ca_key, "");
  EXPECT_EQ(s.key_type, KeyType::ec_p256);
  EXPECT_EQ(s.cert_days, 730);
  EXPECT_TRUE(s.users.empty());
  EXPECT_EQ(s.pos.line, 0);
  EXPECT_FALSE(s.open());
  for (const KafkaNode& n : r.cluster->kafka_nodes) EXPECT_EQ(n.internal_port, 9094);
}

TEST_F(SecurityTest, EveryKeyIsRead) {
  const std::string cert = file("ca.crt", "CERT", 0644);
  const std::string key = file("ca.key", "KEY", 0600);
  const LoadResult r = load(with_security({
      "[security]",                   // 25
      "tls = true",                   // 26
      "authentication = \"mtls\"",    // 27
      "authorization = true",         // 28
      "ca_cert = \"ca.crt\"",         // 29
      "ca_key = \"ca.key\"",          // 30
      "key_type = \"rsa\"",           // 31
      "cert_days = 365",              // 32
      "[[security.users]]",           // 33
      "name = \"orders-app\"",        // 34
      "read = [\"orders.\", \"*\"]",  // 35
      "write = [\"orders.\"]",        // 36
      "groups = [\"orders-\"]",       // 37
      "[[security.users]]",           // 38
      "name = \"Audit_1.x\"",         // 39
  }));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const SecuritySettings& s = r.cluster->security;
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(s.authentication, Authentication::mtls);
  EXPECT_TRUE(s.authorization);
  EXPECT_EQ(s.ca_cert, cert);
  EXPECT_EQ(s.ca_key, key);
  EXPECT_EQ(s.ca_pos.line, 29);
  EXPECT_EQ(s.ca_pos.col, 11);
  EXPECT_EQ(s.key_type, KeyType::rsa_3072);
  EXPECT_EQ(s.cert_days, 365);
  EXPECT_EQ(s.pos.line, 25);
  ASSERT_EQ(s.users.size(), 2u);
  EXPECT_EQ(s.users[0].name, "orders-app");
  EXPECT_EQ(s.users[0].password_file, "");
  EXPECT_EQ(s.users[0].read, (std::vector<std::string>{"orders.", "*"}));
  EXPECT_EQ(s.users[0].write, std::vector<std::string>{"orders."});
  EXPECT_EQ(s.users[0].groups, std::vector<std::string>{"orders-"});
  EXPECT_EQ(s.users[0].pos.line, 33);
  EXPECT_EQ(s.users[1].name, "Audit_1.x");
  EXPECT_TRUE(s.users[1].read.empty());
  EXPECT_EQ(s.users[1].pos.line, 38);
}

TEST_F(SecurityTest, ScramUserKeepsOnlyThePathOfItsPasswordFile) {
  const std::string pw = file("app.pw", "s3cret-Pa55", 0600);
  const LoadResult r = load(with_security(
      {"[security]", "[[security.users]]", "name = \"app\"", "password_file = \"app.pw\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  ASSERT_EQ(r.cluster->security.users.size(), 1u);
  EXPECT_EQ(r.cluster->security.users[0].password_file, pw);
  for (const Diagnostic& d : r.diagnostics) EXPECT_EQ(d.message.find("s3cret"), std::string::npos);
}

TEST_F(SecurityTest, PasswordFileExpandsTilde) {
  const std::string pw = file("home.pw", "pw", 0400);
  ::setenv("HOME", dir_.c_str(), 1);
  const LoadResult r = load(with_security(
      {"[security]", "[[security.users]]", "name = \"app\"", "password_file = \"~/home.pw\""}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->security.users.at(0).password_file, pw);
}

TEST_F(SecurityTest, KafkaExampleIsSecureByDefault) {
  const fs::path file =
      fs::path(ZKCTL_SOURCE_ROOT) / "inventories" / "examples" / "kafka-kraft.toml";
  touch(dir_ / "dist" / "kafka_2.13-4.0.0.tgz");
  ::setenv("HOME", "/home/op", 1);
  const LoadResult r = load_string(read_text(file), "kafka-kraft.toml", dir_.string());
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const Cluster& c = *r.cluster;
  EXPECT_FALSE(c.security.open());
  EXPECT_EQ(c.security.authentication, Authentication::scram);
  EXPECT_EQ(c.security.pos.line, 0);  // its [security] table is a comment
  ASSERT_EQ(c.kafka_nodes.size(), 6u);
  EXPECT_EQ(c.brokers().size(), 3u);
  for (const KafkaNode* b : c.brokers()) EXPECT_EQ(b->internal_port, 9094);
  // Uncommented, the [security] example is valid too (its files aside).
  std::string text = read_text(file);
  for (const char* key :
       {"[security]", "tls =", "authentication =", "authorization =", "key_type =", "cert_days =",
        "[[security.users]]", "name = \"orders", "read =", "write =", "groups ="}) {
    const auto at = text.find(std::string("# ") + key);
    ASSERT_NE(at, std::string::npos) << key;
    text.erase(at, 2);
  }
  const LoadResult u = load_string(text, "kafka-kraft.toml", dir_.string());
  ASSERT_TRUE(u.cluster.has_value()) << dump(u);
  EXPECT_TRUE(u.diagnostics.empty()) << dump(u);
  ASSERT_EQ(u.cluster->security.users.size(), 1u);
  EXPECT_EQ(u.cluster->security.users[0].name, "orders-app");
}

// ---- the valid combinations and their warnings --------------------------------

TEST_F(SecurityTest, OpenClusterWarnsAndHasNoInternalListener) {
  const LoadResult r = load(with_security(kOpen));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasWarnings(r, {std::string("inv.toml:25:1: warning: ") + kOpenWarning}));
  EXPECT_TRUE(r.cluster->security.open());
  for (const KafkaNode& n : r.cluster->kafka_nodes) {
    EXPECT_EQ(n.internal_port, 0);
    ASSERT_EQ(n.used_ports().size(), 1u);
    EXPECT_EQ(n.used_ports()[0].key, "listener_port");
  }
}

TEST_F(SecurityTest, TlsWithoutAuthenticationWarns) {
  const LoadResult r = load(with_security(
      {"[security]", "tls = true", "authentication = \"none\"", "authorization = false"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasWarnings(
      r, {"inv.toml:27:18: warning: security.authentication = \"none\": connections are encrypted "
          "but no client is authenticated (every client can read and change everything)"}));
  EXPECT_EQ(r.cluster->kafka_nodes[0].internal_port, 9094);  // not open: INTERNAL stays
}

TEST_F(SecurityTest, AuthenticationWithoutAuthorizationIsValid) {
  const LoadResult r = load(with_security({"[security]", "authorization = false"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
}

TEST_F(SecurityTest, AZooKeeperOnlyInventoryMayBeOpen) {
  const LoadResult r = load(insert_after(test::kThreeVoters, 13, kOpen));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasWarnings(r, {std::string("inv.toml:14:1: warning: ") + kOpenWarning}));
}

// ---- combination errors ----------------------------------------------------------

TEST_F(SecurityTest, AuthenticationNeedsTls) {
  // tls = false alone: the default "scram" needs TLS, reported at tls.
  LoadResult r = load(with_security({"[security]", "tls = false", "authorization = false"}));
  EXPECT_TRUE(HasOnlyError(
      r,
      "inv.toml:26:7: error: security.tls = false needs security.authentication = \"none\" "
      "(the default, \"scram\", needs TLS: servers authenticate each other with their "
      "certificates)"));
  // An authentication set explicitly is the key that asks for TLS.
  r = load(with_security({"[security]", "tls = false", "authentication = \"mtls\""}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:27:18: error: security.authentication = \"mtls\" needs "
                           "security.tls = true (servers authenticate each other with their "
                           "certificates)"));
}

TEST_F(SecurityTest, AuthorizationNeedsAuthentication) {
  // authentication = "none" alone: authorization is on by default.
  LoadResult r = load(with_security({"[security]", "authentication = \"none\""}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:26:18: error: security.authentication = \"none\" needs "
                           "security.authorization = false (authorization, on by default, needs "
                           "authenticated clients)"));
  r = load(with_security(
      {"[security]", "tls = false", "authentication = \"none\"", "authorization = true"}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:28:17: error: security.authorization = true needs "
                           "security.authentication \"scram\" or \"mtls\" (without "
                           "authentication every client is User:ANONYMOUS)"));
}

// ---- values of [security] --------------------------------------------------------

TEST_F(SecurityTest, WrongValuesAreReportedWhereTheyAre) {
  const LoadResult r = load(with_security({
      "[security]",                  // 25
      "tls = \"yes\"",               // 26
      "authentication = \"scarm\"",  // 27
      "authorization = 1",           // 28
      "key_type = \"dsa\"",          // 29
      "cert_days = 826",             // 30
      "cipher = \"x\"",              // 31
  }));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:26:7: error: security.tls: expected a boolean (true or false), got a string",
          "inv.toml:27:18: error: security.authentication: 'scarm' is not an authentication; "
          "expected 'scram', 'mtls' or 'none'; did you mean 'scram'?",
          "inv.toml:28:17: error: security.authorization: expected a boolean (true or false), got "
          "an integer",
          "inv.toml:29:12: error: security.key_type: 'dsa' is not a key type; expected 'ec' "
          "(P-256) or 'rsa' (3072 bits); did you mean 'rsa'?",
          "inv.toml:30:13: error: security.cert_days: 826 is outside 1..825",
          "inv.toml:31:1: error: unknown key 'cipher' in [security]"}));
  EXPECT_FALSE(r.cluster.has_value());
  EXPECT_TRUE(HasOnlyError(load(with_security({"[security]", "cert_days = 0"})),
                           "inv.toml:26:13: error: security.cert_days: 0 is outside 1..825"));
  EXPECT_TRUE(HasOnlyError(load(with_security({"[security]", "authorisation = false"})),
                           "inv.toml:26:1: error: unknown key 'authorisation' in [security]; did "
                           "you mean 'authorization'?"));
  EXPECT_TRUE(HasOnlyError(load(insert_after(kZk, 0, {"security = 1"})),
                           "inv.toml:1:12: error: security: expected a table, got an integer"));
}

TEST_F(SecurityTest, OperatorCaNeedsBothFiles) {
  file("ca.crt", "CERT", 0644);
  file("ca.key", "KEY", 0600);
  EXPECT_TRUE(HasOnlyError(load(with_security({"[security]", "ca_cert = \"ca.crt\""})),
                           "inv.toml:26:11: error: security.ca_cert: set without security.ca_key; "
                           "set both (the operator's CA) or neither (zkctl's own CA)"));
  EXPECT_TRUE(HasOnlyError(load(with_security({"[security]", "ca_key = \"ca.key\""})),
                           "inv.toml:26:10: error: security.ca_key: set without security.ca_cert; "
                           "set both (the operator's CA) or neither (zkctl's own CA)"));
}

TEST_F(SecurityTest, OperatorCaFilesMustExistAndTheKeyBePrivate) {
  file("ca.crt", "CERT", 0644);
  file("ca.key", "KEY", 0640);
  fs::create_directories(dir_ / "cadir");
  const std::string key = (dir_ / "ca.key").string();
  LoadResult r =
      load(with_security({"[security]", "ca_cert = \"nope.crt\"", "ca_key = \"ca.key\""}));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:26:11: error: security.ca_cert: file '" + (dir_ / "nope.crt").string() +
              "' does not exist",
          "inv.toml:27:10: error: security.ca_key: '" + key +
              "' is readable or writable by group or others (mode 0640); make it its owner's only "
              "(chmod 600)"}));
  ::chmod(key.c_str(), 0604);
  r = load(with_security({"[security]", "ca_cert = \"cadir\"", "ca_key = \"ca.key\""}));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:26:11: error: security.ca_cert: '" + (dir_ / "cadir").string() +
              "' is not a regular file",
          "inv.toml:27:10: error: security.ca_key: '" + key +
              "' is readable or writable by group or others (mode 0604); make it its owner's only "
              "(chmod 600)"}));
  EXPECT_TRUE(HasErrors(load(with_security({"[security]", "ca_cert = \"\"", "ca_key = \"\""})),
                        {"inv.toml:26:11: error: security.ca_cert: must not be empty",
                         "inv.toml:27:10: error: security.ca_key: must not be empty"}));
}

TEST_F(SecurityTest, LocalFilesUncheckedSkipsTheFiles) {
  const LoadResult r = load_string(
      join(with_security({"[security]", "ca_cert = \"nope.crt\"", "ca_key = \"nope.key\"",
                          "[[security.users]]", "name = \"app\"", "password_file = \"nope.pw\""})),
      "inv.toml", dir_.string(), LocalFiles::unchecked);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->security.ca_key, (dir_ / "nope.key").string());
}

// ---- [[security.users]] ---------------------------------------------------------

TEST_F(SecurityTest, UserNamesAreRequiredValidUniqueAndNotZkctls) {
  const LoadResult r = load(with_security({
      "[security]",                               // 25
      "[[security.users]]",                       // 26
      "read = [\"t\"]",                           // 27
      "[[security.users]]",                       // 28
      "name = \"a b\"",                           // 29
      "[[security.users]]",                       // 30
      "name = \"zkctl-admin\"",                   // 31
      "[[security.users]]",                       // 32
      "name = \"app\"",                           // 33
      "[[security.users]]",                       // 34
      "name = \"app\"",                           // 35
      "[[security.users]]",                       // 36
      "name = \"" + std::string(65, 'x') + "\"",  // 37
      "[[security.users]]",                       // 38
      "name = \"app2\"",                          // 39
      "passwd = \"x\"",                           // 40
  }));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:26:1: error: missing required key 'name' in [[security.users]]",
          "inv.toml:29:8: error: security.users[1].name: 'a b' must be 1-64 characters from "
          "letters, digits, '.', '_', '-'",
          "inv.toml:31:8: error: security.users[2].name: 'zkctl-admin' is one of zkctl's own "
          "identities (kafka, zookeeper, zkctl-admin); choose another name",
          "inv.toml:35:8: error: security.users[4].name: 'app' is already defined at line 33",
          "inv.toml:37:8: error: security.users[5].name: '" + std::string(65, 'x') +
              "' must be 1-64 characters from letters, digits, '.', '_', '-'",
          "inv.toml:40:1: error: unknown key 'passwd' in [[security.users]]"}));
  for (const char* own : {"kafka", "zookeeper"})
    EXPECT_EQ(errors(load(with_security(
                  {"[security]", "[[security.users]]", "name = \"" + std::string(own) + "\""}))),
              1u)
        << own;
}

TEST_F(SecurityTest, PatternsArePrefixesOrAStar) {
  const LoadResult r = load(with_security({
      "[security]",               // 25
      "[[security.users]]",       // 26
      "name = \"app\"",           // 27
      "read = [\"ok.1\", \"\"]",  // 28
      "write = [\"orders*\"]",    // 29
      "groups = [\"g\", 3]",      // 30
      "[[security.users]]",       // 31
      "name = \"b\"",             // 32
      "read = \"orders\"",        // 33
  }));
  EXPECT_TRUE(HasErrors(
      r, {"inv.toml:28:17: error: security.users[0].read[1]: must not be empty (\"*\": every "
          "topic)",
          "inv.toml:29:10: error: security.users[0].write[0]: 'orders*' is not a topic prefix: "
          "letters, digits, '.', '_' and '-' only, or exactly \"*\" (every topic)",
          "inv.toml:30:16: error: security.users[0].groups[1]: expected a string, got an integer",
          "inv.toml:33:8: error: security.users[1].read: expected an array of strings, got a "
          "string"}));
  EXPECT_TRUE(HasOnlyError(
      load(with_security(
          {"[security]", "[[security.users]]", "name = \"a\"", "groups = [\"g/1\"]"})),
      "inv.toml:28:11: error: security.users[0].groups[0]: 'g/1' is not a group prefix: letters, "
      "digits, '.', '_' and '-' only, or exactly \"*\" (every group)"));
}

TEST_F(SecurityTest, UsersNeedAuthenticationAndKafka) {
  // With authentication "none" (an open cluster), reported once at the first entry.
  LoadResult r = load(with_security({"[security]", "tls = false", "authentication = \"none\"",
                                     "authorization = false", "[[security.users]]", "name = \"a\"",
                                     "[[security.users]]", "name = \"b\""}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:29:1: error: [[security.users]] needs "
                           "security.authentication \"scram\" or \"mtls\" (with \"none\" no "
                           "client is authenticated)"));
  // Without [kafka].
  r = load(
      insert_after(test::kThreeVoters, 13, {"[security]", "[[security.users]]", "name = \"a\""}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:15:1: error: [[security.users]] are Kafka clients: this "
                           "inventory has no [kafka]"));
  EXPECT_TRUE(
      HasOnlyError(load(with_security({"[security]", "users = [1]"})),
                   "inv.toml:26:10: error: security.users[0]: expected a table, got an integer"));
  EXPECT_TRUE(HasOnlyError(load(with_security({"[security]", "users = 1"})),
                           "inv.toml:26:9: error: security.users: expected an array of tables "
                           "([[security.users]]), got an integer"));
}

TEST_F(SecurityTest, PasswordFileOnlyWithScram) {
  file("app.pw", "pw", 0600);
  const LoadResult r =
      load(with_security({"[security]", "authentication = \"mtls\"", "[[security.users]]",
                          "name = \"app\"", "password_file = \"app.pw\""}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:29:17: error: security.users[0].password_file: only with "
                           "security.authentication = \"scram\" (\"mtls\" users authenticate by "
                           "certificate)"));
}

TEST_F(SecurityTest, PasswordFileMustExistBeRegularPrivateAndNotEmpty) {
  const auto load_pw = [&](const std::string& value) {
    return load(with_security({"[security]", "[[security.users]]", "name = \"app\"",
                               "password_file = \"" + value + "\""}));
  };
  const std::string at = "inv.toml:28:17: error: security.users[0].password_file: ";
  EXPECT_TRUE(HasOnlyError(load_pw("missing.pw"),
                           at + "file '" + (dir_ / "missing.pw").string() + "' does not exist"));
  fs::create_directories(dir_ / "pwdir");
  EXPECT_TRUE(HasOnlyError(load_pw("pwdir"),
                           at + "'" + (dir_ / "pwdir").string() + "' is not a regular file"));
  for (const mode_t mode : {0640, 0604, 0620, 0602, 0644}) {
    const std::string p = file("open.pw", "pw", mode);
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
    EXPECT_TRUE(HasOnlyError(load_pw("open.pw"),
                             at + "'" + p + "' is readable or writable by group or others (mode " +
                                 text + "); make it its owner's only (chmod 600)"))
        << text;
  }
  const std::string empty = file("empty.pw", "", 0600);
  EXPECT_TRUE(HasOnlyError(load_pw("empty.pw"), at + "'" + empty + "' is empty"));
  EXPECT_TRUE(HasOnlyError(load_pw(""), at + "must not be empty"));
  file("ok.pw", "pw", 0400);
  EXPECT_EQ(errors(load_pw("ok.pw")), 0u);
}

TEST_F(SecurityTest, AclsWithoutAuthorizationWarn) {
  const LoadResult r =
      load(with_security({"[security]", "authorization = false", "[[security.users]]",
                          "name = \"app\"", "write = [\"t\"]", "read = [\"t\"]"}));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasWarnings(r, {"inv.toml:30:8: warning: security.users[0].read: not enforced "
                              "with security.authorization = false (every authenticated user "
                              "may use every topic and group)"}));
}

// ---- Kafka's INTERNAL listener ---------------------------------------------------

TEST_F(SecurityTest, InternalPortDefaultAndOverrides) {
  Lines l = insert_after(kZk, 21, {"internal_port = 9194"});  // node b, line 22
  l = insert_after(l, 15, {"internal_port = 9095"});          // [kafka], line 16
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
  const auto& nodes = r.cluster->kafka_nodes;
  EXPECT_EQ(nodes[0].internal_port, 9095);
  EXPECT_EQ(nodes[1].internal_port, 9194);
  EXPECT_EQ(nodes[2].internal_port, 9095);
  const std::vector<PortUse> ports = nodes[1].used_ports();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[1].key, "internal_port");
  EXPECT_EQ(ports[1].port, 9194);
  EXPECT_TRUE(HasOnlyError(load(insert_after(kZk, 15, {"internal_port = 0"})),
                           "inv.toml:16:17: error: kafka.internal_port: 0 is outside 1..65535"));
}

TEST_F(SecurityTest, InternalPortIsIgnoredWithAWarningInAnOpenCluster) {
  Lines l = insert_after(with_security(kOpen), 21, {"internal_port = 9194"});  // node b, 22
  l = insert_after(l, 15, {"internal_port = 9092"});  // [kafka], 16: would clash, but is dropped
  const LoadResult r = load(l);
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_TRUE(HasWarnings(
      r, {"inv.toml:16:17: warning: kafka.internal_port: ignored when [security] is open (an open "
          "cluster has no INTERNAL listener)",
          "inv.toml:23:17: warning: kafka.nodes[1].internal_port: ignored when [security] is open "
          "(an open cluster has no INTERNAL listener)",
          std::string("inv.toml:27:1: warning: ") + kOpenWarning}));
  for (const KafkaNode& n : r.cluster->kafka_nodes) EXPECT_EQ(n.internal_port, 0);
}

TEST_F(SecurityTest, InternalPortMustDifferFromTheNodesOtherPorts) {
  // In [kafka]: against listener_port (zookeeper mode) ...
  EXPECT_TRUE(HasOnlyError(load(insert_after(kZk, 15, {"internal_port = 9092"})),
                           "inv.toml:16:17: error: kafka.internal_port: 9092 equals "
                           "kafka.listener_port; a node's ports must differ"));
  EXPECT_TRUE(HasOnlyError(load(insert_after(kZk, 15, {"listener_port = 9094"})),
                           "inv.toml:16:17: error: kafka.listener_port: 9094 equals "
                           "kafka.internal_port; a node's ports must differ"));
  // ... and per node.
  EXPECT_TRUE(HasOnlyError(load(insert_after(kZk, 18, {"internal_port = 9092"})),
                           "inv.toml:19:17: error: kafka.nodes[0].internal_port: 9092 equals "
                           "listener_port of the same node; a node's ports must differ"));
  // zookeeper mode: controller_port is not a broker's port, so it may equal internal_port.
  const LoadResult zk = load(insert_after(kZk, 15, {"controller_port = 9094"}));
  EXPECT_EQ(errors(zk), 0u) << dump(zk);
}

TEST_F(SecurityTest, InternalPortClashesOnOneHostAreReported) {
  // Broker 12 moves to host a with its own listener port on broker 11's INTERNAL port.
  Lines l = replace_line(kZk, 20, "host = \"a\"");
  l = insert_after(l, 21,
                   {"listener_port = 9094", "internal_port = 9095",
                    "install_dir = \"/opt/kafka-12\"", "log_dirs = [\"/data/k12\"]"});
  EXPECT_TRUE(HasOnlyError(load(l),
                           "inv.toml:22:17: error: host 'a' port 9094 (listener_port) is already "
                           "used by Kafka node id 11 (line 16) as its internal_port"));
  // A ZooKeeper server's client port on a broker's INTERNAL port.
  l = insert_after(kZk, 7, {"client_port = 9094"});
  EXPECT_TRUE(HasOnlyError(load(l),
                           "inv.toml:18:8: error: host 'a' port 9094 (internal_port) is already "
                           "used by ZooKeeper server id 1 (line 5) as its client_port"));
  // Open: no INTERNAL listener, so no clash.
  l = insert_after(with_security(kOpen), 7, {"client_port = 9094"});
  EXPECT_EQ(errors(load(l)), 0u);
}

TEST_F(SecurityTest, KraftControllersHaveNoInternalPort) {
  const Lines kraft = {
      "[cluster]",                     // 1
      "name = \"k\"",                  // 2
      "[kafka]",                       // 3
      "mode = \"kraft\"",              // 4
      "distribution = \"kafka.tgz\"",  // 5
      "internal_port = 9093",          // 6
      "[[kafka.nodes]]",               // 7
      "host = \"k1\"",                 // 8
      "id = 1",                        // 9
      "roles = [\"controller\"]",      // 10
      "[[kafka.nodes]]",               // 11
      "host = \"k2\"",                 // 12
      "id = 2",                        // 13
  };
  EXPECT_TRUE(HasErrors(load(kraft), {"inv.toml:6:17: error: kafka.internal_port: 9093 equals "
                                      "kafka.controller_port; a node's ports must differ"}));
  const LoadResult r = load(replace_line(kraft, 6, "internal_port = 9095"));
  ASSERT_TRUE(r.cluster.has_value()) << dump(r);
  EXPECT_EQ(r.cluster->kafka_nodes[0].used_ports().size(), 1u);  // controller only
  EXPECT_EQ(r.cluster->kafka_nodes[1].used_ports().size(), 2u);  // listener + internal
}

// ---- config keys [security] manages ------------------------------------------------

TEST_F(SecurityTest, KafkaSecurityKeysAreRefusedInEveryMode) {
  for (const char* key :
       {"ssl.keystore.location", "sasl.enabled.mechanisms", "listener.name.client.ssl.key.password",
        "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found",
        "zookeeper.ssl.client.enable", "zookeeper.set.acl", "security.inter.broker.protocol",
        "zookeeper.clientCnxnSocket"}) {
    for (const Lines& base : {kZk, with_security(kOpen)}) {
      const LoadResult r =
          load(insert_after(base, 15, {"[kafka.config]", "\"" + std::string(key) + "\" = \"x\""}));
      EXPECT_TRUE(HasOnlyError(r, "inv.toml:17:1: error: kafka.config: '" + std::string(key) +
                                      "' is managed by zkctl; set [security] (tls, "
                                      "authentication, authorization, [[security.users]]) "
                                      "instead"))
          << key;
    }
  }
  // Look-alikes that are not managed pass.
  const LoadResult r = load(insert_after(
      kZk, 15, {"[kafka.config]", "\"ssl_mode\" = 1", "\"password.encoder.secret\" = \"x\""}));
  EXPECT_EQ(errors(r), 0u) << dump(r);
}

TEST_F(SecurityTest, KafkaListenerKeysNameZkctlsListeners) {
  for (const char* key : {"listeners", "listener.security.protocol.map",
                          "inter.broker.listener.name", "advertised.listeners"}) {
    auto hint = kafka_managed_key_hint(key);
    ASSERT_TRUE(hint.has_value()) << key;
    EXPECT_NE(hint->find("internal_port"), std::string::npos) << *hint;
    EXPECT_EQ(hint->find("PLAINTEXT"), std::string::npos) << *hint;
  }
  EXPECT_NE(kafka_managed_key_hint("listeners")->find("[security]"), std::string::npos);
}

TEST_F(SecurityTest, ZooKeeperSecurityKeysAreRefused) {
  for (const char* key : {"ssl.keyStore.location", "ssl.quorum.trustStore.type", "ssl.clientAuth",
                          "secureClientPort", "serverCnxnFactory", "sslQuorum", "portUnification",
                          "authProvider.1", "client.portUnification", "sslQuorumReloadCertFiles"}) {
    const LoadResult r = load(insert_after(
        test::kThreeVoters, 4, {"[zookeeper.config]", "\"" + std::string(key) + "\" = \"x\""}));
    EXPECT_TRUE(HasOnlyError(r, "inv.toml:6:1: error: zookeeper.config: '" + std::string(key) +
                                    "' is managed by zkctl; set [security] (tls, authentication) "
                                    "instead"))
        << key;
  }
}

}  // namespace
}  // namespace zkctl::inventory
