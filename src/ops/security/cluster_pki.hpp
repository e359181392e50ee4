#pragma once
// The cluster's certificates as one command uses them: where zkctl keeps them
// ($ZKCTL_HOME/clusters/<name>/pki), the identities zkctl issues (one per node, its own admin
// identity), the names a node's certificate must carry, and the files zkctl's own clients use.
// Only deploy issues (PkiUse::issue); every other command uses what is kept.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "pki/pki.hpp"
#include "probe/tls.hpp"
#include "render/tls_files.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// Whether a command may create the CA and certificates.
enum class PkiUse {
  existing,  // use the kept files (status, restart, ...): a missing one is an error
  issue,     // deploy: create what is missing, reissue what is stale
};

// The identities zkctl issues; a certificate's subject is CN=<identity>,OU=<cluster>,O=zkctl.
inline constexpr const char* kZooKeeperIdentity = "zookeeper";
inline constexpr const char* kKafkaIdentity = "kafka";
inline constexpr const char* kAdminIdentity = "zkctl-admin";

// $ZKCTL_HOME/clusters/<name>/pki
std::string pki_dir(const std::string& cluster_name);

// The files zkctl's own clients present and trust for `cluster`; empty when it has no TLS.
probe::ClientTls zkctl_client_tls(const inventory::Cluster& cluster);

// The subject alternative names of a node reached as `host`: the name itself and every address
// it resolves to here (an address literal is an IP entry only).
pki::Names names_for_host(const std::string& host);

class ClusterPki {
 public:
  // The cluster's store; with PkiUse::existing the CA must already be there (or be the
  // operator's). An error names the directory and what is missing.
  static util::Result<std::unique_ptr<ClusterPki>> open(const inventory::Cluster& cluster,
                                                        PkiUse use);

  // Node `node` of `identity`'s files (issued or renewed with PkiUse::issue).
  util::Result<render::TlsMaterial> node_tls(const char* identity, const inventory::Node& node);

  // zkctl's admin certificate, issued or renewed with PkiUse::issue; files at
  // zkctl_client_tls(cluster).
  util::Result<void> ensure_admin();

  // An mtls user's certificate (client-config): key + chain.
  util::Result<pki::Pem> user_certificate(const std::string& user);

  // The CA certificate (PEM).
  util::Result<std::string> ca_cert();

  // Re-read a CA rotation's state (`pki rotate --ca`, between its phases): which CA issues,
  // the chain served, what is trusted.
  util::Result<void> refresh();

  // What the store tightened (a file or dir open to others), for warnings.
  std::vector<std::string> notes() const { return store_.notes(); }

 private:
  ClusterPki(const inventory::Cluster& cluster, PkiUse use, pki::StoreOptions options);
  util::Result<pki::Pem> certificate(const std::string& name, const std::string& identity,
                                     const pki::Names& names);

  const inventory::Cluster& cluster_;
  PkiUse use_;
  pki::Store store_;
  std::mutex mu_;  // one certificate at a time: the store's files are shared
};

}  // namespace zkctl::ops
