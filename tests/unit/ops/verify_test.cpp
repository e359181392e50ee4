// verify without a cluster: what makes a report a success. The steps themselves talk to
// ZooKeeper and Kafka as a client (no Remote to fake) and are covered end to end.

#include "ops/commands/verify.hpp"

#include <gtest/gtest.h>

namespace zkctl::ops {
namespace {

TEST(VerifyReport, OkOnlyWhenEveryStepPassedAndNothingWasLost) {
  VerifyReport r;
  EXPECT_FALSE(r.ok()) << "no step: nothing was verified";
  r.steps.push_back({"zookeeper round trip", true, "", 1});
  EXPECT_TRUE(r.ok());
  r.steps.push_back({"kafka produce", false, "", 1});
  EXPECT_FALSE(r.ok());
  r.steps.back().ok = true;
  r.lost = 1;
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace zkctl::ops
