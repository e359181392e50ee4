// Making certificates: the CA and the certificates it issues (see pki.hpp for the contract).
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include "pki/internal.hpp"
#include "pki/ossl.hpp"

namespace zkctl::pki {

namespace {

using Clock = std::chrono::system_clock;
using ossl::CertPtr;
using ossl::KeyPtr;

// Hosts' clocks differ: a certificate made now is valid from an hour ago.
constexpr auto kClockSkew = std::chrono::hours(1);
constexpr std::size_t kMaxNameField = 64;  // X.509 upper bound of CN and OU
constexpr std::size_t kMaxHostName = 253;
constexpr int kMaxDays = 36500;  // past this, a time no longer fits the clock's range

util::Result<KeyPtr> new_key(KeyType type) {
  ERR_clear_error();
  EVP_PKEY* key = type == KeyType::rsa_3072
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(3072))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) return ossl::error("generating a key");
  return KeyPtr(key);
}

// O=zkctl, OU=`unit`, CN=`common_name` (RFC 2253 prints it CN first).
util::Result<ossl::NamePtr> make_name(const std::string& common_name, const std::string& unit) {
  for (const auto* field : {&common_name, &unit}) {
    if (field->empty() || field->size() > kMaxNameField)
      return util::fail("a certificate subject field must be 1 to 64 bytes: \"" + *field + "\"");
    if (std::any_of(field->begin(), field->end(),
                    [](unsigned char c) { return std::iscntrl(c) != 0; }))
      return util::fail("a certificate subject field holds a control character");
  }
  ossl::NamePtr name(X509_NAME_new());
  const std::array<std::pair<const char*, const std::string*>, 3> fields = {
      {{"O", nullptr}, {"OU", &unit}, {"CN", &common_name}}};
  for (const auto& [field, value] : fields) {
    const std::string text = value == nullptr ? "zkctl" : *value;
    if (!name || X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                            reinterpret_cast<const unsigned char*>(text.data()),
                                            static_cast<int>(text.size()), -1, 0) != 1)
      return ossl::error("building a certificate subject");
  }
  return name;
}

// A 128-bit random serial number, kept positive.
util::Result<void> set_serial(X509* cert) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return ossl::error("drawing a serial number");
  bytes[0] &= 0x7f;
  ossl::BnPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr)
    return ossl::error("setting a serial number");
  return {};
}

// A v3 certificate for `subject` holding `key`'s public half, valid over `validity`.
util::Result<CertPtr> new_cert(X509_NAME* subject, EVP_PKEY* key, const Validity& validity) {
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return ossl::error("creating a certificate");
  if (auto r = set_serial(cert.get()); !r) return r.error();
  const std::time_t from = Clock::to_time_t(validity.not_before);
  const std::time_t to = Clock::to_time_t(validity.not_after);
  if (X509_set_subject_name(cert.get(), subject) != 1 || X509_set_pubkey(cert.get(), key) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), from) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), to) == nullptr)
    return ossl::error("filling a certificate");
  return cert;
}

// Adds the extension `nid` = `value` (a constant of this file, never inventory text).
util::Result<void> add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ossl::ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return ossl::error(std::string("adding the extension ") + OBJ_nid2sn(nid));
  return {};
}

util::Result<void> add_exts(X509* cert, X509* issuer,
                            std::initializer_list<std::pair<int, const char*>> exts) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : exts)
    if (auto r = add_ext(cert, &ctx, nid, value); !r) return r;
  return {};
}

