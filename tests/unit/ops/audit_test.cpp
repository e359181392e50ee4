// The audit log: one JSON line per changing command, appended under $ZKCTL_HOME, with
// secrets masked on write.

#include "ops/cluster/audit.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cluster.hpp"
#include "util/redact.hpp"

namespace zkctl::ops {
namespace {

// A record of cluster "seed" (every field set, so no initializer is left out).
AuditRecord record(std::string command, int exit_code, std::string summary = "",
                   std::vector<AuditHostResult> hosts = {}) {
  AuditRecord r;
  r.cluster = "seed";
  r.command = std::move(command);
  r.exit_code = exit_code;
  r.summary = std::move(summary);
  r.hosts = std::move(hosts);
  return r;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("ZKCTL_HOME", (home_.path() + "/state").c_str(), 1); }
  void TearDown() override { ::unsetenv("ZKCTL_HOME"); }

  std::vector<nlohmann::json> lines() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(audit_log_path());
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  testing::TempDir home_{"zkctl-audit-test"};
};

TEST_F(AuditTest, AppendsOneJsonLinePerRecordWithTheHostsResults) {
  AuditRecord r = record("zkctl deploy seed.toml", 0, "3 changed", {{"node1", "ok"}});
  EXPECT_EQ(append_audit(r), "");
  r.exit_code = 1;
  r.hosts.push_back({"node2", "upload: disk full"});
  EXPECT_EQ(append_audit(r), "");
  auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["cluster"], "seed");
  EXPECT_EQ(got[0]["command"], "zkctl deploy seed.toml");
  EXPECT_EQ(got[0]["exit_code"], 0);
  EXPECT_EQ(got[1]["exit_code"], 1);
  ASSERT_EQ(got[1]["hosts"].size(), 2u);
  EXPECT_EQ(got[1]["hosts"][1]["host"], "node2");
  EXPECT_EQ(got[1]["hosts"][1]["result"], "upload: disk full");
  EXPECT_TRUE(got[0].contains("time"));
  EXPECT_TRUE(got[0].contains("user"));
  EXPECT_EQ(audit_log_path().rfind(home_.path() + "/state/", 0), 0u);
}

TEST_F(AuditTest, AnIntentRecordComesBeforeActingAndTheOutcomeAfterWithTheSameId) {
  AuditRecord r = record("zkctl restart", 0);
  r.lock = "held";
  ASSERT_EQ(append_audit(r, AuditPhase::intent), "");
  auto got = lines();  // a crash here leaves the intent on the record
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["phase"], "intent");
  EXPECT_EQ(got[0]["command"], "zkctl restart");
  EXPECT_EQ(got[0]["lock"], "held");
  EXPECT_FALSE(got[0].contains("exit_code"));
  EXPECT_FALSE(got[0]["id"].get<std::string>().empty());
  r.exit_code = 130;
  r.outcome = "interrupted";
  r.summary = "interrupted by SIGINT";
  ASSERT_EQ(append_audit(r, AuditPhase::outcome), "");
  got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["phase"], "outcome");
  EXPECT_EQ(got[1]["id"], got[0]["id"]);
  EXPECT_EQ(got[1]["outcome"], "interrupted");
  EXPECT_EQ(got[1]["exit_code"], 130);
}

TEST_F(AuditTest, TheOutcomeFollowsTheExitCodeUnlessNamed) {
  AuditRecord ok = record("zkctl deploy", 0);
  AuditRecord failed = record("zkctl deploy", 1);
  ASSERT_EQ(append_audit(ok), "");
  ASSERT_EQ(append_audit(failed), "");
  auto got = lines();
  EXPECT_EQ(got[0]["outcome"], "ok");
  EXPECT_EQ(got[1]["outcome"], "failed");
  EXPECT_NE(got[0]["id"], got[1]["id"]);
}

TEST_F(AuditTest, TheUserComesFromTheOsNotTheEnvironment) {
  const char* before = std::getenv("USER");
  const std::string saved = before ? before : "";
  ::setenv("USER", "mallory", 1);
  AuditRecord r = record("zkctl deploy", 0);
  ASSERT_EQ(append_audit(r), "");
  if (before)
    ::setenv("USER", saved.c_str(), 1);
  else
    ::unsetenv("USER");
  const passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(lines()[0]["user"], pw->pw_name);
  EXPECT_EQ(os_user(), pw->pw_name);
}

TEST_F(AuditTest, TheLogIsPrivateToItsOwner) {
  AuditRecord r = record("zkctl stop node1", 0);
  ASSERT_EQ(append_audit(r), "");
  struct stat st {};
  ASSERT_EQ(::stat(audit_log_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AuditTest, SecretsAreMaskedOnWrite) {
  util::global_redactor().add_secret("s3cr3t-password");
  AuditRecord r = record("zkctl deploy", 1, "failed: s3cr3t-password rejected");
  ASSERT_EQ(append_audit(r), "");
  std::ifstream in(audit_log_path());
  const std::string text(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(text.find("s3cr3t-password"), std::string::npos) << text;
  EXPECT_NE(text.find(util::kRedacted), std::string::npos) << text;
}

TEST_F(AuditTest, AnUnwritableHomeIsReportedNotThrown) {
  ::setenv("ZKCTL_HOME", "/proc/zkctl-no-such-dir", 1);
  AuditRecord r = record("zkctl deploy", 0);
  const std::string error = append_audit(r);
  EXPECT_NE(error.find("audit.log"), std::string::npos) << error;
}

}  // namespace
}  // namespace zkctl::ops
