#include "pki/ossl.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <ctime>

namespace zkctl::pki::ossl {

namespace {

// A read-only memory BIO over `text` (which must outlive it).
BioPtr memory_in(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// Never asks a terminal for a passphrase: an encrypted key simply fails to load.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* refused) {
  *static_cast<bool*>(refused) = true;
  return -1;
}

}  // namespace

util::Error error(const std::string& what) {
  std::string message = what;
  std::string reasons;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    reasons += (reasons.empty() ? "" : "; ") + std::string(buf.data());
  }
  if (!reasons.empty()) message += ": " + reasons;
  return util::fail(message);
}

util::Result<CertPtr> read_cert(const std::string& pem) {
  ERR_clear_error();
  BioPtr in = memory_in(pem);
  CertPtr cert(in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return error("no PEM certificate could be read");
  return cert;
}

util::Result<KeyPtr> read_key(const std::string& pem) {
  ERR_clear_error();
  BioPtr in = memory_in(pem);
  bool encrypted = false;
  KeyPtr key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, &encrypted) : nullptr);
  if (!key && encrypted) {
    ERR_clear_error();
    return util::fail("the private key is encrypted; zkctl needs it unencrypted");
  }
  if (!key) return error("no PEM private key could be read");
  return key;
}

util::Result<std::string> cert_pem(X509* cert) {
  ERR_clear_error();
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert) != 1) return error("writing a certificate");
  return drain(out.get());
}

util::Result<std::string> key_pem(EVP_PKEY* key) {
  ERR_clear_error();
  BioPtr out(BIO_new(BIO_s_mem()));
  // No cipher: PKCS#8 PrivateKeyInfo, "BEGIN PRIVATE KEY", what Java's PEM loaders read.
  if (!out ||
      PEM_write_bio_PKCS8PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return error("writing a private key");
  return drain(out.get());
}

bool to_time_point(const ASN1_TIME* t, std::chrono::system_clock::time_point& out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  out = std::chrono::system_clock::from_time_t(::timegm(&tm));
  return true;
}

std::string name_text(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  return drain(out.get());
}

}  // namespace zkctl::pki::ossl
