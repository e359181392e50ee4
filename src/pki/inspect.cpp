// Reading certificates: what one says, whether it chains to a CA, whether a CA can issue.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <cstdio>

#include "pki/internal.hpp"
#include "pki/ossl.hpp"

namespace zkctl::pki {

namespace {

using Clock = std::chrono::system_clock;

std::string address_text(const ASN1_OCTET_STRING* ip) {
  std::array<char, INET6_ADDRSTRLEN> out{};
  const int n = ASN1_STRING_length(ip);
  const int family = n == 4 ? AF_INET : n == 16 ? AF_INET6 : 0;
  if (family == 0 ||
      ::inet_ntop(family, ASN1_STRING_get0_data(ip), out.data(), out.size()) == nullptr)
    return "";
  return out.data();
}

Names san_names(X509* cert) {
  Names names;
  ossl::GeneralNamesPtr gens(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens.get()); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(gens.get(), i);
    if (gen->type == GEN_DNS) {
      const auto* s = gen->d.dNSName;
      names.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (gen->type == GEN_IPADD) {
      names.ips.push_back(address_text(gen->d.iPAddress));
    }
  }
  return names;
}

std::string fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md.data(), &n) != 1) return "";
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    std::array<char, 3> two{};
    std::snprintf(two.data(), two.size(), "%02x", md[i]);
    hex += two.data();
  }
  return hex;
}

// Every certificate of `pem` added to `store` as trusted; how many.
int trust_all(X509_STORE* store, const std::string& pem) {
  ossl::BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  int added = 0;
  while (in) {
    ossl::CertPtr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
    if (!cert || X509_STORE_add_cert(store, cert.get()) != 1) break;
    ++added;
  }
  ERR_clear_error();
  return added;
}

struct CertsFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

// A CA by its extensions: basicConstraints CA:TRUE, and keyCertSign when keyUsage is there.
bool issues_certificates(X509* cert) {
  const uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_BCONS) == 0 || (flags & EXFLAG_CA) == 0) return false;
  return (flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(cert) & KU_KEY_CERT_SIGN) != 0;
}

}  // namespace

long CertInfo::days_left(Clock::time_point now) const {
  return static_cast<long>(std::chrono::floor<std::chrono::days>(not_after - now).count());
}

util::Result<CertInfo> inspect(const std::string& cert_pem) {
  auto cert = ossl::read_cert(cert_pem);
  if (!cert) return cert.error();
  X509* c = cert->get();
  CertInfo info;
  info.subject = ossl::name_text(X509_get_subject_name(c));
  info.issuer = ossl::name_text(X509_get_issuer_name(c));
  info.names = san_names(c);
  const uint32_t flags = X509_get_extension_flags(c);  // also caches the extensions
  info.is_ca = (flags & EXFLAG_BCONS) != 0 && (flags & EXFLAG_CA) != 0;
  if ((flags & EXFLAG_XKUSAGE) != 0) {
    info.server_auth = (X509_get_extended_key_usage(c) & XKU_SSL_SERVER) != 0;
    info.client_auth = (X509_get_extended_key_usage(c) & XKU_SSL_CLIENT) != 0;
  }
  if (!ossl::to_time_point(X509_get0_notBefore(c), info.not_before) ||
      !ossl::to_time_point(X509_get0_notAfter(c), info.not_after))
    return ossl::error("reading a certificate's validity");
  info.sha256 = fingerprint(c);
  return info;
}

util::Result<void> verify(const std::string& cert_pem, const std::string& ca_cert_pem) {
  auto leaf = ossl::read_cert(cert_pem);
  if (!leaf) return leaf.error();
  ossl::StorePtr store(X509_STORE_new());
  ossl::StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx) return ossl::error("preparing a verification");
  if (trust_all(store.get(), ca_cert_pem) == 0)
    return util::fail("the CA certificate could not be read");
  // The CA given is the anchor even when it is an intermediate of the operator's own PKI.
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), nullptr) != 1)
    return ossl::error("preparing a verification");
  if (X509_verify_cert(ctx.get()) == 1) return {};
  ERR_clear_error();
  const int code = X509_STORE_CTX_get_error(ctx.get());
  return util::fail("the certificate " + ossl::name_text(X509_get_subject_name(leaf->get())) +
                    " does not verify against the CA: " + X509_verify_cert_error_string(code));
}

util::Result<void> verify_chain(const std::string& chain_pem, const std::string& trust_pem) {
  auto leaf = ossl::read_cert(chain_pem);
  if (!leaf) return leaf.error();
  ossl::StorePtr store(X509_STORE_new());
  ossl::StoreCtxPtr ctx(X509_STORE_CTX_new());
  std::unique_ptr<STACK_OF(X509), CertsFree> untrusted(sk_X509_new_null());
  if (!store || !ctx || !untrusted) return ossl::error("preparing a verification");
  if (trust_all(store.get(), trust_pem) == 0)
    return util::fail("no trusted certificate could be read");
  ossl::BioPtr in(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())));
  for (bool first = true; in; first = false) {
    X509* cert = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    if (first || sk_X509_push(untrusted.get(), cert) == 0) X509_free(cert);
  }
  ERR_clear_error();
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), untrusted.get()) != 1)
    return ossl::error("preparing a verification");
  if (X509_verify_cert(ctx.get()) == 1) return {};
  ERR_clear_error();
  return util::fail(
      "the chain of " + ossl::name_text(X509_get_subject_name(leaf->get())) +
      " does not verify: " + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
}

util::Result<void> check_ca(const Pem& ca) {
  auto cert = ossl::read_cert(ca.cert);
  if (!cert) return util::fail("CA certificate: " + cert.error().message);
  X509* c = cert->get();
  const std::string who = ossl::name_text(X509_get_subject_name(c));
  if (!issues_certificates(c))
    return util::fail(who + " is not a CA certificate (basicConstraints CA:TRUE and keyCertSign)");
  if (X509_cmp_current_time(X509_get0_notAfter(c)) <= 0) {
    ERR_clear_error();
    return util::fail("the CA certificate " + who + " has expired");
  }
  auto key = ossl::read_key(ca.key);
  if (!key) return util::fail("CA key: " + key.error().message);
  if (EVP_PKEY_eq(X509_get0_pubkey(c), key->get()) != 1) {
    ERR_clear_error();
    return util::fail("the CA key is not the key of the CA certificate " + who);
  }
  return {};
}

util::Result<void> key_fits(const std::string& cert_pem, const std::string& key_pem, KeyType type) {
  auto cert = ossl::read_cert(cert_pem);
  if (!cert) return cert.error();
  auto key = ossl::read_key(key_pem);
  if (!key) return key.error();
  if (EVP_PKEY_eq(X509_get0_pubkey(cert->get()), key->get()) != 1) {
    ERR_clear_error();
    return util::fail("the key is not the certificate's");
  }
  const int want = type == KeyType::rsa_3072 ? EVP_PKEY_RSA : EVP_PKEY_EC;
  if (EVP_PKEY_get_base_id(key->get()) != want) return util::fail("the key is of another type");
  if (EVP_PKEY_get_bits(key->get()) != (type == KeyType::rsa_3072 ? 3072 : 256))
    return util::fail("the key is of another size");
  return {};
}

}  // namespace zkctl::pki
