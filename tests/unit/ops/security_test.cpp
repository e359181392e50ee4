// ops/security: the users' ACLs and SCRAM work deploy plans, the record and passwords kept
// beside the cluster's pki, and the cluster's PKI as commands use it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ops/security/cluster_pki.hpp"
#include "ops/security/users.hpp"
#include "pki/pki.hpp"

using namespace zkctl;
namespace fs = std::filesystem;

namespace {

inventory::SecuritySettings two_users() {
  inventory::SecuritySettings s;
  s.users.push_back({"app", "", {"orders"}, {"orders", "*"}, {"app-"}, {}});
  s.users.push_back({"auditor", "", {"audit."}, {}, {}, {}});
  return s;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zkctl-security-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    setenv("ZKCTL_HOME", dir_.c_str(), 1);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    unsetenv("ZKCTL_HOME");
  }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
  }
  fs::path dir_;
};

}  // namespace

TEST(UserAcls, ReadWriteAndGroupsBecomePrefixedAllowRulesStarIsLiteral) {
  auto acls = ops::wanted_acls(two_users());
  std::vector<std::string> text;
  for (const auto& a : acls) text.push_back(probe::to_string(a));
  std::sort(text.begin(), text.end());
  EXPECT_EQ(text, (std::vector<std::string>{
                      "User:app ALLOW DESCRIBE on TOPIC:LITERAL:* from *",
                      "User:app ALLOW DESCRIBE on TOPIC:PREFIXED:orders from *",  // once
                      "User:app ALLOW READ on GROUP:PREFIXED:app- from *",
                      "User:app ALLOW READ on TOPIC:PREFIXED:orders from *",
                      "User:app ALLOW WRITE on TOPIC:LITERAL:* from *",
                      "User:app ALLOW WRITE on TOPIC:PREFIXED:orders from *",
                      "User:auditor ALLOW DESCRIBE on TOPIC:PREFIXED:audit. from *",
                      "User:auditor ALLOW READ on TOPIC:PREFIXED:audit. from *",
                  }));
}

TEST(UserAcls, ChangesAddMissingRemoveUnwantedAndLeaveOtherPrincipalsAlone) {
  const auto wanted = ops::wanted_acls(two_users());
  auto acl = [](const std::string& name, const std::string& principal, probe::AclOperation op) {
    probe::KafkaAcl a;
    a.name = name;
    a.pattern = probe::AclPattern::prefixed;
    a.principal = principal;
    a.operation = op;
    return a;
  };
  std::vector<probe::KafkaAcl> present = {
      acl("orders", "User:app", probe::AclOperation::read),        // kept
      acl("old", "User:app", probe::AclOperation::read),           // dropped from the inventory
      acl("x", "User:gone", probe::AclOperation::write),           // a user zkctl created, dropped
      acl("theirs", "User:someone", probe::AclOperation::write)};  // not zkctl's: untouched
  auto d = ops::acl_changes(wanted, present, {"User:app", "User:auditor", "User:gone"});
  EXPECT_EQ(d.missing.size(), wanted.size() - 1);
  ASSERT_EQ(d.extra.size(), 2u);
  EXPECT_EQ(d.extra[0].name, "old");
  EXPECT_EQ(d.extra[1].principal, "User:gone");
}

TEST(UserScram, NewAndChangedPasswordsAreSetDroppedUsersDeletedMtlsNever) {
  auto s = two_users();
  ops::UserRecord record = {{"app", "fp-old"}, {"gone", "fp"}, {"cert-user", ""}};
  auto c = ops::plan_scram(s, record, {{"app", "fp-new"}, {"auditor", "fp-a"}});
  EXPECT_EQ(c.upsert, (std::vector<std::string>{"app", "auditor"}));
  EXPECT_EQ(c.remove, (std::vector<std::string>{"gone"}));  // cert-user had no credential
  record = {{"app", "fp-new"}, {"auditor", "fp-a"}};
  EXPECT_TRUE(ops::plan_scram(s, record, {{"app", "fp-new"}, {"auditor", "fp-a"}}).upsert.empty());
  s.authentication = inventory::Authentication::mtls;
  EXPECT_TRUE(ops::plan_scram(s, {}, {{"app", "x"}}).upsert.empty());
}

