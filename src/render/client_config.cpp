#include "render/client_config.hpp"

#include <algorithm>

namespace zkctl::render {

namespace {

namespace m = kainjow::mustache;

// The first PEM block of `pem` whose BEGIN line contains `kind` ("CERTIFICATE", "PRIVATE KEY"),
// and for certificates every later one too (the chain).
std::string pem_blocks(const std::string& pem, const std::string& kind, bool all) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    auto begin = pem.find("-----BEGIN ", at);
    if (begin == std::string::npos) break;
    auto line_end = pem.find('\n', begin);
    auto end = pem.find("-----END ", begin);
    if (line_end == std::string::npos || end == std::string::npos) break;
    auto end_line = pem.find('\n', end);
    end_line = end_line == std::string::npos ? pem.size() : end_line + 1;
    if (pem.compare(begin, line_end - begin, "-----BEGIN " + kind + "-----") == 0) {
      out += pem.substr(begin, end_line - begin);
      if (!all) break;
    }
    at = end_line;
  }
  return out;
}

std::string bootstrap_of(const inventory::Cluster& cluster) {
  std::string out;
  for (const auto* b : cluster.brokers())
    out += (out.empty() ? "" : ",") + b->host + ":" + std::to_string(b->listener_port);
  return out;
}

std::string zookeeper_connect_of(const inventory::Cluster& cluster) {
  std::string out;
  for (const auto& s : cluster.servers)
    out += (out.empty() ? "" : ",") + s.host + ":" + std::to_string(s.ports.client);
  return out;
}

}  // namespace

util::Result<std::vector<ClientFile>> client_config_files(const inventory::Cluster& cluster,
                                                          const ClientConfigInput& in,
                                                          const RenderOptions& options) {
  const auto& users = cluster.security.users;
  if (!cluster.security.tls) return util::fail("cluster " + cluster.name + " has no TLS");
  if (!cluster.kafka) return util::fail("cluster " + cluster.name + " has no Kafka");
  if (std::none_of(users.begin(), users.end(), [&](const auto& u) { return u.name == in.user; }))
    return util::fail("no user " + in.user + " in [[security.users]]");
  const bool scram = cluster.security.authentication == inventory::Authentication::scram;
  const std::string base = in.dir + "/" + in.user;
  m::data v;
  v.set("user", in.user);
  v.set("cluster", cluster.name);
  v.set("bootstrap", bootstrap_of(cluster));
  v.set("zookeeper_connect", zookeeper_connect_of(cluster));
  v.set("scram", scram);
  v.set("ca_file", in.dir + "/ca.crt");
  v.set("user_pem", base + ".pem");
  v.set("user_crt", base + ".crt");
  v.set("user_key", base + ".key");
  v.set("password", in.password);
  v.set("password_properties", in.dir + "/password.properties");
  std::vector<ClientFile> out = {
      {"ca.crt", in.ca_pem, 0644},
      {in.user + ".pem", in.user_pem, 0600},
      {in.user + ".crt", pem_blocks(in.user_pem, "CERTIFICATE", true), 0644},
      {in.user + ".key", pem_blocks(in.user_pem, "PRIVATE KEY", false), 0600},
  };
  if (scram) out.push_back({"password.properties", "password=" + in.password + "\n", 0600});
  const std::pair<const char*, int> templates[] = {{"client.properties", 0644},
                                                   {"librdkafka.conf", scram ? 0600 : 0644},
                                                   {"zookeeper-client.properties", 0644}};
  for (const auto& [name, mode] : templates) {
    auto text = render_template(std::string("client/") + name + ".mustache", v, options);
    if (!text) return util::fail(text.error().message);
    out.push_back({name, *text, mode});
  }
  return out;
}

}  // namespace zkctl::render
