#pragma once
// libcrypto handles owned by unique_ptr (nothing leaks on any path), PEM in and out, and
// errors from OpenSSL's error queue (ERR_error_string_n: reason codes, never key bytes).
// Internal to src/pki/.

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace zkctl::pki::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using OctetsPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;

// `what` plus the reasons OpenSSL queued (the queue is emptied), e.g.
// "reading the key: error:1E08010C:DECODER routines::unsupported".
util::Error error(const std::string& what);

// The first certificate of `pem`.
util::Result<CertPtr> read_cert(const std::string& pem);

// The private key in `pem` (PKCS#8, or the traditional RSA/EC forms); an encrypted key is
// refused, never prompted for.
util::Result<KeyPtr> read_key(const std::string& pem);

// `cert` as PEM text.
util::Result<std::string> cert_pem(X509* cert);

// `key` as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
util::Result<std::string> key_pem(EVP_PKEY* key);

// `t` as a point in time (false when OpenSSL cannot read it).
bool to_time_point(const ASN1_TIME* t, std::chrono::system_clock::time_point& out);

// `name` as RFC 2253 text ("CN=kafka,OU=seed,O=zkctl").
std::string name_text(const X509_NAME* name);

}  // namespace zkctl::pki::ossl
