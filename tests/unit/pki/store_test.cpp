#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "pki/internal.hpp"
#include "pki/ossl.hpp"
#include "pki/pki.hpp"
#include "support/cluster.hpp"
#include "support/local_shell.hpp"

namespace zkctl::pki {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

const Subject kZk1{"zk-1", "seed"};
const Names kNode1{{"node1"}, {"10.0.0.1"}};

class StoreTest : public ::testing::Test {
 protected:
  StoreOptions options(int cert_days = 730, int renew = 30) const {
    StoreOptions o;
    o.dir = fs::path(tmp_.path()) / "clusters" / "seed" / "pki";
    o.cluster = "seed";
    o.cert_days = cert_days;
    o.renew_within_days = renew;
    return o;
  }
  fs::path dir() const { return options().dir; }

  TempDir tmp_{"zkctl-pki"};
};

TEST_F(StoreTest, MakesThePrivateDirAndTheCaOnce) {
  Store store(options());
  auto ca = store.ca();
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  EXPECT_EQ(mode_of(dir()), 0700u);
  EXPECT_EQ(mode_of(dir().parent_path()), 0700u);
  EXPECT_EQ(mode_of(dir() / "ca.crt"), 0600u);
  EXPECT_EQ(mode_of(dir() / "ca.key"), 0600u);
  EXPECT_EQ(slurp(dir() / "ca.crt"), ca->cert);
  EXPECT_EQ(slurp(dir() / "ca.key"), ca->key);
  EXPECT_EQ(inspect(ca->cert)->subject, "CN=zkctl seed CA,OU=seed,O=zkctl");
  Store again(options());
  EXPECT_EQ(again.ca()->cert, ca->cert);
  EXPECT_TRUE(store.notes().empty());
}

TEST_F(StoreTest, AKeptCertificateIsHandedOutAgainUnchanged) {
  Store store(options());
  auto first = store.certificate("zookeeper-node1-1", kZk1, kNode1);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(mode_of(dir() / "zookeeper-node1-1.crt"), 0600u);
  EXPECT_EQ(mode_of(dir() / "zookeeper-node1-1.key"), 0600u);
  EXPECT_EQ(slurp(dir() / "zookeeper-node1-1.crt"), first->cert);
  EXPECT_EQ(slurp(dir() / "zookeeper-node1-1.key"), first->key);
  EXPECT_TRUE(verify(first->cert, store.ca()->cert).ok());
  auto second = Store(options()).certificate("zookeeper-node1-1", kZk1,
                                             {{"NODE1"}, {"10.0.0.1"}});  // same names
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->cert, first->cert);
  EXPECT_EQ(second->key, first->key);
}

TEST_F(StoreTest, ChangedNamesOrSubjectGetANewCertificate) {
  Store store(options());
  auto first = store.certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(first.ok());
  auto more = store.certificate("zk1", kZk1, {{"node1", "node1.lab"}, {"10.0.0.1"}});
  ASSERT_TRUE(more.ok());
  EXPECT_NE(more->cert, first->cert);
  EXPECT_EQ(inspect(more->cert)->names.dns, (std::vector<std::string>{"node1", "node1.lab"}));
  auto renamed =
      store.certificate("zk1", {"zk-one", "seed"}, {{"node1", "node1.lab"}, {"10.0.0.1"}});
  ASSERT_TRUE(renamed.ok());
  EXPECT_NE(renamed->cert, more->cert);
  EXPECT_EQ(slurp(dir() / "zk1.crt"), renamed->cert);
}

