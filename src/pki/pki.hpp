#pragma once
// The cluster's certificates, made with OpenSSL's libcrypto: a CA (zkctl's own, generated once,
// or the operator's), and per-node certificates it issues (server and client usage, SANs for
// every name and address the node is reached by). PEM text in, PEM text out; the Store keeps
// them under $ZKCTL_HOME/clusters/<name>/pki/ (0700 dir, 0600 files). No private key is ever
// printed or put in an error message.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model.hpp"
#include "util/result.hpp"

namespace zkctl::pki {

using inventory::KeyType;

// A certificate (or chain: leaf first) and its private key (PKCS#8, unencrypted), both PEM.
struct Pem {
  std::string cert;
  std::string key;  // empty when the key is not ours to hold
};

// The subject zkctl writes: CN=<common_name>,OU=<cluster>,O=zkctl.
struct Subject {
  std::string common_name;
  std::string cluster;
};

// Subject alternative names.
struct Names {
  std::vector<std::string> dns;  // host names
  std::vector<std::string> ips;  // literal addresses (v4 or v6)
};

// What a certificate says, for status/check and the tests.
struct CertInfo {
  std::string subject;  // RFC 2253 text, e.g. "CN=kafka,OU=seed,O=zkctl"
  std::string issuer;
  Names names;
  bool is_ca = false;
  bool server_auth = false;  // extendedKeyUsage serverAuth
  bool client_auth = false;  // extendedKeyUsage clientAuth
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string sha256;  // fingerprint, lowercase hex

  // Whole days from `now` to not_after (negative once expired).
  long days_left(std::chrono::system_clock::time_point now) const;
};

// `names` as a certificate holds them: an entry of `dns` that is a literal address moves to
// `ips`, addresses in their canonical text (inet_ntop), host names lower-case, each list
// sorted without repeats. An error names an empty entry, an address that does not parse or a
// host name with characters DNS does not allow. Both lists empty is allowed (a client-only
// identity: no SAN extension).
util::Result<Names> normalize(const Names& names);

// A new self-signed CA for `cluster` (CN=zkctl <cluster> CA), valid `days` days.
util::Result<Pem> generate_ca(const std::string& cluster, KeyType type, int days = 3650);

// A new key and a certificate signed by `ca` for `subject` and `names`, valid `days` days
// (never past the CA's own expiry), keyUsage digitalSignature (+keyEncipherment for RSA),
// extendedKeyUsage serverAuth+clientAuth. cert holds the leaf then the CA certificate.
util::Result<Pem> issue(const Pem& ca, const Subject& subject, const Names& names, KeyType type,
                        int days);

// Parse the first certificate of `cert_pem`.
util::Result<CertInfo> inspect(const std::string& cert_pem);

// Whether the leaf of `cert_pem` chains to `ca_cert_pem` and is valid now.
util::Result<void> verify(const std::string& cert_pem, const std::string& ca_cert_pem);

// CA rotation (`pki rotate --ca`; added for it). `new_ca_cert` re-signed by `old_ca`: the same
// subject (a new CA keeps its cluster's CA name), key and CA extensions, issued by `old_ca`
// (RFC 4210's NewWithOld), valid no longer than either. Being self-issued it adds nothing to a
// path's length, so a client trusting only the old CA verifies leaf -> it -> old CA.
util::Result<std::string> cross_sign(const Pem& old_ca, const std::string& new_ca_cert);

// Whether `chain_pem` (the leaf, then certificates a server sends after it, untrusted) verifies
// now against the anchors in `trust_pem` (one or more CA certificates); the error says why.
util::Result<void> verify_chain(const std::string& chain_pem, const std::string& trust_pem);

// Whether `ca` can issue: a CA certificate (basicConstraints CA:TRUE), not expired, and
// `ca.key` is its private key. The error says which.
util::Result<void> check_ca(const Pem& ca);

// Where a cluster's certificates live and how new ones are made.
struct StoreOptions {
  std::filesystem::path dir;  // $ZKCTL_HOME/clusters/<name>/pki
  std::string cluster;        // the cluster's name (subjects' OU, the CA's CN)
  KeyType key_type = KeyType::ec_p256;
  int cert_days = 730;           // validity of node certificates
  std::string operator_ca_cert;  // the operator's CA (paths); empty: zkctl's own
  std::string operator_ca_key;
  int renew_within_days = 30;  // a kept certificate closer than this to expiry is reissued
  // CA rotation (`pki rotate --ca`; added for it): the file stem of the CA that issues
  // ("ca-next" once the new CA issues), and the certificates served after each leaf instead
  // of that CA's own (the new CA cross-signed by the old one); empty: the CA certificate.
  std::string ca_stem = "ca";
  std::string chain;
};

// The cluster's PKI on the control machine:
//   ca.crt, ca.key        zkctl's own CA (absent when the operator's is used)
//   ca-next.*, ca-cross.crt, ca-trust.crt   during a CA rotation (ops/security/ca_files)
//   <name>.crt, <name>.key every certificate it issued (nodes, "zkctl-admin")
// Files are written whole (temp + rename), 0600, in a 0700 dir.
// Kept files readable by group or others (and a dir open to them) are tightened to 0600
// (0700) and the store goes on, like $ZKCTL_HOME itself; notes() says what it tightened.
// A symlink in place of the dir or of a file is refused. Safe to use from several threads.
class Store {
 public:
  explicit Store(StoreOptions options);

  // The CA: the operator's (checked with check_ca), else the kept one, else a new one kept
  // from now on.
  util::Result<Pem> ca();

  // The certificate called `name` (file stem, e.g. "kafka-node1-11"): the kept one when the
  // current CA issued it, its subject and names equal these, and it is more than
  // renew_within_days from expiry; else a new one, kept. Also reissued: a key that does not
  // fit it or is not of key_type. A chain whose part after the leaf is not the one wanted
  // (options().chain, else the CA certificate) is rewritten with it, the leaf kept.
  util::Result<Pem> certificate(const std::string& name, const Subject& subject,
                                const Names& names);

  const StoreOptions& options() const { return options_; }

  // One line per thing this store found open to other users and tightened, or (the
  // operator's CA key, which is not zkctl's to change) found open and left; for warnings.
  std::vector<std::string> notes() const;

 private:
  util::Result<void> prepare_dir();  // callers hold *mutex_
  util::Result<Pem> load_ca();       // callers hold *mutex_
  util::Result<std::optional<std::string>> read_kept(const std::string& file);

  StoreOptions options_;
  std::unique_ptr<std::mutex> mutex_;  // behind a pointer, so the Store stays movable
  bool dir_ready_ = false;
  std::optional<Pem> ca_;
  std::vector<std::string> notes_;
};

}  // namespace zkctl::pki
