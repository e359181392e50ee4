// zoo.cfg of a cluster with [security] tls: every TLS key, the closed plaintext port, the
// AdminServer on loopback, x509 authentication with zkctl-admin as super user, and the
// extra keys TLS manages refused.

#include <gtest/gtest.h>

#include <string>

#include "render/zookeeper.hpp"
#include "secure_cluster.hpp"

namespace zkctl::render {
namespace {

using inventory::Authentication;

std::string zoo_cfg(const inventory::Cluster& c, int index = 1) {
  auto files = render_zookeeper_node(c, c.servers[index]);
  EXPECT_TRUE(files.ok()) << files.error().message;
  return files.ok() ? (*files)[0].content : std::string();
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

bool has_key(const std::string& text, const std::string& key) {
  return ("\n" + text).find("\n" + key + "=") != std::string::npos;
}

TEST(RenderSecureZooCfg, TlsOnTheClientPortAndTheQuorum) {
  const auto cfg = zoo_cfg(testing::secured(testing::seed_cluster()));
  for (const char* line : {
           "secureClientPort=2181",
           "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
           "ssl.keyStore.location=/opt/zookeeper/conf/tls/node.pem",
           "ssl.keyStore.type=PEM",
           "ssl.trustStore.location=/opt/zookeeper/conf/tls/ca.pem",
           "ssl.trustStore.type=PEM",
           "ssl.clientAuth=need",
           "sslQuorum=true",
           "ssl.quorum.keyStore.location=/opt/zookeeper/conf/tls/node.pem",
           "ssl.quorum.keyStore.type=PEM",
           "ssl.quorum.trustStore.location=/opt/zookeeper/conf/tls/ca.pem",
           "ssl.quorum.trustStore.type=PEM",
           "ssl.quorum.hostnameVerification=true",
           "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
           "X509AuthenticationProvider.superUser=CN=zkctl-admin,OU=seed,O=zkctl",
           "server.1=node1:2888:3888",
           "4lw.commands.whitelist=srvr,stat,mntr,ruok,conf,isro",
       }) {
    EXPECT_TRUE(has_line(cfg, line)) << line << "\n" << cfg;
  }
  EXPECT_FALSE(has_key(cfg, "clientPort")) << "the plaintext port stays closed\n" << cfg;
}

// ZooKeeper 3.9 on Java 11+ enables TLSv1.3 only unless told, and 3.8 clients (Kafka 3.9's
// ZooKeeper client, a 3.8 server in the quorum mid-upgrade) offer TLSv1.2 only: both listeners
// must accept both, or brokers never connect ("client supported protocol versions [TLSv1.2] are
// not accepted by server preferences [TLSv1.3]", seen in tls_smoke with SMOKE_KAFKA_ZK=3.9).
TEST(RenderSecureZooCfg, BothTlsVersionsAcceptedOnClientPortAndQuorum) {
  const auto cfg = zoo_cfg(testing::secured(testing::seed_cluster()));
  EXPECT_TRUE(has_line(cfg, "ssl.enabledProtocols=TLSv1.3,TLSv1.2")) << cfg;
  EXPECT_TRUE(has_line(cfg, "ssl.quorum.enabledProtocols=TLSv1.3,TLSv1.2")) << cfg;
}

TEST(RenderSecureZooCfg, MtlsIsTheSameOnZooKeeper) {
  // scram concerns Kafka's clients only: ZooKeeper's clients use certificates either way.
  EXPECT_EQ(zoo_cfg(testing::secured(testing::seed_cluster(), Authentication::mtls)),
            zoo_cfg(testing::secured(testing::seed_cluster(), Authentication::scram)));
}

TEST(RenderSecureZooCfg, EncryptedOnlyAsksNoCertificateAndHasNoSuperUser) {
  const auto cfg = zoo_cfg(testing::secured(testing::seed_cluster(), Authentication::none));
  EXPECT_TRUE(has_line(cfg, "ssl.clientAuth=none")) << cfg;
  EXPECT_TRUE(has_line(cfg, "secureClientPort=2181")) << cfg;
  EXPECT_TRUE(has_line(cfg, "sslQuorum=true")) << cfg;
  EXPECT_FALSE(has_key(cfg, "authProvider.x509")) << cfg;
  EXPECT_FALSE(has_key(cfg, "X509AuthenticationProvider.superUser")) << cfg;
}

TEST(RenderSecureZooCfg, AdminServerListensOnLoopbackOnly) {
  auto c = testing::secured(testing::seed_cluster());
  for (auto& s : c.servers) s.ports.admin = 8080;
  const auto cfg = zoo_cfg(c);
  EXPECT_NE(cfg.find("admin.enableServer=true\nadmin.serverAddress=127.0.0.1\n"
                     "admin.serverPort=8080\n"),
            std::string::npos)
      << cfg;
  auto open = testing::seed_cluster();
  for (auto& s : open.servers) s.ports.admin = 8080;
  EXPECT_FALSE(has_key(zoo_cfg(open), "admin.serverAddress"));
}

TEST(RenderSecureZooCfg, OpenClusterKeepsThePlaintextPortAndNoTls) {
  const auto cfg = zoo_cfg(testing::seed_cluster());
  EXPECT_TRUE(has_line(cfg, "clientPort=2181")) << cfg;
  for (const char* key : {"secureClientPort", "serverCnxnFactory", "sslQuorum", "ssl.clientAuth",
                          "authProvider.x509"}) {
    EXPECT_FALSE(has_key(cfg, key)) << key;
  }
}

TEST(RenderSecureZooCfg, TlsPathsFollowTheInstallDir) {
  auto c = testing::secured(testing::seed_cluster());
  for (auto& s : c.servers) s.install_dir = "/srv/zk/";
  const auto cfg = zoo_cfg(c);
  EXPECT_TRUE(has_line(cfg, "ssl.keyStore.location=/srv/zk/conf/tls/node.pem")) << cfg;
  EXPECT_TRUE(has_line(cfg, "ssl.quorum.trustStore.location=/srv/zk/conf/tls/ca.pem")) << cfg;
}

TEST(RenderSecureZooCfg, ExtraKeysTlsWritesAreRefusedOnlyWithTls) {
  for (const char* key :
       {"ssl.clientAuth", "ssl.quorum.hostnameVerification", "sslQuorum", "secureClientPort",
        "serverCnxnFactory", "authProvider.sasl", "X509AuthenticationProvider.superUser",
        "portUnification", "admin.serverAddress"}) {
    auto c = testing::secured(testing::seed_cluster());
    c.zookeeper.extra_config.emplace_back(key, "x");
    auto r = render_zookeeper_node(c, c.servers[0]);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_NE(r.error().message.find("is written by zkctl itself"), std::string::npos)
        << r.error().message;
  }
  auto open = testing::seed_cluster();
  open.zookeeper.extra_config.emplace_back("ssl.clientAuth", "want");
  EXPECT_TRUE(render_zookeeper_node(open, open.servers[0]).ok());
}

TEST(RenderSecureZooCfg, CombinationsTheInventoryRefusesDoNotRender) {
  auto c = testing::seed_cluster();
  c.security.authentication = Authentication::scram;  // without tls
  auto r = render_zookeeper_node(c, c.servers[0]);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("needs tls = true"), std::string::npos) << r.error().message;
}

TEST(RenderSecureZooCfg, BadTlsValuesFail) {
  const auto c = testing::secured(testing::seed_cluster());
  auto v = zoo_cfg_values(c, c.servers[1]);
  ASSERT_TRUE(v.tls.has_value());
  v.tls->key_store = "conf/tls/node.pem";
  auto r = render_zoo_cfg(v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "ssl.keyStore.location 'conf/tls/node.pem' is not an absolute path");
  v.tls->key_store = "/a\nsecureClientPort=1";
  EXPECT_FALSE(render_zoo_cfg(v).ok());
}

}  // namespace
}  // namespace zkctl::render
