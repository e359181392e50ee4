#include "render/security.hpp"

namespace zkctl::render {

std::string subject_dn(std::string_view common_name, std::string_view cluster) {
  std::string dn = "CN=";
  dn.append(common_name).append(",OU=").append(cluster).append(",O=");
  dn.append(kSubjectOrganization);
  return dn;
}

std::string kafka_principal(std::string_view common_name) {
  return "User:" + std::string(common_name);
}

util::Result<std::string> kafka_principal_mapping_rules(std::string_view cluster) {
  std::string pattern;
  for (const char c : cluster) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    if (c == '.') {
      pattern += "[.]";  // a literal dot without a backslash
    } else if (plain) {
      pattern += c;
    } else {
      return util::fail("cluster name '" + std::string(cluster) +
                        "' holds a character outside [A-Za-z0-9_.-]");
    }
  }
  if (pattern.empty()) return util::fail("the cluster has no name");
  return "RULE:^CN=([^,]+),OU=" + pattern + ",O=" + std::string(kSubjectOrganization) +
         "$/$1/,DEFAULT";
}

util::Result<void> check_security(const inventory::SecuritySettings& security) {
  using inventory::Authentication;
  if (security.authentication != Authentication::none && !security.tls) {
    return util::fail(std::string("[security] authentication = \"") +
                      inventory::to_string(security.authentication) +
                      "\" needs tls = true (servers prove who they are with certificates)");
  }
  if (security.authorization && security.authentication == Authentication::none) {
    return util::fail(
        "[security] authorization = true needs authentication (\"scram\" or \"mtls\"): "
        "without it every client, brokers included, is User:ANONYMOUS");
  }
  return {};
}

const inventory::SecuritySettings& rendered_security(const inventory::Cluster& cluster) {
  return cluster.onramp ? cluster.onramp->security : cluster.security;
}

bool holds_tls_files(const inventory::Cluster& cluster) {
  return rendered_security(cluster).tls;
}

}  // namespace zkctl::render
