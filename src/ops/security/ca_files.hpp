#pragma once
// A CA rotation's state on this machine (`pki rotate --ca`): the phase record in
// $ZKCTL_HOME/clusters/<name>/ca-rotation and the files it adds to the cluster's pki dir:
//   ca-next.crt, ca-next.key  the new CA (same subject as the old one), from trust-both on
//   ca-trust.crt              new + old CA: what nodes and zkctl trust, trust-both and reissue
//   ca-cross.crt              the new CA signed by the old one (from trust-both on), served after
//                             each leaf from reissue until drop-old's second roll
// Both CAs have one subject, so the cross-signed certificate is self-issued: a client trusting
// only the old CA (pathlen:0) verifies leaf -> it -> old CA. ZooKeeper's PEM trust store keeps
// one CA per subject (the bundle's last, the old one): it accepts the new CA's certificates
// through the cross-signed one, so drop-old first makes every node trust the new CA alone
// (chains still cross-signed), then drops the cross-signed certificate from the chains.
// ca.crt/ca.key stay the old CA until drop-old completes, when the old CA is archived under
// pki/archive/ and the new one becomes ca.crt/ca.key.

#include <optional>
#include <string>
#include <vector>

#include "pki/pki.hpp"
#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::ops {

// The phases, in order.
enum class CaPhase { trust_both, reissue, drop_old };
inline constexpr CaPhase kCaPhases[] = {CaPhase::trust_both, CaPhase::reissue, CaPhase::drop_old};
// "trust-both", "reissue", "drop-old".
const char* to_string(CaPhase phase);
std::optional<CaPhase> ca_phase_named(const std::string& name);
// What a phase changes, one line for plan and --dry-run.
std::string ca_phase_change(CaPhase phase);

// The record: the phase being run or last run, whether it completed, and the nodes (labels)
// that picked up its files, so an interrupted phase resumes with the others.
struct CaRecord {
  CaPhase phase = CaPhase::trust_both;
  bool done = false;
  std::vector<std::string> nodes_done;
};
// The record of cluster `name`; nullopt when no rotation is under way. An unreadable record
// is an error (never guessed).
util::Result<std::optional<CaRecord>> read_ca_record(const std::string& name);
util::Result<void> write_ca_record(const std::string& name, const CaRecord& record);
util::Result<void> remove_ca_record(const std::string& name);

// How the cluster's pki is used while the record says `record`: the issuing CA's stem, the
// chain served after a leaf (PEM; "" for the CA's own) and the file trusted (ca-trust.crt or
// the issuing CA). Without a record: ca, "", ca.crt.
struct CaView {
  std::string ca_stem = "ca";
  std::string chain;
  std::string trust_file;  // absolute
};
util::Result<CaView> ca_view(const std::string& cluster);

// Make the pki dir hold what `phase` needs (each step idempotent, so a rerun redoes only
// what is missing): trust-both makes the new CA, the bundle and the cross-signed certificate,
// reissue checks them, drop-old removes the bundle (every node then trusts the new CA only).
util::Result<void> enter_ca_phase(const std::string& cluster, CaPhase phase,
                                  inventory::KeyType key_type);
// Whether chains still carry the cross-signed certificate, and drop-old's second step: they
// no longer do.
bool ca_cross_served(const std::string& cluster);
util::Result<void> drop_ca_cross(const std::string& cluster);

// After drop-old: the old CA archived (pki/archive/ca-<sha256 prefix>.crt/.key), the new one
// made ca.crt/ca.key, the rotation's files and the record removed. Idempotent.
util::Result<void> finish_ca_rotation(const std::string& cluster);

}  // namespace zkctl::ops
