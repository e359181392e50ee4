#include "ops/security/cluster_pki.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ops/cluster/state.hpp"
#include "ops/security/ca_files.hpp"

namespace zkctl::ops {

namespace {

bool is_address(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A kept file, never through a link (the pki dir is zkctl's own, 0700).
util::Result<std::string> read_text(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_symlink(path, ec)) return util::fail(path.string() + ": is a link");
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(path.string() + ": cannot read it");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string file_stem(const char* identity, const inventory::Node& node) {
  return std::string(identity) + "-" + node.host + "-" + std::to_string(node.id);
}

}  // namespace

std::string pki_dir(const std::string& cluster_name) {
  return (std::filesystem::path(state_home()) / "clusters" / cluster_name / "pki").string();
}

probe::ClientTls zkctl_client_tls(const inventory::Cluster& cluster) {
  if (!cluster.security.tls) return {};
  const std::filesystem::path dir = pki_dir(cluster.name);
  probe::ClientTls tls;
  tls.ca_file =
      cluster.security.ca_cert.empty() ? (dir / "ca.crt").string() : cluster.security.ca_cert;
  // During a CA rotation zkctl trusts what the nodes trust (old + new CA, then the new one).
  if (auto v = ca_view(cluster.name); v && cluster.security.ca_cert.empty())
    tls.ca_file = v->trust_file;
  tls.cert_file = (dir / (std::string(kAdminIdentity) + ".crt")).string();
  tls.key_file = (dir / (std::string(kAdminIdentity) + ".key")).string();
  return tls;
}

pki::Names names_for_host(const std::string& host) {
  pki::Names names;
  if (is_address(host)) {
    names.ips.push_back(host);
    return names;
  }
  names.dns.push_back(host);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return names;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* addr =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, addr, text, sizeof text) == nullptr) continue;
    if (std::find(names.ips.begin(), names.ips.end(), text) == names.ips.end())
      names.ips.emplace_back(text);
  }
  freeaddrinfo(res);
  return names;
}

ClusterPki::ClusterPki(const inventory::Cluster& cluster, PkiUse use, pki::StoreOptions options)
    : cluster_(cluster), use_(use), store_(std::move(options)) {}

util::Result<std::unique_ptr<ClusterPki>> ClusterPki::open(const inventory::Cluster& cluster,
                                                           PkiUse use) {
  const auto& sec = cluster.security;
  pki::StoreOptions o;
  o.dir = pki_dir(cluster.name);
  o.cluster = cluster.name;
  o.key_type = sec.key_type;
  o.cert_days = sec.cert_days;
  o.operator_ca_cert = sec.ca_cert;
  o.operator_ca_key = sec.ca_key;
  // Renew within 30 days of expiry, but never so early that every deploy reissues.
  o.renew_within_days = std::min(30, sec.cert_days / 3);
  if (sec.ca_cert.empty()) {
    auto view = ca_view(cluster.name);
    if (!view) return view.error();
    o.ca_stem = view->ca_stem;
    o.chain = view->chain;
  }
  if (use == PkiUse::existing && sec.ca_cert.empty() && !std::filesystem::exists(o.dir / "ca.crt"))
    return util::fail("cluster " + cluster.name + " has no CA on this machine (" +
                      (o.dir / "ca.crt").string() +
                      "): deploy creates it; a cluster deployed from another machine needs its "
                      "pki directory copied");
  return std::unique_ptr<ClusterPki>(new ClusterPki(cluster, use, std::move(o)));
}

util::Result<void> ClusterPki::refresh() {
  std::lock_guard lock(mu_);
  pki::StoreOptions o = store_.options();
  if (cluster_.security.ca_cert.empty()) {
    auto view = ca_view(cluster_.name);
    if (!view) return view.error();
    o.ca_stem = view->ca_stem;
    o.chain = view->chain;
  }
  store_ = pki::Store(std::move(o));
  return {};
}

util::Result<pki::Pem> ClusterPki::certificate(const std::string& name, const std::string& identity,
                                               const pki::Names& names) {
  std::lock_guard lock(mu_);
  if (use_ == PkiUse::issue) {
    if (auto ca = store_.ca(); !ca) return util::fail(ca.error().message);
    return store_.certificate(name, {identity, cluster_.name}, names);
  }
  const auto dir = store_.options().dir;
  auto cert = read_text(dir / (name + ".crt"));
  if (!cert) return util::fail(cert.error().message + " (deploy issues it)");
  auto key = read_text(dir / (name + ".key"));
  if (!key) return util::fail(key.error().message + " (deploy issues it)");
  return pki::Pem{*cert, *key};
}

util::Result<std::string> ClusterPki::ca_cert() {
  if (!cluster_.security.ca_cert.empty()) return read_text(cluster_.security.ca_cert);
  // During a CA rotation: what the nodes trust (old + new CA, then the new one).
  if (auto v = ca_view(cluster_.name);
      v && v->trust_file != (store_.options().dir / "ca.crt").string()) {
    if (use_ == PkiUse::issue) {
      std::lock_guard lock(mu_);
      if (auto ca = store_.ca(); !ca) return util::fail(ca.error().message);
    }
    return read_text(v->trust_file);
  }
  if (use_ == PkiUse::issue) {
    std::lock_guard lock(mu_);
    auto ca = store_.ca();
    if (!ca) return util::fail(ca.error().message);
    return ca->cert;
  }
  return read_text(store_.options().dir / "ca.crt");
}

util::Result<render::TlsMaterial> ClusterPki::node_tls(const char* identity,
                                                       const inventory::Node& node) {
  auto ca = ca_cert();
  if (!ca) return util::fail(ca.error().message);
  auto own = certificate(file_stem(identity, node), identity, names_for_host(node.host));
  if (!own) return util::fail(node.host + ": " + own.error().message);
  render::TlsMaterial out{*ca, own->key + own->cert, ""};
  if (std::string(identity) == kKafkaIdentity) {
    auto admin = certificate(kAdminIdentity, kAdminIdentity, {});
    if (!admin) return util::fail(admin.error().message);
    out.admin_pem = admin->key + admin->cert;
  }
  return out;
}

util::Result<void> ClusterPki::ensure_admin() {
  auto admin = certificate(kAdminIdentity, kAdminIdentity, {});
  if (!admin) return util::fail(admin.error().message);
  return {};
}

util::Result<pki::Pem> ClusterPki::user_certificate(const std::string& user) {
  return certificate("user-" + user, user, {});
}

}  // namespace zkctl::ops
