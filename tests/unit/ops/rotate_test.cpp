#include "ops/security/rotate.hpp"

#include <gtest/gtest.h>

#include "../render/secure_cluster.hpp"

namespace zkctl::ops {
namespace {

DistVersion v(int major, int minor, int patch) {
  return {major, minor, patch,
          std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch)};
}

TEST(RotatePickup, ZooKeeperReloadsFromTheReleasesWithClientCertReload) {
  for (auto ok : {v(3, 7, 2), v(3, 8, 1), v(3, 8, 4), v(3, 9, 0), v(3, 9, 5), v(4, 0, 0)}) {
    const auto p = zookeeper_pickup(ok);
    EXPECT_EQ(p.how, Pickup::How::reload) << ok.text;
    EXPECT_NE(p.reason.find("client.certReload"), std::string::npos) << p.reason;
  }
  for (auto old : {v(3, 8, 0), v(3, 7, 1), v(3, 6, 4), v(3, 5, 9)}) {
    const auto p = zookeeper_pickup(old);
    EXPECT_EQ(p.how, Pickup::How::restart) << old.text;
    EXPECT_NE(p.reason.find("only at start"), std::string::npos) << p.reason;
    EXPECT_NE(p.reason.find(old.text), std::string::npos) << p.reason;
  }
  EXPECT_EQ(zookeeper_pickup(DistVersion{}).how, Pickup::How::restart);  // unknown: be safe
}

TEST(RotatePickup, KafkaBrokersReloadAndControllersRestart) {
  inventory::KafkaNode broker;
  EXPECT_EQ(kafka_pickup(broker).how, Pickup::How::reload);
  inventory::KafkaNode controller;
  controller.broker = false;
  controller.controller = true;
  EXPECT_EQ(kafka_pickup(controller).how, Pickup::How::restart);
  inventory::KafkaNode combined;
  combined.controller = true;
  const auto p = kafka_pickup(combined);
  EXPECT_EQ(p.how, Pickup::How::restart);
  EXPECT_NE(p.reason.find("CONTROLLER"), std::string::npos);
}

TEST(RotatePickup, AnHttpsMetricsAgentMakesAReloadARestart) {
  // The JMX exporter 1.x serves HTTPS from a keystore read once, at the JVM's start.
  const auto p = with_https_metrics_agent(zookeeper_pickup(v(3, 9, 5)));
  EXPECT_EQ(p.how, Pickup::How::restart);
  EXPECT_NE(p.reason.find("metrics agent"), std::string::npos) << p.reason;
  const auto already = with_https_metrics_agent(zookeeper_pickup(v(3, 8, 0)));
  EXPECT_NE(already.reason.find("only at start"), std::string::npos) << already.reason;
}

TEST(RotatePickup, NodesServingMetricsOverHttpsRestartOthersReload) {
  // The secure seed layout on ZooKeeper 3.9 (its default here), with and without the agent.
  auto c = render::testing::secured(render::testing::seed_kafka_cluster());
  auto how = [&](const inventory::Cluster& cl) {
    auto tiers = tiers_of(cl);
    std::vector<std::string> out;
    for (const auto& w : rotation_work(cl, tiers))
      out.push_back(w.pickup.how == Pickup::How::restart ? "restart" : "reload");
    return out;
  };
  const auto plain = how(c);
  c.metrics.kafka_agent = "/opt/jmx_prometheus_javaagent.jar";
  for (auto& n : c.kafka_nodes) n.metrics_port = 7071;
  const auto agent = how(c);
  ASSERT_EQ(plain.size(), agent.size());
  ASSERT_EQ(plain.size(), c.servers.size() + c.kafka_nodes.size());
  for (std::size_t i = c.servers.size(); i < agent.size(); ++i) {  // the brokers
    EXPECT_EQ(plain[i], "reload") << i;
    EXPECT_EQ(agent[i], "restart") << i;
  }
}

}  // namespace
}  // namespace zkctl::ops
