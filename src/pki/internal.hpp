#pragma once
// What src/pki/ shares between its files and with its tests, beyond pki.hpp.

#include <chrono>
#include <string>

#include "pki/pki.hpp"

namespace zkctl::pki {

// A certificate's validity window.
struct Validity {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// generate_ca with an explicit window (tests make expired CAs with it).
util::Result<Pem> generate_ca_for(const std::string& cluster, KeyType type,
                                  const Validity& validity);

// The subject zkctl writes for `subject` as RFC 2253 text, as inspect reports it; an error
// when a field is empty or longer than X.509 allows (64).
util::Result<std::string> subject_text(const Subject& subject);

// Every certificate of `pem` re-encoded, in order (text around them dropped): the part of a
// chain after the leaf.
util::Result<std::string> certificates_pem(const std::string& pem);

// Whether `key_pem` is the private key of the first certificate of `cert_pem` and of `type`.
util::Result<void> key_fits(const std::string& cert_pem, const std::string& key_pem, KeyType type);

}  // namespace zkctl::pki
