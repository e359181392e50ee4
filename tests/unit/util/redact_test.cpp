#include "util/redact.hpp"

#include <gtest/gtest.h>

namespace zkctl::util {
namespace {

TEST(Redact, SecretKeys) {
  for (const char* k : {"ssl.key.password", "ssl.keystore.password", "ssl.truststore.password",
                        "ssl.keystore.key", "ssl.keystore.location", "sasl.jaas.config",
                        "listener.name.sasl_ssl.plain.sasl.jaas.config", "ADMIN_PASSWORD",
                        "my.secret", "auth.token", "aws.credentials.file", "DigestAuthPassword"}) {
    EXPECT_TRUE(is_secret_key(k)) << k;
  }
  for (const char* k : {"tickTime", "dataDir", "ssl.protocol", "ssl.enabled.protocols",
                        "num.partitions", "keystore.type", "autopurge.purgeInterval"}) {
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
  // Prose with a colon is left alone.
  EXPECT_EQ(r.redact("zkctl: cannot connect to node1"), "zkctl: cannot connect to node1");
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

}  // namespace
}  // namespace zkctl::util