// subjectAltName from normalized `names` (built as values, so no name is parsed as syntax).
util::Result<void> add_san(X509* cert, const Names& names) {
  if (names.dns.empty() && names.ips.empty()) return {};
  ossl::GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
  if (!gens) return ossl::error("building subjectAltName");
  for (const auto& dns : names.dns) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (gen == nullptr || text == nullptr ||
        ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(gen);
      ASN1_IA5STRING_free(text);
      return ossl::error("building subjectAltName");
    }
    GENERAL_NAME_set0_value(gen, GEN_DNS, text);
    if (sk_GENERAL_NAME_push(gens.get(), gen) == 0) {
      GENERAL_NAME_free(gen);
      return ossl::error("building subjectAltName");
    }
  }
  for (const auto& ip : names.ips) {
    GENERAL_NAME* gen = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_IPADD, ip.c_str(), 0);
    if (gen == nullptr || sk_GENERAL_NAME_push(gens.get(), gen) == 0) {
      GENERAL_NAME_free(gen);
      return ossl::error("building subjectAltName for " + ip);
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return ossl::error("adding subjectAltName");
  return {};
}

util::Result<void> sign(X509* cert, EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  const EVP_MD* digest = id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ? nullptr : EVP_sha256();
  if (X509_sign(cert, key, digest) <= 0) return ossl::error("signing a certificate");
  return {};
}

bool valid_host_name(const std::string& name) {
  return name.size() <= kMaxHostName && std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_' || c == '*';
         });
}

// The canonical text of address `text`, or empty when it is not one.
std::string canonical_address(const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  const int family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (::inet_pton(family, text.c_str(), bytes.data()) != 1) return "";
  if (::inet_ntop(family, bytes.data(), out.data(), out.size()) == nullptr) return "";
  return out.data();
}

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

util::Result<Names> normalize(const Names& names) {
  Names out;
  for (const auto& ip : names.ips) {
    const std::string canonical = canonical_address(ip);
    if (canonical.empty()) return util::fail("\"" + ip + "\" is not an IP address");
    out.ips.push_back(canonical);
  }
  for (std::string dns : names.dns) {
    if (const std::string canonical = canonical_address(dns); !canonical.empty()) {
      out.ips.push_back(canonical);
      continue;
    }
    if (dns.empty()) return util::fail("an empty host name cannot go in a certificate");
    if (!valid_host_name(dns))
      return util::fail("\"" + dns + "\" is not a host name a certificate can hold");
    std::transform(dns.begin(), dns.end(), dns.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.dns.push_back(dns);
  }
  sort_unique(out.dns);
  sort_unique(out.ips);
  return out;
}

util::Result<std::string> certificates_pem(const std::string& pem) {
  ossl::BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::string out;
  while (in) {
    CertPtr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    auto text = ossl::cert_pem(cert.get());
    if (!text) return text.error();
    out += *text;
  }
  ERR_clear_error();  // the end of the text
  if (out.empty()) return util::fail("no PEM certificate could be read");
  return out;
}

util::Result<std::string> subject_text(const Subject& subject) {
  auto name = make_name(subject.common_name, subject.cluster);
  if (!name) return name.error();
  return ossl::name_text(name->get());
}

util::Result<Pem> generate_ca_for(const std::string& cluster, KeyType type,
                                  const Validity& validity) {
  auto key = new_key(type);
  if (!key) return key.error();
  auto name = make_name("zkctl " + cluster + " CA", cluster);
  if (!name) return name.error();
  auto cert = new_cert(name->get(), key->get(), validity);
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, name->get()) != 1) return ossl::error("filling the CA certificate");
  if (auto r = add_exts(c, c,
                        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                         {NID_subject_key_identifier, "hash"}});
      !r)
    return r.error();
  if (auto r = sign(c, key->get()); !r) return r.error();
  auto cert_text = ossl::cert_pem(c);
  if (!cert_text) return cert_text.error();
  auto key_text = ossl::key_pem(key->get());
  if (!key_text) return key_text.error();
  return Pem{*cert_text, *key_text};
}

util::Result<Pem> generate_ca(const std::string& cluster, KeyType type, int days) {
  if (days < 1 || days > kMaxDays) return util::fail("a CA must be valid for 1 to 36500 days");
  const auto now = Clock::now();
  return generate_ca_for(cluster, type, {now - kClockSkew, now + std::chrono::days(days)});
}

