#include "pki/pki.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <chrono>

#include "pki/internal.hpp"
#include "pki/ossl.hpp"

namespace zkctl::pki {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

ossl::CertPtr parse(const std::string& pem) {
  auto cert = ossl::read_cert(pem);
  EXPECT_TRUE(cert.ok()) << cert.error().message;
  return cert ? std::move(*cert) : nullptr;
}

bool critical(X509* cert, int nid) {
  const int at = X509_get_ext_by_NID(cert, nid, -1);
  return at >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, at)) == 1;
}

// The PEM blocks of `text` that say "BEGIN CERTIFICATE".
int certificate_count(const std::string& text) {
  int n = 0;
  for (std::size_t at = text.find("BEGIN CERTIFICATE"); at != std::string::npos;
       at = text.find("BEGIN CERTIFICATE", at + 1))
    ++n;
  return n;
}

// No line of the key's base64 body appears in `message`.
void expect_no_key_material(const std::string& message, const std::string& key) {
  EXPECT_EQ(message.find("PRIVATE KEY"), std::string::npos) << message;
  std::size_t start = key.find('\n') + 1;
  for (std::size_t end = key.find('\n', start); end != std::string::npos && key[start] != '-';
       start = end + 1, end = key.find('\n', start))
    EXPECT_EQ(message.find(key.substr(start, end - start)), std::string::npos) << message;
}

// RSA keys take long to make: one CA and one certificate for the whole binary.
class Pki : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ca = generate_ca("seed", KeyType::rsa_3072);
    ASSERT_TRUE(ca.ok()) << ca.error().message;
    rsa_ca_ = new Pem(*ca);
    auto leaf = issue(*ca, {"kafka-1", "seed"}, {{"node1"}, {}}, KeyType::rsa_3072, 730);
    ASSERT_TRUE(leaf.ok()) << leaf.error().message;
    rsa_leaf_ = new Pem(*leaf);
  }
  static void TearDownTestSuite() {
    delete rsa_ca_;
    delete rsa_leaf_;
  }
  static const Pem& ec_ca() {
    static const Pem ca = *generate_ca("seed", KeyType::ec_p256);
    return ca;
  }
  static const Pem* rsa_ca_;
  static const Pem* rsa_leaf_;
};
const Pem* Pki::rsa_ca_ = nullptr;
const Pem* Pki::rsa_leaf_ = nullptr;

