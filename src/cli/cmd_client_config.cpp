#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/security/cluster_pki.hpp"
#include "ops/security/users.hpp"
#include "render/client_config.hpp"
#include "util/file.hpp"

namespace zkctl::cli {

namespace {

namespace fs = std::filesystem;

const inventory::SecurityUser* find_user(const inventory::Cluster& cluster,
                                         const std::string& name) {
  for (const auto& u : cluster.security.users)
    if (u.name == name) return &u;
  return nullptr;
}

// The user's secrets: their certificate (issued here if new) and, for scram, the password.
util::Result<render::ClientConfigInput> secrets_of(const inventory::Cluster& cluster,
                                                   const inventory::SecurityUser& user,
                                                   const std::string& dir) {
  auto pki = ops::ClusterPki::open(cluster, ops::PkiUse::issue);
  if (!pki) return util::fail(pki.error().message);
  auto ca = (*pki)->ca_cert();
  if (!ca) return util::fail(ca.error().message);
  auto cert = (*pki)->user_certificate(user.name);
  if (!cert) return util::fail(cert.error().message);
  for (const auto& n : (*pki)->notes()) std::fprintf(stderr, "zkctl: warning: %s\n", n.c_str());
  render::ClientConfigInput in{dir, user.name, *ca, cert->key + cert->cert, ""};
  if (cluster.security.authentication == inventory::Authentication::scram) {
    auto pw = ops::user_password(cluster.name, user);
    if (!pw) return util::fail(pw.error().message);
    in.password = *pw;
  }
  return in;
}

}  // namespace

int cmd_client_config(GlobalOptions& g, const std::string& user, const std::string& out_dir) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  const auto& cluster = loaded->cluster;
  const auto* u = find_user(cluster, user);
  if (u == nullptr) {
    std::fprintf(stderr, "zkctl: client-config: no user %s in [[security.users]] of %s\n",
                 user.c_str(), loaded->path.c_str());
    return kUsage;
  }
  std::error_code ec;
  const fs::path dir = fs::absolute(out_dir.empty() ? cluster.name + "-" + user : out_dir, ec);
  auto in = secrets_of(cluster, *u, dir.string());
  if (!in) {
    std::fprintf(stderr, "zkctl: client-config: %s\n", in.error().message.c_str());
    return kFailed;
  }
  auto files = render::client_config_files(cluster, *in, g.ops.templates);
  if (!files) {
    std::fprintf(stderr, "zkctl: client-config: %s\n", files.error().message.c_str());
    return kUsage;
  }
  if (auto r = util::make_dirs(dir.string(), 0700); !r) {
    std::fprintf(stderr, "zkctl: client-config: %s\n", r.error().message.c_str());
    return kFailed;
  }
  for (const auto& f : *files) {
    if (auto r = util::write_file_atomically((dir / f.name).string(), f.content,
                                             static_cast<unsigned>(f.mode));
        !r) {
      std::fprintf(stderr, "zkctl: client-config: %s\n", r.error().message.c_str());
      return kFailed;
    }
    std::printf("%04o  %s\n", f.mode, (dir / f.name).c_str());
  }
  std::printf("\nkcat -F %s -L\n", (dir / "librdkafka.conf").c_str());
  return kOk;
}

}  // namespace zkctl::cli