util::Result<Pem> issue(const Pem& ca, const Subject& subject, const Names& names, KeyType type,
                        int days) {
  if (days < 1 || days > kMaxDays)
    return util::fail("a certificate must be valid for 1 to 36500 days");
  if (auto r = check_ca(ca); !r) return util::fail("the CA cannot issue: " + r.error().message);
  auto wanted = normalize(names);
  if (!wanted) return wanted.error();
  auto ca_cert = ossl::read_cert(ca.cert);
  auto ca_key = ossl::read_key(ca.key);
  auto name = make_name(subject.common_name, subject.cluster);
  if (!ca_cert || !ca_key || !name)
    return !name ? name.error() : !ca_cert ? ca_cert.error() : ca_key.error();
  Clock::time_point ca_end;
  if (!ossl::to_time_point(X509_get0_notAfter(ca_cert->get()), ca_end))
    return ossl::error("reading the CA's expiry");
  auto key = new_key(type);
  if (!key) return key.error();
  const auto now = Clock::now();
  auto cert = new_cert(name->get(), key->get(),
                       {now - kClockSkew, std::min(now + std::chrono::days(days), ca_end)});
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(ca_cert->get())) != 1)
    return ossl::error("filling a certificate");
  const char* usage = type == KeyType::rsa_3072 ? "critical,digitalSignature,keyEncipherment"
                                                : "critical,digitalSignature";
  // An operator's older CA may lack subjectKeyIdentifier: name it by issuer and serial then.
  const char* authority =
      X509_get0_subject_key_id(ca_cert->get()) != nullptr ? "keyid:always" : "issuer:always";
  if (auto r = add_exts(c, ca_cert->get(),
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, usage},
                         {NID_ext_key_usage, "serverAuth,clientAuth"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, authority}});
      !r)
    return r.error();
  if (auto r = add_san(c, *wanted); !r) return r.error();
  if (auto r = sign(c, ca_key->get()); !r) return r.error();
  auto leaf = ossl::cert_pem(c);
  auto chain = certificates_pem(ca.cert);
  auto key_text = ossl::key_pem(key->get());
  if (!leaf || !chain || !key_text)
    return !leaf ? leaf.error() : !chain ? chain.error() : key_text.error();
  return Pem{*leaf + *chain, *key_text};
}

}  // namespace zkctl::pki

namespace zkctl::pki {

util::Result<std::string> cross_sign(const Pem& old_ca, const std::string& new_ca_cert) {
  if (auto r = check_ca(old_ca); !r)
    return util::fail("the old CA cannot sign: " + r.error().message);
  auto issuer = ossl::read_cert(old_ca.cert);
  auto issuer_key = ossl::read_key(old_ca.key);
  auto subject = ossl::read_cert(new_ca_cert);
  if (!issuer || !issuer_key || !subject)
    return !issuer ? issuer.error() : !issuer_key ? issuer_key.error() : subject.error();
  X509* s = subject->get();
  if (X509_NAME_cmp(X509_get_subject_name(s), X509_get_subject_name(issuer->get())) != 0)
    return util::fail("the new CA's subject differs from the old CA's");
  Clock::time_point end_new;
  Clock::time_point end_old;
  if (!ossl::to_time_point(X509_get0_notAfter(s), end_new) ||
      !ossl::to_time_point(X509_get0_notAfter(issuer->get()), end_old))
    return ossl::error("reading the CAs' expiry");
  const auto now = Clock::now();
  auto cert = new_cert(X509_get_subject_name(s), X509_get0_pubkey(s),
                       {now - kClockSkew, std::min(end_new, end_old)});
  if (!cert) return cert.error();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(issuer->get())) != 1)
    return ossl::error("filling the cross-signed certificate");
  if (auto r = add_exts(c, issuer->get(),
                        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, "keyid:always"}});
      !r)
    return r.error();
  if (auto r = sign(c, issuer_key->get()); !r) return r.error();
  return ossl::cert_pem(c);
}

}  // namespace zkctl::pki