TEST_F(Pki, TheCaIsACaWithTheSubjectAndExtensionsAsked) {
  for (const Pem* ca : {&ec_ca(), rsa_ca_}) {
    auto info = inspect(ca->cert);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->subject, "CN=zkctl seed CA,OU=seed,O=zkctl");
    EXPECT_EQ(info->issuer, info->subject);
    EXPECT_TRUE(info->is_ca);
    EXPECT_FALSE(info->server_auth);
    EXPECT_EQ(info->days_left(Clock::now()), 3649);
    EXPECT_EQ(ca->key.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
    ossl::CertPtr cert = parse(ca->cert);
    EXPECT_TRUE(critical(cert.get(), NID_basic_constraints));
    EXPECT_TRUE(critical(cert.get(), NID_key_usage));
    EXPECT_EQ(X509_get_pathlen(cert.get()), 0);
    EXPECT_EQ(X509_get_key_usage(cert.get()),
              static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
    EXPECT_EQ(X509_get_signature_nid(cert.get()),
              ca == rsa_ca_ ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256);
    EXPECT_TRUE(check_ca(*ca).ok());
  }
}

TEST_F(Pki, TheCaKeyIsP256OrRsa3072) {
  auto ec = ossl::read_key(ec_ca().key);
  auto rsa = ossl::read_key(rsa_ca_->key);
  ASSERT_TRUE(ec.ok() && rsa.ok());
  EXPECT_EQ(EVP_PKEY_get_base_id(ec->get()), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(ec->get()), 256);
  EXPECT_EQ(EVP_PKEY_get_base_id(rsa->get()), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(rsa->get()), 3072);
}

TEST_F(Pki, SerialsAreRandomPositiveAndAbout128Bits) {
  auto other = generate_ca("seed", KeyType::ec_p256);
  ASSERT_TRUE(other.ok());
  ossl::CertPtr a = parse(ec_ca().cert);
  ossl::CertPtr b = parse(other->cert);
  ossl::BnPtr sa(ASN1_INTEGER_to_BN(X509_get0_serialNumber(a.get()), nullptr));
  ossl::BnPtr sb(ASN1_INTEGER_to_BN(X509_get0_serialNumber(b.get()), nullptr));
  EXPECT_NE(BN_cmp(sa.get(), sb.get()), 0);
  for (const BIGNUM* s : {sa.get(), sb.get()}) {
    EXPECT_FALSE(BN_is_negative(s));
    EXPECT_LE(BN_num_bits(s), 127);
    EXPECT_GT(BN_num_bits(s), 100);
  }
}

TEST_F(Pki, AnIssuedChainVerifiesAndHoldsTheLeafThenTheCa) {
  auto leaf = issue(ec_ca(), {"zk-1", "seed"}, {{"node1"}, {"10.0.0.1"}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(leaf.ok()) << leaf.error().message;
  EXPECT_TRUE(verify(leaf->cert, ec_ca().cert).ok());
  EXPECT_TRUE(verify(rsa_leaf_->cert, rsa_ca_->cert).ok());
  EXPECT_EQ(certificate_count(leaf->cert), 2);
  EXPECT_EQ(leaf->cert.substr(leaf->cert.size() - ec_ca().cert.size()), ec_ca().cert);
  EXPECT_EQ(leaf->key.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  auto info = inspect(leaf->cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "CN=zk-1,OU=seed,O=zkctl");
  EXPECT_EQ(info->issuer, "CN=zkctl seed CA,OU=seed,O=zkctl");
  EXPECT_TRUE(key_fits(leaf->cert, leaf->key, KeyType::ec_p256).ok());
}

TEST_F(Pki, DnsAndIpNamesReadBack) {
  const Names names{{"Node1.Example.org", "node1", "node1", "127.0.0.1"},
                    {"10.0.0.1", "fd00:0:0::1"}};
  auto leaf = issue(ec_ca(), {"zk-1", "seed"}, names, KeyType::ec_p256, 730);
  ASSERT_TRUE(leaf.ok()) << leaf.error().message;
  auto info = inspect(leaf->cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->names.dns, (std::vector<std::string>{"node1", "node1.example.org"}));
  EXPECT_EQ(info->names.ips, (std::vector<std::string>{"10.0.0.1", "127.0.0.1", "fd00::1"}));
}

TEST_F(Pki, NamesAreRefusedWhenEmptyOrMalformed) {
  EXPECT_FALSE(normalize({{""}, {}}).ok());
  EXPECT_FALSE(normalize({{}, {""}}).ok());
  EXPECT_FALSE(normalize({{}, {"10.0.0.256"}}).ok());
  EXPECT_FALSE(normalize({{}, {"node1"}}).ok());
  EXPECT_FALSE(normalize({{"a b"}, {}}).ok());
  EXPECT_FALSE(normalize({{"a,DNS:evil"}, {}}).ok());
  EXPECT_FALSE(issue(ec_ca(), {"zk-1", "seed"}, {{"node1"}, {"nope"}}, KeyType::ec_p256, 730).ok());
  auto none = issue(ec_ca(), {"zkctl-admin", "seed"}, {}, KeyType::ec_p256, 730);
  ASSERT_TRUE(none.ok());  // a client-only identity has no SAN
  EXPECT_TRUE(inspect(none->cert)->names.dns.empty());
}

TEST_F(Pki, SubjectsAndDaysAreChecked) {
  EXPECT_FALSE(issue(ec_ca(), {"", "seed"}, {{"n"}, {}}, KeyType::ec_p256, 730).ok());
  EXPECT_FALSE(
      issue(ec_ca(), {std::string(65, 'a'), "seed"}, {{"n"}, {}}, KeyType::ec_p256, 730).ok());
  EXPECT_FALSE(issue(ec_ca(), {"n", "seed"}, {{"n"}, {}}, KeyType::ec_p256, 0).ok());
  EXPECT_FALSE(generate_ca("seed", KeyType::ec_p256, 0).ok());
  EXPECT_FALSE(generate_ca(std::string(60, 'c'), KeyType::ec_p256).ok());  // CN over 64
  auto odd = issue(ec_ca(), {"a,b=c", "seed"}, {{"n"}, {}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(inspect(odd->cert)->subject, "CN=a\\,b=c,OU=seed,O=zkctl");
  EXPECT_EQ(*subject_text({"a,b=c", "seed"}), "CN=a\\,b=c,OU=seed,O=zkctl");
}

TEST_F(Pki, LeafUsagesAreServerAndClientNotCa) {
  auto ec_leaf = issue(ec_ca(), {"zk-1", "seed"}, {{"node1"}, {}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(ec_leaf.ok());
  for (const Pem* leaf : {static_cast<const Pem*>(&*ec_leaf), rsa_leaf_}) {
    auto info = inspect(leaf->cert);
    ASSERT_TRUE(info.ok());
    EXPECT_FALSE(info->is_ca);
    EXPECT_TRUE(info->server_auth);
    EXPECT_TRUE(info->client_auth);
    ossl::CertPtr cert = parse(leaf->cert);
    EXPECT_TRUE(critical(cert.get(), NID_basic_constraints));
    EXPECT_TRUE(critical(cert.get(), NID_key_usage));
    EXPECT_FALSE(critical(cert.get(), NID_ext_key_usage));
    const uint32_t want =
        leaf == rsa_leaf_ ? (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT) : KU_DIGITAL_SIGNATURE;
    EXPECT_EQ(X509_get_key_usage(cert.get()), want);
    EXPECT_EQ(X509_get_extended_key_usage(cert.get()),
              static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
    ossl::CertPtr ca = parse(leaf == rsa_leaf_ ? rsa_ca_->cert : ec_ca().cert);
    ASSERT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()),
                                    X509_get0_subject_key_id(ca.get())),
              0);
  }
}

TEST_F(Pki, ValidityStartsAnHourAgoAndNeverOutlivesTheCa) {
  auto short_ca = generate_ca("seed", KeyType::ec_p256, 30);
  ASSERT_TRUE(short_ca.ok());
  auto leaf = issue(*short_ca, {"zk-1", "seed"}, {{"node1"}, {}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(leaf.ok());
  auto info = inspect(leaf->cert);
  auto ca_info = inspect(short_ca->cert);
  ASSERT_TRUE(info.ok() && ca_info.ok());
  EXPECT_EQ(info->not_after, ca_info->not_after);
  const auto skew = Clock::now() - info->not_before;
  EXPECT_GE(skew, hours(1) - std::chrono::minutes(1));
  EXPECT_LE(skew, hours(1) + std::chrono::minutes(1));
  auto normal = issue(ec_ca(), {"zk-1", "seed"}, {{"node1"}, {}}, KeyType::ec_p256, 730);
  EXPECT_EQ(inspect(normal->cert)->days_left(Clock::now()), 729);
}

TEST(CertInfo, DaysLeftCountsWholeDaysAndGoesNegative) {
  const auto now = Clock::now();
  CertInfo info;
  info.not_after = now + hours(24 * 10 + 1);
  EXPECT_EQ(info.days_left(now), 10);
  info.not_after = now + hours(23);
  EXPECT_EQ(info.days_left(now), 0);
  info.not_after = now - std::chrono::seconds(1);
  EXPECT_EQ(info.days_left(now), -1);
  info.not_after = now - hours(24 * 3);
  EXPECT_EQ(info.days_left(now), -3);
}

TEST_F(Pki, ACertificateFromAnotherCaDoesNotVerify) {
  auto other = generate_ca("seed", KeyType::ec_p256);
  ASSERT_TRUE(other.ok());
  auto leaf = issue(*other, {"zk-1", "seed"}, {{"node1"}, {}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(leaf.ok());
  auto r = verify(leaf->cert, ec_ca().cert);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("CN=zk-1,OU=seed,O=zkctl"), std::string::npos);
  EXPECT_FALSE(verify(rsa_leaf_->cert, ec_ca().cert).ok());
  EXPECT_FALSE(verify(leaf->cert, "not a certificate").ok());
}

TEST_F(Pki, CheckCaRefusesANonCaCertificate) {
  auto leaf = issue(ec_ca(), {"zk-1", "seed"}, {{"node1"}, {}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(leaf.ok());
  auto r = check_ca(*leaf);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a CA certificate"), std::string::npos);
  expect_no_key_material(r.error().message, leaf->key);
  EXPECT_FALSE(issue(*leaf, {"x", "seed"}, {{"x"}, {}}, KeyType::ec_p256, 730).ok());
}

TEST_F(Pki, CheckCaRefusesAnExpiredCa) {
  const auto now = Clock::now();
  auto old = generate_ca_for("seed", KeyType::ec_p256, {now - hours(48), now - hours(1)});
  ASSERT_TRUE(old.ok()) << old.error().message;
  auto r = check_ca(*old);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(issue(*old, {"x", "seed"}, {{"x"}, {}}, KeyType::ec_p256, 730).ok());
}

TEST_F(Pki, CheckCaRefusesAKeyThatIsNotTheCas) {
  auto other = generate_ca("seed", KeyType::ec_p256);
  ASSERT_TRUE(other.ok());
  const Pem mixed{ec_ca().cert, other->key};
  auto r = check_ca(mixed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("is not the key"), std::string::npos);
  expect_no_key_material(r.error().message, other->key);
  auto garbage =
      check_ca({ec_ca().cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"});
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().message.find("AAAA"), std::string::npos);
}

TEST_F(Pki, AnEncryptedCaKeyIsRefusedWithoutAPrompt) {
  auto key = ossl::read_key(ec_ca().key);
  ASSERT_TRUE(key.ok());
  ossl::BioPtr out(BIO_new(BIO_s_mem()));
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key->get(), EVP_aes_256_cbc(), pass, 6,
                                          nullptr, nullptr),
            1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  auto r = check_ca({ec_ca().cert, std::string(data, static_cast<std::size_t>(n))});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("encrypted"), std::string::npos);
}

TEST_F(Pki, KeyFitsChecksTheKeyAndItsType) {
  auto leaf = issue(ec_ca(), {"zk-1", "seed"}, {{"node1"}, {}}, KeyType::ec_p256, 730);
  ASSERT_TRUE(leaf.ok());
  EXPECT_TRUE(key_fits(leaf->cert, leaf->key, KeyType::ec_p256).ok());
  EXPECT_FALSE(key_fits(leaf->cert, leaf->key, KeyType::rsa_3072).ok());
  EXPECT_FALSE(key_fits(leaf->cert, ec_ca().key, KeyType::ec_p256).ok());
  EXPECT_TRUE(key_fits(rsa_leaf_->cert, rsa_leaf_->key, KeyType::rsa_3072).ok());
}

}  // namespace
}  // namespace zkctl::pki
