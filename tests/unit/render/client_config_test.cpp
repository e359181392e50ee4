// render/client_config: the files `zkctl client-config USER` writes, their modes and contents.
#include "render/client_config.hpp"

#include <gtest/gtest.h>

#include <map>

#include "support/cluster.hpp"

using namespace zkctl;

namespace {

inventory::Cluster secure_cluster(inventory::Authentication auth) {
  auto c = zkctl::testing::cluster_of({zkctl::testing::zk_server("z1", 1, 2181)}, {});
  c.kafka = inventory::KafkaSettings{};
  c.kafka_nodes = {zkctl::testing::kafka_node("b1", 11, true, false),
                   zkctl::testing::kafka_node("b2", 12, true, false)};
  c.security = {};
  c.security.authentication = auth;
  c.security.users.push_back({"app", "", {"orders"}, {}, {}, {}});
  return c;
}

const std::string kPem =
    "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n"
    "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n"
    "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

std::map<std::string, render::ClientFile> by_name(const std::vector<render::ClientFile>& files) {
  std::map<std::string, render::ClientFile> out;
  for (const auto& f : files) out[f.name] = f;
  return out;
}

}  // namespace

TEST(ClientConfig, ScramBundleKeepsThePasswordInPrivateFilesOnly) {
  auto c = secure_cluster(inventory::Authentication::scram);
  auto files = render::client_config_files(c, {"/out", "app", "CAPEM", kPem, "pw123"});
  ASSERT_TRUE(files.ok()) << files.error().message;
  auto f = by_name(*files);
  EXPECT_EQ(f["password.properties"].content, "password=pw123\n");
  EXPECT_EQ(f["password.properties"].mode, 0600);
  EXPECT_EQ(f["librdkafka.conf"].mode, 0600);
  EXPECT_NE(f["librdkafka.conf"].content.find("sasl.password=pw123\n"), std::string::npos);
  EXPECT_NE(f["librdkafka.conf"].content.find("bootstrap.servers=b1:9092,b2:9092\n"),
            std::string::npos);
  EXPECT_EQ(f["client.properties"].mode, 0644);
  EXPECT_EQ(f["client.properties"].content.find("pw123"), std::string::npos);
  EXPECT_NE(
      f["client.properties"].content.find("password=\"${file:/out/password.properties:password}\""),
      std::string::npos);
  EXPECT_EQ(f["app.key"].content, "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n");
  EXPECT_EQ(f["app.key"].mode, 0600);
  EXPECT_EQ(f["app.crt"].content.find("PRIVATE"), std::string::npos);
  EXPECT_NE(f["app.crt"].content.find("CA"), std::string::npos);  // the chain
  EXPECT_EQ(f["ca.crt"].content, "CAPEM");
  EXPECT_NE(f["zookeeper-client.properties"].content.find("zookeeper.client.secure=true"),
            std::string::npos);
}

TEST(ClientConfig, MtlsBundleUsesTheCertificateAndHasNoPassword) {
  auto c = secure_cluster(inventory::Authentication::mtls);
  auto f = by_name(*render::client_config_files(c, {"/out", "app", "CAPEM", kPem, ""}));
  EXPECT_EQ(f.count("password.properties"), 0u);
  EXPECT_NE(f["client.properties"].content.find("security.protocol=SSL\n"), std::string::npos);
  EXPECT_NE(f["client.properties"].content.find("ssl.keystore.location=/out/app.pem\n"),
            std::string::npos);
  EXPECT_NE(f["librdkafka.conf"].content.find("ssl.key.location=/out/app.key\n"),
            std::string::npos);
  EXPECT_EQ(f["librdkafka.conf"].mode, 0644);
}

TEST(ClientConfig, RefusedWithoutTlsKafkaOrTheUser) {
  auto c = secure_cluster(inventory::Authentication::scram);
  EXPECT_FALSE(render::client_config_files(c, {"/out", "nobody", "", kPem, ""}).ok());
  c.security.tls = false;
  EXPECT_FALSE(render::client_config_files(c, {"/out", "app", "", kPem, ""}).ok());
}
