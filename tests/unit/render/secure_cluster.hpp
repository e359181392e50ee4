#pragma once
// Secure variants of the seed layouts (seed_cluster.hpp) and stand-in PEM texts: render only
// places PEM text, so tests need no real keys.

#include <string>

#include "inventory/model.hpp"
#include "render/tls_files.hpp"
#include "seed_cluster.hpp"

namespace zkctl::render::testing {

// [security] with TLS, `authentication` and authorization on unless authentication is none.
inline inventory::SecuritySettings secure_settings(
    inventory::Authentication authentication = inventory::Authentication::scram) {
  inventory::SecuritySettings s;  // the model's defaults: tls, scram, authorization
  s.authentication = authentication;
  s.authorization = authentication != inventory::Authentication::none;
  return s;
}

// `c` made secure with `authentication` (INTERNAL listeners on 9094).
inline inventory::Cluster secured(inventory::Cluster c, inventory::Authentication authentication =
                                                            inventory::Authentication::scram) {
  return with_security(std::move(c), secure_settings(authentication));
}

// A PEM block of `type` holding the text `body` (not base64: render never decodes it).
inline std::string pem_block(const std::string& type, const std::string& body) {
  return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
}

// Stand-ins shaped like the pki store's output: keys PKCS#8, chains leaf then CA.
inline TlsMaterial fake_material() {
  const std::string ca = pem_block("CERTIFICATE", "ca-cert");
  return TlsMaterial{
      .ca_pem = ca,
      .node_pem = pem_block("PRIVATE KEY", "node-key") + pem_block("CERTIFICATE", "node-cert") + ca,
      .admin_pem =
          pem_block("PRIVATE KEY", "admin-key") + pem_block("CERTIFICATE", "admin-cert") + ca,
  };
}

}  // namespace zkctl::render::testing