TEST_F(StoreTest, ACertificateOfAnotherCaIsReissued) {
  auto first = Store(options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(first.ok());
  auto other = generate_ca("seed", KeyType::ec_p256);
  ASSERT_TRUE(other.ok());
  spit(dir() / "ca.crt", other->cert);
  spit(dir() / "ca.key", other->key);
  Store store(options());
  auto again = store.certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_NE(again->cert, first->cert);
  EXPECT_TRUE(verify(again->cert, other->cert).ok());
  EXPECT_FALSE(
      verify(again->cert, first->cert.substr(first->cert.find("-----END CERTIFICATE-----") + 26))
          .ok());
}

TEST_F(StoreTest, ACertificateNearItsExpiryIsReissued) {
  auto short_lived = Store(options(10, 5)).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(short_lived.ok());
  auto kept = Store(options(10, 5)).certificate("zk1", kZk1, kNode1);  // 9 days left > 5
  EXPECT_EQ(kept->cert, short_lived->cert);
  auto renewed = Store(options(730, 30)).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(renewed.ok());
  EXPECT_NE(renewed->cert, short_lived->cert);
  EXPECT_EQ(inspect(renewed->cert)->days_left(std::chrono::system_clock::now()), 729);
}

TEST_F(StoreTest, AKeyThatNoLongerFitsItsCertificateIsReissued) {
  Store store(options());
  auto a = store.certificate("a", kZk1, kNode1);
  auto b = store.certificate("b", kZk1, kNode1);
  ASSERT_TRUE(a.ok() && b.ok());
  spit(dir() / "a.key", b->key);  // as after a crash between writing the key and the cert
  auto again = Store(options()).certificate("a", kZk1, kNode1);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->cert, a->cert);
  EXPECT_TRUE(key_fits(again->cert, again->key, KeyType::ec_p256).ok());
}

TEST_F(StoreTest, ACertificateWithoutItsKeyIsReissued) {
  auto first = Store(options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(first.ok());
  fs::remove(dir() / "zk1.key");
  auto again = Store(options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->cert, first->cert);
  EXPECT_EQ(slurp(dir() / "zk1.key"), again->key);
}

TEST_F(StoreTest, AnExpiredKeptCaIsAnErrorThatSaysWhatToDo) {
  const auto now = std::chrono::system_clock::now();
  auto old = generate_ca_for("seed", KeyType::ec_p256, {now - std::chrono::hours(48), now});
  ASSERT_TRUE(old.ok());
  Store(options()).ca().value();
  spit(dir() / "ca.crt", old->cert);
  spit(dir() / "ca.key", old->key);
  auto r = Store(options()).ca();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("has expired"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("remove ca.crt and ca.key"), std::string::npos);
}

TEST_F(StoreTest, FilesOpenToOthersAreTightenedAndSaidSo) {
  Store(options()).certificate("zk1", kZk1, kNode1).value();
  ASSERT_EQ(::chmod(dir().c_str(), 0755), 0);
  ASSERT_EQ(::chmod((dir() / "zk1.key").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((dir() / "ca.key").c_str(), 0640), 0);
  Store store(options());
  ASSERT_TRUE(store.certificate("zk1", kZk1, kNode1).ok());
  EXPECT_EQ(mode_of(dir()), 0700u);
  EXPECT_EQ(mode_of(dir() / "zk1.key"), 0600u);
  EXPECT_EQ(mode_of(dir() / "ca.key"), 0600u);
  const auto notes = store.notes();
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_NE(notes[0].find(dir().string() + ": was open to other users; now 0700"),
            std::string::npos);
  EXPECT_NE(notes[1].find("ca.key: was open to other users; now 0600"), std::string::npos);
  EXPECT_NE(notes[2].find("zk1.key: was open to other users; now 0600"), std::string::npos);
}

TEST_F(StoreTest, SymlinksAreRefused) {
  const fs::path real = fs::path(tmp_.path()) / "elsewhere";
  fs::create_directories(real);
  fs::create_directories(dir().parent_path());
  fs::create_symlink(real, dir());
  auto r = Store(options()).ca();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(real));
  StoreOptions slash = options();
  slash.dir += "/";
  EXPECT_FALSE(Store(slash).ca().ok());
  EXPECT_TRUE(fs::is_empty(real));

  fs::remove(dir());
  Store(options()).certificate("zk1", kZk1, kNode1).value();
  fs::rename(dir() / "zk1.key", real / "zk1.key");
  fs::create_symlink(real / "zk1.key", dir() / "zk1.key");
  auto linked = Store(options()).certificate("zk1", kZk1, kNode1);
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.error().message.find("zk1.key: is a symbolic link"), std::string::npos);
}

