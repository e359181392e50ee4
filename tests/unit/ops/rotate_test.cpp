#include "ops/security/rotate.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace zkctl::ops
