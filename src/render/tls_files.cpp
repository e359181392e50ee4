#include "render/tls_files.hpp"

#include <kainjow/mustache.hpp>
#include <string_view>
#include <utility>

#include "render/guards.hpp"
#include "render/kafka_paths.hpp"
#include "render/zk_paths.hpp"

namespace zkctl::render {

namespace {

constexpr std::string_view kCertificate = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kPrivateKey = "-----BEGIN PRIVATE KEY-----";  // PKCS#8, unencrypted

enum class HoldsKey { no, yes };

// `pem` (named `what`) holds a certificate and, when `key` says so, a PKCS#8 key before it.
// The message names the field only: the text may be a private key.
util::Result<void> check_pem(const std::string& what, const std::string& pem, HoldsKey key) {
  if (pem.find('\0') != std::string::npos) return util::fail(what + " holds a NUL byte");
  const auto cert = pem.find(kCertificate);
  if (cert == std::string::npos) return util::fail(what + " holds no PEM certificate");
  if (key == HoldsKey::yes) {
    const auto k = pem.find(kPrivateKey);
    if (k == std::string::npos || k > cert) {
      return util::fail(what +
                        " does not start with a PKCS#8 private key (BEGIN PRIVATE KEY) before "
                        "its certificates");
    }
  }
  return {};
}

// The node's key and chain (readable by the service's group) and the CA (public).
util::Result<std::vector<RenderedFile>> node_files(const std::string& node_pem_path,
                                                   const std::string& ca_pem_path,
                                                   const TlsMaterial& material) {
  if (auto r = check_pem("the node's PEM (key and chain)", material.node_pem, HoldsKey::yes); !r)
    return r.error();
  if (auto r = check_pem("the CA PEM", material.ca_pem, HoldsKey::no); !r) return r.error();
  std::vector<RenderedFile> files;
  files.push_back(RenderedFile{.path = node_pem_path,
                               .content = material.node_pem,
                               .mode = 0640,
                               .owner = FileOwner::root_service});
  files.push_back(RenderedFile{.path = ca_pem_path, .content = material.ca_pem, .mode = 0644});
  return files;
}

}  // namespace

util::Result<std::vector<RenderedFile>> zookeeper_tls_files(const inventory::Server& server,
                                                            const TlsMaterial& material) {
  const ZkPaths paths = zk_paths(server);
  auto files = node_files(paths.node_pem, paths.ca_pem, material);
  if (!files) return on_node(server, files.error());
  return files;
}

util::Result<std::vector<RenderedFile>> kafka_tls_files(const inventory::KafkaNode& node,
                                                        const TlsMaterial& material,
                                                        const RenderOptions& options) {
  const auto prefix = [&](const util::Error& e) { return on_node(node, e); };
  const KafkaPaths paths = kafka_paths(node);
  auto files = node_files(paths.node_pem, paths.ca_pem, material);
  if (!files) return prefix(files.error());
  if (auto r = check_pem("zkctl's admin PEM (key and chain)", material.admin_pem, HoldsKey::yes);
      !r)
    return prefix(r.error());
  if (auto r = check_properties_value("admin.pem path", paths.admin_pem, "admin.properties"); !r)
    return prefix(r.error());
  if (auto r = check_properties_value("ca.pem path", paths.ca_pem, "admin.properties"); !r)
    return prefix(r.error());
  kainjow::mustache::data d;
  d.set("admin_pem", paths.admin_pem);
  d.set("ca_pem", paths.ca_pem);
  auto properties = render_template("kafka/admin.properties.mustache", d, options);
  if (!properties) return prefix(properties.error());
  files->push_back(RenderedFile{.path = paths.admin_pem,
                                .content = material.admin_pem,
                                .mode = 0600,
                                .read_by = ReadBy::zkctl});
  files->push_back(RenderedFile{.path = paths.admin_properties,
                                .content = std::move(*properties),
                                .mode = 0600,
                                .read_by = ReadBy::zkctl});
  return files;
}

}  // namespace zkctl::render
