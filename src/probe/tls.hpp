#pragma once
// How zkctl's own clients reach a secure cluster: TLS with the cluster CA and zkctl's admin
// certificate (mutual TLS). An empty ClientTls means plaintext (an open cluster).

#include <string>
#include <utility>

namespace zkctl::probe {

// Files on the control machine (PEM), from the cluster's pki dir.
struct ClientTls {
  std::string ca_file;    // the CA every server certificate chains to; empty: no TLS
  std::string cert_file;  // zkctl's client certificate (leaf first); empty: none presented
  std::string key_file;   // its private key

  bool enabled() const { return !ca_file.empty(); }
};

// Where and how zkctl's Kafka client connects: the bootstrap list ("h1:9094,h2:9094") and TLS.
// Built implicitly from a bootstrap string for open clusters.
struct KafkaAccess {
  std::string bootstrap;
  ClientTls tls;

  KafkaAccess(std::string b, ClientTls t = {})  // NOLINT(google-explicit-constructor)
      : bootstrap(std::move(b)), tls(std::move(t)) {}
  KafkaAccess(const char* b) : bootstrap(b) {}  // NOLINT(google-explicit-constructor)
};

}  // namespace zkctl::probe
