#pragma once
// The TLS material a secure cluster's node holds, as files: its key and certificate chain, the
// CA, and on Kafka nodes zkctl's admin identity for the kafka-* tools zkctl runs there. The
// PEM texts come from the caller (the pki store); render only places them.

#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// PEM texts for one node. Never printed: errors name the field, not its content.
struct TlsMaterial {
  std::string ca_pem;     // the CA certificate(s) every node and client chains to
  std::string node_pem;   // the node's PKCS#8 private key, then its certificate chain
  std::string admin_pem;  // zkctl-admin's key then chain (Kafka nodes only; ignored otherwise)
};

// <conf>/tls/node.pem (0640 root:<service group>: the service reads it, cannot change it)
// and <conf>/tls/ca.pem (0644 root) of `server`. Fails if a PEM text is missing its key or
// certificate, or holds a NUL byte.
util::Result<std::vector<RenderedFile>> zookeeper_tls_files(const inventory::Server& server,
                                                            const TlsMaterial& material);

// node.pem and ca.pem of `node` as for ZooKeeper under <config>/tls/, plus admin.pem and
// admin.properties (0600 root:root: zkctl's identity, for root only; the properties point
// the tools at admin.pem and ca.pem over SSL). Fails as zookeeper_tls_files does, also for
// admin_pem, or if admin.properties does not render.
util::Result<std::vector<RenderedFile>> kafka_tls_files(const inventory::KafkaNode& node,
                                                        const TlsMaterial& material,
                                                        const RenderOptions& options = {});

}  // namespace zkctl::render
