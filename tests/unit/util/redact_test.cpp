#include "util/redact.hpp"

#include <gtest/gtest.h>

namespace zkctl::util {
namespace {

TEST(Redact, SecretKeys) {
  for (const char* k :
       {"ssl.key.password", "ssl.keystore.password", "ssl.truststore.password", "ssl.keystore.key",
        "ssl.keystore.location", "sasl.jaas.config",
        "listener.name.sasl_ssl.plain.sasl.jaas.config", "ADMIN_PASSWORD", "my.secret",
        "auth.token", "aws.credentials.file", "DigestAuthPassword",
        // Key material and digests the first predicate missed (issue #10).
        "listener.name.internal.ssl.keystore.key", "listener.name.internal.ssl.key.password",
        "zookeeper.DigestAuthenticationProvider.superDigest",
        "DigestAuthenticationProvider.superDigest", "superDigest",
        "zookeeper.ssl.keyStore.location", "zookeeper.ssl.quorum.keyStore.password",
        "delegation.token.secret.key", "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "ssl.keystore.passphrase", "sasl.oauthbearer.client.private.key", "some.api.key",
        "db.passwd"}) {
    EXPECT_TRUE(is_secret_key(k)) << k;
  }
  for (const char* k :
       {"tickTime", "dataDir", "ssl.protocol", "ssl.enabled.protocols", "num.partitions",
        "keystore.type", "autopurge.purgeInterval", "ssl.truststore.certificates",
        "ssl.truststore.type", "ssl.truststore.location", "digest.enabled",
        "zookeeper.digest.enabled", "listener.security.protocol.map", "ssl.client.auth"}) {
    EXPECT_FALSE(is_secret_key(k)) << k;
  }
}

TEST(Redact, KnownValuesAnywhere) {
  Redactor r;
  r.add_config({{"ssl.key.password", "hunter2-very-secret"}, {"tickTime", "2000"}});
  EXPECT_EQ(r.redact("failed: bad hunter2-very-secret here"), "failed: bad <redacted> here");
  EXPECT_EQ(r.redact("tickTime=2000"), "tickTime=2000");
  EXPECT_EQ(r.redact("a hunter2-very-secret b hunter2-very-secret"), "a <redacted> b <redacted>");
}

TEST(Redact, SecretKeyLinesEvenWithUnknownValues) {
  Redactor r;
  EXPECT_EQ(r.redact("ssl.key.password=abc123\ntickTime=2000\n"),
            "ssl.key.password=<redacted>\ntickTime=2000\n");
  // Unified diff lines keep their marker.
  EXPECT_EQ(r.redact("-ssl.keystore.password=old1\n+ssl.keystore.password=new2"),
            "-ssl.keystore.password=<redacted>\n+ssl.keystore.password=<redacted>");
  EXPECT_EQ(r.redact("  password: letmein"), "  password: <redacted>");
  // Prose with a colon is left alone, and so are diagnostics naming a file whose path has a
  // secret-sounding word.
  EXPECT_EQ(r.redact("zkctl: cannot connect to node1"), "zkctl: cannot connect to node1");
  for (const char* diag : {"/work/wt-secrets/inv.toml: error: cannot read the inventory",
                           "secrets.toml:15:1: warning: unknown key",
                           "/home/op/tokens/inv.toml:3:9: error: expected a string"})
    EXPECT_EQ(r.redact(diag), diag);
}

TEST(Redact, JaasPasswords) {
  const std::string jaas =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" "
      "password=\"s3cr3t-pw\";";
  Redactor r;
  r.add_config({{"sasl.jaas.config", jaas}});
  // The whole value is masked where it appears whole...
  EXPECT_EQ(r.redact("x " + jaas), "x <redacted>");
  // ...and its password wherever it shows up alone.
  EXPECT_EQ(r.redact("got s3cr3t-pw"), "got <redacted>");
  EXPECT_EQ(r.redact("user alice"), "user alice");
  // JAAS options are masked even when the value was never registered.
  Redactor empty;
  EXPECT_EQ(empty.redact("Module required username=\"bob\" password=\"pw1234\";"),
            "Module required username=\"bob\" password=\"<redacted>\";");
}

TEST(Redact, ShortValuesOnlyByKey) {
  Redactor r;
  r.add_secret("ab");
  EXPECT_EQ(r.redact("tab stab"), "tab stab");
}

// One line per form a secret takes in what zkctl prints (configs, diffs, env files, JVM
// flags, JAAS, JSON, kafka-storage's --add-scram); every planted value holds "PLANTED".
const std::vector<std::string>& planted_lines() {
  static const std::vector<std::string> lines = {
      "ssl.key.password=PLANTED-1",
      "listener.name.internal.ssl.keystore.key=PLANTED-pem-one-line",
      "+listener.name.internal.ssl.key.password=PLANTED-diff",
      "-zookeeper.DigestAuthenticationProvider.superDigest=super:PLANTEDdigest=",
      "DigestAuthenticationProvider.superDigest = super:PLANTED",
      "SERVER_JVMFLAGS=\"-Xmx1g -Dzookeeper.DigestAuthenticationProvider.superDigest=super:"
      "PLANTED= -Dfoo=bar\"",
      "export KAFKA_OPTS=\"-Djavax.net.ssl.keyStorePassword=PLANTED -Xms1g\"",
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
      "username=\"admin\" password=\"PLANTED-jaas\";",
      "  listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config: Module required "
      "password=\"PLANTED\";",
      "  \"ssl.key.password\": \"PLANTED-json\",",
      "{\"config\":{\"ssl.keystore.password\":\"PLANTED\",\"tickTime\":\"2000\"}}",
      "{\"sasl.jaas.config\": \"Module required username=\\\"a\\\" password=\\\"PLANTED\\\";\"}",
      "kafka-storage.sh format --add-scram 'SCRAM-SHA-512=[name=admin,password=PLANTED]'",
      "delegation.token.secret.key=PLANTED",
      "my.secret: PLANTED",
      "ssl.keystore.key=-----BEGIN PRIVATE KEY----- \\",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC+PLANTED \\",
      "-----END PRIVATE KEY-----",
      "bundle=-----BEGIN ENCRYPTED PRIVATE KEY-----",
      "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIPLANTED/+=",
      "-----END ENCRYPTED PRIVATE KEY-----",
      "{\"key\": \"-----BEGIN RSA PRIVATE KEY-----\\nMIIPLANTED\\n-----END RSA PRIVATE "
      "KEY-----\\n\"}",
      "+-----BEGIN EC PRIVATE KEY-----",
      "+MHcCAQEEIPLANTED",
      "+-----END EC PRIVATE KEY-----",
      "after.the.keys=1 -Xmx1g tickTime=2000",
  };
  return lines;
}

std::string planted_text() {
  std::string text;
  for (const auto& l : planted_lines()) text += l + "\n";
  return text;
}

TEST(Redact, EveryKeyFormIsMaskedWithoutKnowingTheValue) {
  Redactor r;
  const std::string out = r.redact(planted_text());
  EXPECT_EQ(out.find("PLANTED"), std::string::npos) << out;
  // What is not secret survives: flags, markers, the line after the key blocks.
  for (const char* kept : {"-Xmx1g", "-Dfoo=bar", "-Xms1g", "tickTime", "\"tickTime\":\"2000\"",
                           "+-----BEGIN EC PRIVATE KEY-----", "+-----END EC PRIVATE KEY-----",
                           "-----END ENCRYPTED PRIVATE KEY-----", "after.the.keys=1 -Xmx1g",
                           "superDigest = <redacted>\n"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " in\n" << out;
  // Each one-line form on its own (a PEM body line alone is just base64).
  for (std::size_t i = 0; i < 15; ++i)
    EXPECT_TRUE(holds_secret(planted_lines()[i])) << planted_lines()[i];
  EXPECT_TRUE(holds_secret(planted_text()));
  EXPECT_FALSE(holds_secret("tickTime=2000\ndataDir=/data\nssl.truststore.type=PEM\n"));
}

TEST(Redact, CertificatesAndPublicKeysStay) {
  Redactor r;
  const std::string pem =
      "-----BEGIN CERTIFICATE-----\nMIIBpublic\n-----END CERTIFICATE-----\n"
      "-----BEGIN PUBLIC KEY-----\nMIIBpub\n-----END PUBLIC KEY-----\n";
  EXPECT_EQ(r.redact(pem), pem);
  EXPECT_EQ(r.redact("ssl.truststore.certificates=MIIBcert"),
            "ssl.truststore.certificates=MIIBcert");
}

TEST(Redact, ColourCodesAroundASecretStay) {
  Redactor r;
  EXPECT_EQ(r.redact("\033[31m+ssl.key.password=abc\033[0m"),
            "\033[31m+ssl.key.password=<redacted>\033[0m");
}

TEST(Redact, ContinuedSecretLinesAreMasked) {
  Redactor r;
  EXPECT_EQ(
      r.redact("sasl.jaas.config=Module required \\\n  user=\"a\" \\\n  pw=\"PLANTED\";\nx=1"),
      "sasl.jaas.config=<redacted>\n<redacted>\n<redacted>\nx=1");
}

// Redact `parts` written one after another to a stream, then flushed.
std::string stream(const Redactor& r, const std::vector<std::string_view>& parts,
                   std::size_t max_line = RedactingStream::kMaxLine) {
  RedactingStream s(r, max_line);
  std::string out;
  for (auto p : parts) out += s.write(p);
  return out + s.flush();
}

TEST(RedactingStream, EverySplitOfTheTextIsRedactedAsAWhole) {
  Redactor r;
  const std::string text = planted_text();
  const std::string whole = r.redact(text);
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const std::string_view t(text);
    ASSERT_EQ(stream(r, {t.substr(0, i), t.substr(i)}), whole) << "split at " << i;
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < text.size(); ++i)
    bytes.push_back(std::string_view(text).substr(i, 1));
  EXPECT_EQ(stream(r, bytes), whole);
}

TEST(RedactingStream, EveryTwoSplitsOfEachLine) {
  Redactor r;
  for (const auto& line : planted_lines()) {
    const std::string text = "before\n" + line + "\nafter\n";
    const std::string whole = r.redact(text);
    const std::string_view t(text);
    for (std::size_t i = 0; i <= t.size(); ++i)
      for (std::size_t j = i; j <= t.size(); ++j)
        ASSERT_EQ(stream(r, {t.substr(0, i), t.substr(i, j - i), t.substr(j)}), whole)
            << line << " split at " << i << "," << j;
  }
}

TEST(RedactingStream, KnownValueSplitAcrossWrites) {
  Redactor r;
  r.add_config({{"ssl.key.password", "hunter2-very-secret"}});
  const std::string text = "zkctl: [node1] login refused for hunter2-very-secret; retry\n";
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const std::string out =
        stream(r, {std::string_view(text).substr(0, i), std::string_view(text).substr(i)});
    ASSERT_EQ(out, "zkctl: [node1] login refused for <redacted>; retry\n") << i;
  }
}

TEST(RedactingStream, FlushEmitsThePartialLineAndMasksAnOpenValue) {
  Redactor r;
  RedactingStream s(r);
  EXPECT_EQ(s.write("Type the cluster name to confirm: "), "");
  EXPECT_EQ(s.flush(), "Type the cluster name to confirm: ");
  EXPECT_EQ(s.write("seed\n"), "seed\n");
  // A secret cut by a flush: its rest (up to the newline) is part of the masked value.
  EXPECT_EQ(s.write("ssl.key.password=PLAN"), "");
  EXPECT_EQ(s.flush(), "ssl.key.password=<redacted>");
  EXPECT_EQ(s.write("TED-rest\nnext=1\n"), "\nnext=1\n");
  EXPECT_EQ(s.flush(), "");
}

// Write `text` to a stream capped at `max_line` bytes per line in chunks of `chunk` bytes.
std::string chunked(const Redactor& r, std::string_view text, std::size_t chunk,
                    std::size_t max_line) {
  std::vector<std::string_view> parts;
  for (std::size_t i = 0; i < text.size(); i += chunk) parts.push_back(text.substr(i, chunk));
  return stream(r, parts, max_line);
}

TEST(RedactingStream, GiantLinesAreCutWithoutLeaking) {
  Redactor r;
  r.add_secret("KNOWN-secret-value-1234");
  std::string words;
  for (int i = 0; i < 600; ++i) words += "word" + std::to_string(i) + " ";
  const std::vector<std::string> lines = {
      words + "password=PLANTED-a " + words + "KNOWN-secret-value-1234 " + words,
      "ssl.key.password=" + std::string(5000, 'P') + "PLANTED",
      words + "-----BEGIN PRIVATE KEY-----" + std::string(4000, 'A') + "PLANTED" +
          "-----END PRIVATE KEY----- " + words,
      std::string(5000, 'x') + "password=PLANTED",  // no place to cut at all
      words + "sasl.jaas.config=\"Module required " + words + " password=PLANTED-q \" " + words,
  };
  for (const auto& line : lines) {
    for (std::size_t offset = 0; offset < 300; offset += 37) {
      const std::string text = words.substr(0, offset) + line + "\nnext=1\n";
      for (std::size_t chunk : {1ul, 7ul, 100ul, 999ul, 4096ul, 100000ul}) {
        const std::string out = chunked(r, text, chunk, 1024);
        ASSERT_EQ(out.find("PLANTED"), std::string::npos) << chunk << ":" << out;
        ASSERT_EQ(out.find("KNOWN-secret"), std::string::npos) << chunk << ":" << out;
        ASSERT_TRUE(out.ends_with("\nnext=1\n")) << chunk << ":" << out;
      }
    }
  }
  // Text that holds nothing secret comes through whole, however long its lines.
  const std::string plain = words + words + words + "\nnext=1\n";
  EXPECT_EQ(chunked(r, plain, 333, 1024), plain);
}

}  // namespace
}  // namespace zkctl::util