TEST_F(SecurityTest, AGeneratedPasswordIsKeptPrivateAndReused) {
  inventory::SecurityUser u{"app", "", {}, {}, {}, {}};
  auto a = ops::user_password("c1", u);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->size(), 24u);
  EXPECT_EQ(*ops::user_password("c1", u), *a);
  const fs::path file = fs::path(ops::pki_dir("c1")) / "users" / "app.password";
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);
}

TEST_F(SecurityTest, APasswordFileIsReadWithoutItsNewlineAndBadCharactersAreRefused) {
  fs::create_directories(dir_);
  const fs::path f = dir_ / "pw";
  std::ofstream(f) << "s3cret!\n";
  inventory::SecurityUser u{"app", f.string(), {}, {}, {}, {}};
  EXPECT_EQ(*ops::user_password("c1", u), "s3cret!");
  std::ofstream(f, std::ios::trunc) << "a,b";
  auto r = ops::user_password("c1", u);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(f.string()), std::string::npos);
  EXPECT_EQ(r.error().message.find("a,b"), std::string::npos);  // never the password
}

TEST_F(SecurityTest, FingerprintsAreKeyedPerClusterAndTheRecordRoundTrips) {
  const auto a = ops::password_fingerprint("c1", "pw");
  EXPECT_EQ(a, ops::password_fingerprint("c1", "pw"));
  EXPECT_NE(a, ops::password_fingerprint("c1", "pw2"));
  EXPECT_NE(a, ops::password_fingerprint("c2", "pw"));
  EXPECT_EQ(a.find("pw"), std::string::npos);
  ASSERT_TRUE(ops::write_user_record("c1", {{"app", a}, {"cert", ""}}).ok());
  EXPECT_EQ(ops::read_user_record("c1"), (ops::UserRecord{{"app", a}, {"cert", ""}}));
  EXPECT_EQ(mode_of(fs::path(ops::pki_dir("c1")) / "users.json"), 0600u);
}

TEST_F(SecurityTest, DeployIssuesNodeAndAdminCertificatesOtherCommandsOnlyReadThem) {
  inventory::Cluster c;
  c.name = "sec";
  inventory::Node n;
  n.host = "127.0.0.1";
  n.id = 11;
  auto none = ops::ClusterPki::open(c, ops::PkiUse::existing);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("deploy creates it"), std::string::npos);
  auto pki = ops::ClusterPki::open(c, ops::PkiUse::issue);
  ASSERT_TRUE(pki.ok()) << pki.error().message;
  auto tls = (*pki)->node_tls(ops::kKafkaIdentity, n);
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_NE(tls->node_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(tls->admin_pem.find("PRIVATE KEY"), std::string::npos);
  auto info = pki::inspect(tls->node_pem.substr(tls->node_pem.find("-----BEGIN CERTIFICATE")));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "CN=kafka,OU=sec,O=zkctl");
  EXPECT_EQ(info->names.ips, (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_TRUE(
      pki::verify(tls->node_pem.substr(tls->node_pem.find("-----BEGIN CERTIFICATE")), tls->ca_pem)
          .ok());
  // A ZooKeeper server gets no admin key; the client files exist where zkctl_client_tls says.
  EXPECT_TRUE((*pki)->node_tls(ops::kZooKeeperIdentity, n)->admin_pem.empty());
  const auto client = ops::zkctl_client_tls(c);
  EXPECT_TRUE(fs::exists(client.ca_file) && fs::exists(client.cert_file) &&
              fs::exists(client.key_file));
  // Read back unchanged by a command that may not issue.
  auto again = ops::ClusterPki::open(c, ops::PkiUse::existing);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->node_tls(ops::kKafkaIdentity, n)->node_pem, tls->node_pem);
  c.security.tls = false;
  EXPECT_FALSE(ops::zkctl_client_tls(c).enabled());
}