TEST_F(StoreTest, NamesThatAreNotPlainFileStemsAreRefused) {
  Store store(options());
  for (const std::string bad : {"", "../x", "a/b", ".hidden", "ca", "a b"})
    EXPECT_FALSE(store.certificate(bad, kZk1, kNode1).ok()) << bad;
  EXPECT_FALSE(fs::exists(dir().parent_path().parent_path() / "x.crt"));
}

TEST_F(StoreTest, ACaCertificateWithoutItsKeyIsAnError) {
  Store(options()).ca().value();
  fs::remove(dir() / "ca.key");
  auto r = Store(options()).ca();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ca.crt is kept without ca.key"), std::string::npos);
}

class OperatorCa : public StoreTest {
 protected:
  void SetUp() override {
    auto ca = generate_ca("corp", KeyType::ec_p256);
    ASSERT_TRUE(ca.ok());
    ca_ = *ca;
    fs::create_directories(fs::path(tmp_.path()) / "corp");
    spit(cert_path(), ca_.cert);
    spit(key_path(), ca_.key);
    ::chmod(key_path().c_str(), 0600);
  }
  fs::path cert_path() const { return fs::path(tmp_.path()) / "corp" / "ca.pem"; }
  fs::path key_path() const { return fs::path(tmp_.path()) / "corp" / "ca-key.pem"; }
  StoreOptions operator_options() const {
    StoreOptions o = options();
    o.operator_ca_cert = cert_path().string();
    o.operator_ca_key = key_path().string();
    return o;
  }
  Pem ca_;
};

TEST_F(OperatorCa, IssuesWithItAndKeepsNoCopyOfItsKey) {
  Store store(operator_options());
  auto ca = store.ca();
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  EXPECT_EQ(ca->cert, ca_.cert);
  auto leaf = store.certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(leaf.ok()) << leaf.error().message;
  EXPECT_TRUE(verify(leaf->cert, ca_.cert).ok());
  EXPECT_FALSE(fs::exists(dir() / "ca.key"));
  EXPECT_FALSE(fs::exists(dir() / "ca.crt"));
  const std::size_t line2 = ca_.key.find('\n', 28) + 1;  // the line after the header's
  const std::string secret = ca_.key.substr(line2, ca_.key.find('\n', line2) - line2);
  for (const auto& entry : fs::directory_iterator(dir()))
    EXPECT_EQ(slurp(entry.path()).find(secret), std::string::npos) << entry.path();
  EXPECT_TRUE(store.notes().empty());
}

TEST_F(OperatorCa, ItIsCheckedAndAKeyOpenToOthersIsNoted) {
  ::chmod(key_path().c_str(), 0644);
  Store store(operator_options());
  ASSERT_TRUE(store.ca().ok());
  ASSERT_EQ(store.notes().size(), 1u);
  EXPECT_NE(store.notes()[0].find("readable by other users"), std::string::npos);
  EXPECT_EQ(mode_of(key_path()), 0644u);  // the operator's file, not zkctl's to change

  auto leaf = Store(operator_options()).certificate("zk1", kZk1, kNode1);
  spit(cert_path(), leaf->cert);
  auto not_ca = Store(operator_options()).ca();
  ASSERT_FALSE(not_ca.ok());
  EXPECT_NE(not_ca.error().message.find(cert_path().string() + ": "), std::string::npos);
  StoreOptions half = operator_options();
  half.operator_ca_key.clear();
  EXPECT_FALSE(Store(half).ca().ok());
  fs::remove(key_path());
  EXPECT_FALSE(Store(operator_options()).ca().ok());
}

