#pragma once
// What `zkctl client-config USER` writes for an application: the files, their modes and bytes,
// filled from templates/client/. Pure: the caller writes them.

#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// The secrets and where the files will be (absolute dir), for one user.
struct ClientConfigInput {
  std::string dir;       // where the files go (absolute)
  std::string user;      // an inventory user ([[security.users]] name)
  std::string ca_pem;    // the cluster CA certificate
  std::string user_pem;  // the user's key + certificate chain (ZooKeeper TLS; mtls: Kafka too)
  std::string password;  // scram: the user's password (empty otherwise)
};

// One file of the bundle: name inside the dir, bytes, permission bits (0600 when it holds a
// secret: the password or a private key).
struct ClientFile {
  std::string name;
  std::string content;
  int mode = 0644;
};

// ca.crt, <user>.pem / .crt / .key, password.properties (scram), client.properties (Java),
// librdkafka.conf (kcat -F), zookeeper-client.properties. Fails on a cluster without TLS or
// without Kafka, or a user the inventory does not list.
util::Result<std::vector<ClientFile>> client_config_files(const inventory::Cluster& cluster,
                                                          const ClientConfigInput& in,
                                                          const RenderOptions& options = {});

}  // namespace zkctl::render
