// CA rotation's certificates (`pki rotate --ca`): the new CA cross-signed by the old one, and
// which chains clients trusting the old CA, the new CA or both verify, with OpenSSL's own
// verifier (X509_verify_cert, as librdkafka and Python's ssl use it).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pki/internal.hpp"
#include "pki/ossl.hpp"
#include "pki/pki.hpp"
#include "support/cluster.hpp"

namespace zkctl::pki {
namespace {

const Subject kNode{"zookeeper", "seed"};
const Names kNames{{"node1"}, {"10.231.0.11"}};

std::string leaf_only(const std::string& chain) {
  const std::string end = "-----END CERTIFICATE-----\n";
  return chain.substr(0, chain.find(end) + end.size());
}

class CaRotation : public ::testing::Test {
 protected:
  void SetUp() override {
    auto o = generate_ca("seed", KeyType::ec_p256);
    auto n = generate_ca("seed", KeyType::ec_p256);
    ASSERT_TRUE(o.ok() && n.ok());
    old_ = *o;
    new_ = *n;
    auto c = cross_sign(old_, new_.cert);
    ASSERT_TRUE(c.ok()) << c.error().message;
    cross_ = *c;
  }
  Pem old_, new_;
  std::string cross_;
};

TEST_F(CaRotation, TheCrossSignedCertificateIsTheNewCaIssuedByTheOld) {
  auto info = inspect(cross_);
  auto fresh = inspect(new_.cert);
  auto old_info = inspect(old_.cert);
  ASSERT_TRUE(info.ok() && fresh.ok() && old_info.ok());
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(info->subject, fresh->subject);
  EXPECT_EQ(info->issuer, old_info->subject);
  EXPECT_LE(info->not_after, fresh->not_after);
  EXPECT_TRUE(check_ca({cross_, new_.key}).ok())
      << "the cross-signed certificate holds the new key";
  EXPECT_TRUE(verify(cross_, old_.cert).ok());
  EXPECT_FALSE(verify(cross_, new_.cert).ok());
}

// What each phase serves, and who verifies it: old-only clients until drop-old, new-only from
// reissue on, a client with the bundle always.
TEST_F(CaRotation, EachTrustVerifiesWhatItShouldAndRefusesTheRest) {
  auto by_old = issue(old_, kNode, kNames, KeyType::ec_p256, 30);  // before, trust-both
  auto by_new = issue(new_, kNode, kNames, KeyType::ec_p256, 30);
  ASSERT_TRUE(by_old.ok() && by_new.ok());
  const std::string reissued = leaf_only(by_new->cert) + cross_;  // reissue
  const std::string dropped = by_new->cert;                       // drop-old: leaf + new CA
  const std::string bundle = old_.cert + new_.cert;
  auto third = generate_ca("seed", KeyType::ec_p256);
  ASSERT_TRUE(third.ok());

  EXPECT_TRUE(verify_chain(by_old->cert, old_.cert).ok());
  EXPECT_FALSE(verify_chain(by_old->cert, new_.cert).ok());
  EXPECT_TRUE(verify_chain(by_old->cert, bundle).ok());

  auto old_reissued = verify_chain(reissued, old_.cert);
  EXPECT_TRUE(old_reissued.ok()) << old_reissued.error().message;
  EXPECT_TRUE(verify_chain(reissued, new_.cert).ok());
  EXPECT_TRUE(verify_chain(reissued, bundle).ok());

  auto old_dropped = verify_chain(dropped, old_.cert);
  ASSERT_FALSE(old_dropped.ok());
  EXPECT_NE(old_dropped.error().message.find("does not verify"), std::string::npos);
  EXPECT_TRUE(verify_chain(dropped, new_.cert).ok());
  EXPECT_TRUE(verify_chain(dropped, bundle).ok());

  for (const std::string& chain : {by_old->cert, reissued, dropped})
    EXPECT_FALSE(verify_chain(chain, third->cert).ok());
  // Without the cross-signed certificate the old CA cannot reach a leaf of the new one.
  EXPECT_FALSE(verify_chain(leaf_only(by_new->cert), old_.cert).ok());
}

// The old CA says pathlen:0; the cross-signed certificate is self-issued (same subject), which
// RFC 5280 leaves out of the path length, so OpenSSL accepts leaf -> cross -> old root.
TEST_F(CaRotation, TheOldCasPathLengthDoesNotRefuseTheCrossSignedPath) {
  auto cert = ossl::read_cert(old_.cert);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(X509_get_pathlen(cert->get()), 0);
  auto by_new = issue(new_, kNode, kNames, KeyType::ec_p256, 30);
  ASSERT_TRUE(by_new.ok());
  EXPECT_TRUE(verify_chain(leaf_only(by_new->cert) + cross_, old_.cert).ok());
}

TEST_F(CaRotation, CrossSigningRefusesAnotherNameOrAnOldCaWithoutItsKey) {
  auto other = generate_ca("other", KeyType::ec_p256);
  ASSERT_TRUE(other.ok());
  auto r = cross_sign(old_, other->cert);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("subject differs"), std::string::npos);
  EXPECT_FALSE(cross_sign({old_.cert, new_.key}, new_.cert).ok());
}

// The store during a rotation: the CA named by ca_stem issues, a certificate carries the
// chain given, and a chain alone changing rewrites the kept file without a new key.
TEST(CaRotationStore, TheNextCaIssuesAndAChainChangeKeepsTheLeaf) {
  zkctl::testing::TempDir tmp("ca-rotation");
  namespace fs = std::filesystem;
  StoreOptions o;
  o.dir = tmp.path() + "/pki";
  o.cluster = "seed";
  auto old_ca = Store(o).ca();
  ASSERT_TRUE(old_ca.ok());
  auto before = Store(o).certificate("zk1", kNode, kNames);
  ASSERT_TRUE(before.ok());
  auto next = generate_ca("seed", KeyType::ec_p256);
  ASSERT_TRUE(next.ok());
  std::ofstream(o.dir / "ca-next.crt") << next->cert;
  std::ofstream(o.dir / "ca-next.key") << next->key;
  fs::permissions(o.dir / "ca-next.key", fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(o.dir / "ca-next.crt", fs::perms::owner_read | fs::perms::owner_write);
  auto cross = cross_sign(*old_ca, next->cert);
  ASSERT_TRUE(cross.ok());

  StoreOptions reissue = o;
  reissue.ca_stem = "ca-next";
  reissue.chain = *cross;
  auto during = Store(reissue).certificate("zk1", kNode, kNames);
  ASSERT_TRUE(during.ok()) << during.error().message;
  EXPECT_NE(during->key, before->key) << "a leaf of the old CA is reissued by the new one";
  EXPECT_EQ(during->cert, leaf_only(during->cert) + *cross);
  EXPECT_TRUE(verify_chain(during->cert, old_ca->cert).ok());
  auto again = Store(reissue).certificate("zk1", kNode, kNames);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cert, during->cert);

  StoreOptions dropped = o;
  dropped.ca_stem = "ca-next";
  auto after = Store(dropped).certificate("zk1", kNode, kNames);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->key, during->key) << "only the chain changed: the leaf and key are kept";
  EXPECT_EQ(leaf_only(after->cert), leaf_only(during->cert));
  EXPECT_EQ(after->cert, leaf_only(during->cert) + next->cert);
  EXPECT_FALSE(verify_chain(after->cert, old_ca->cert).ok());

  StoreOptions missing = o;
  missing.ca_stem = "ca-gone";
  auto gone = Store(missing).ca();
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().message.find("ca-gone.crt is missing"), std::string::npos);
}

}  // namespace
}  // namespace zkctl::pki