// The operator's CA certificate renewed with the same key and subject: a kept certificate
// still verifies but carries the old CA certificate in its chain, so its chain is rewritten
// (the leaf and its key kept).
TEST_F(OperatorCa, ARenewedCaCertificateReissuesTheChain) {
  auto first = Store(operator_options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(first.ok());
  auto cert = ossl::read_cert(ca_.cert);
  auto key = ossl::read_key(ca_.key);
  ASSERT_TRUE(cert.ok() && key.ok());
  ASSERT_NE(X509_gmtime_adj(X509_getm_notAfter(cert->get()), 60L * 60 * 24 * 400), nullptr);
  ASSERT_GT(X509_sign(cert->get(), key->get(), EVP_sha256()), 0);
  const std::string renewed = *ossl::cert_pem(cert->get());
  ASSERT_NE(renewed, ca_.cert);
  spit(cert_path(), renewed);
  EXPECT_TRUE(verify(first->cert, renewed).ok());
  auto again = Store(operator_options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->cert, first->cert);
  EXPECT_EQ(again->cert.substr(again->cert.size() - renewed.size()), renewed);
  EXPECT_EQ(again->key, first->key);
}

TEST_F(OperatorCa, ACaWithoutASubjectKeyIdentifierCanIssue) {
  auto cert = ossl::read_cert(ca_.cert);
  auto key = ossl::read_key(ca_.key);
  ASSERT_TRUE(cert.ok() && key.ok());
  const int at = X509_get_ext_by_NID(cert->get(), NID_subject_key_identifier, -1);
  ASSERT_GE(at, 0);
  X509_EXTENSION_free(X509_delete_ext(cert->get(), at));
  ASSERT_GT(X509_sign(cert->get(), key->get(), EVP_sha256()), 0);
  const std::string old_style = *ossl::cert_pem(cert->get());
  spit(cert_path(), old_style);
  auto leaf = Store(operator_options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(leaf.ok()) << leaf.error().message;
  EXPECT_TRUE(verify(leaf->cert, old_style).ok());
}

TEST_F(OperatorCa, AChangeOfKeyTypeReissues) {
  auto ec = Store(operator_options()).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(ec.ok());
  StoreOptions rsa = operator_options();
  rsa.key_type = KeyType::rsa_3072;
  auto again = Store(rsa).certificate("zk1", kZk1, kNode1);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->key, ec->key);
  EXPECT_TRUE(key_fits(again->cert, again->key, KeyType::rsa_3072).ok());
}

TEST_F(StoreTest, ThreadsShareOneCaAndGetTheirOwnCertificates) {
  Store store(options());
  std::vector<std::thread> threads;
  std::vector<util::Result<Pem>> got(8, util::fail("not run"));
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      got[i] = store.certificate("node-" + std::to_string(i), {"n" + std::to_string(i), "seed"},
                                 {{"node" + std::to_string(i)}, {}});
    });
  for (auto& t : threads) t.join();
  const std::string ca = slurp(dir() / "ca.crt");
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(got[i].ok()) << got[i].error().message;
    EXPECT_TRUE(verify(got[i]->cert, ca).ok());
    EXPECT_EQ(slurp(dir() / ("node-" + std::to_string(i) + ".crt")), got[i]->cert);
  }
}

TEST_F(StoreTest, OpensslAgreesWithTheFilesWritten) {
  if (zkctl::testing::run_locally("command -v openssl >/dev/null").exit_status != 0)
    GTEST_SKIP() << "no openssl in PATH";
  Store store(options());
  ASSERT_TRUE(store.certificate("zk1", kZk1, kNode1).ok());
  const std::string d = dir().string();
  auto verified = zkctl::testing::run_locally("openssl verify -CAfile '" + d + "/ca.crt' '" + d +
                                              "/zk1.crt' 2>&1");
  EXPECT_EQ(verified.exit_status, 0) << verified.out;
  EXPECT_NE(verified.out.find("zk1.crt: OK"), std::string::npos) << verified.out;
  auto key = zkctl::testing::run_locally("openssl pkey -in '" + d + "/zk1.key' -noout 2>&1");
  EXPECT_EQ(key.exit_status, 0) << key.out;
  auto chain =
      zkctl::testing::run_locally("openssl verify -CAfile '" + d + "/ca.crt' -untrusted '" + d +
                                  "/zk1.crt' -purpose sslserver '" + d + "/zk1.crt' 2>&1");
  EXPECT_EQ(chain.exit_status, 0) << chain.out;
}

}  // namespace
}  // namespace zkctl::pki
