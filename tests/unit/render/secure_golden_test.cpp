// Byte-for-byte comparison of secure clusters' files with tests/golden/<layout>-secure*/:
// each layout once per authentication where the files differ. The configs are rendered with
// stand-in TLS material, so Kafka's admin.properties is compared too; PEM files (the caller's
// text, placed unchanged) are left out. ZKCTL_UPDATE_GOLDEN=1 rewrites the golden files.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "render/kafka.hpp"
#include "render/zookeeper.hpp"
#include "secure_cluster.hpp"
#include "support/golden_compare.hpp"

namespace zkctl::render {
namespace {

using inventory::Authentication;

// `files` without the PEM texts.
util::Result<std::vector<RenderedFile>> without_pem(util::Result<std::vector<RenderedFile>> files) {
  if (files.ok()) {
    std::erase_if(*files, [](const RenderedFile& f) { return f.path.ends_with(".pem"); });
  }
  return files;
}

void compare_zookeeper(const inventory::Cluster& cluster, const std::string& dir) {
  const auto material = testing::fake_material();
  test::expect_golden_tree(
      test::golden_dir() / dir, cluster.servers,
      [&](const inventory::Server& s) {
        return without_pem(render_zookeeper_node(cluster, s, {}, &material));
      },
      4);  // zoo.cfg, myid, zookeeper-env.sh and the metrics agent's jmx-exporter.yml
}

void compare_kafka(const inventory::Cluster& cluster, const std::string& dir) {
  const auto material = testing::fake_material();
  test::expect_golden_tree(
      test::golden_dir() / dir, cluster.kafka_nodes,
      [&](const inventory::KafkaNode& n) {
        return without_pem(render_kafka_node(cluster, n, {}, &material));
      },
      3);
}

TEST(SecureGolden, ZooKeeperWithClientCertificates) {
  // scram and mtls render the same zoo.cfg (secure_zookeeper_test checks it).
  compare_zookeeper(testing::secured(testing::seed_cluster()), "secure-zk");
}

TEST(SecureGolden, ZooKeeperEncryptedOnly) {
  compare_zookeeper(testing::secured(testing::seed_cluster(), Authentication::none),
                    "secure-zk-tls-only");
}

TEST(SecureGolden, KafkaZooKeeperModeScram) {
  compare_kafka(testing::secured(testing::seed_kafka_cluster()), "kafka-zk-secure");
}

TEST(SecureGolden, KafkaZooKeeperModeMtls) {
  compare_kafka(testing::secured(testing::seed_kafka_cluster(), Authentication::mtls),
                "kafka-zk-secure-mtls");
}

TEST(SecureGolden, KafkaKraftScram) {
  compare_kafka(testing::secured(testing::kraft_cluster()), "kafka-kraft-secure");
}

TEST(SecureGolden, KafkaKraftMtls) {
  compare_kafka(testing::secured(testing::kraft_cluster(), Authentication::mtls),
                "kafka-kraft-secure-mtls");
}

}  // namespace
}  // namespace zkctl::render
