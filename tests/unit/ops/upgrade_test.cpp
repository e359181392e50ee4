// ZooKeeper version changes: how a version is read, what `plan` calls a change, and which
// changes deploy refuses (a downgrade to an older minor line).

#include "ops/zookeeper/upgrade.hpp"

#include <gtest/gtest.h>

namespace zkctl::ops {
namespace {

DistVersion v(const std::string& text) {
  auto parsed = parse_zk_version(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(DistVersion{});
}

TEST(ZkVersion, ReadsTheJarsVersionAndSrvrsLine) {
  auto a = v("3.8.0");
  EXPECT_EQ(a.major, 3);
  EXPECT_EQ(a.minor, 8);
  EXPECT_EQ(a.patch, 0);
  EXPECT_EQ(a.text, "3.8.0");
  auto b = v("3.9.5-293c895a8d966a3ecb92872be4a1daf87d725da2, built on 2026-02-11 20:18 UTC");
  EXPECT_EQ(b.minor, 9);
  EXPECT_EQ(b.patch, 5);
  EXPECT_EQ(b.text, "3.9.5");
  EXPECT_EQ(v("3.10.12").minor, 10);
}

TEST(ZkVersion, RejectsWhatIsNotXYZ) {
  for (const char* bad : {"", "3", "3.8", "3.8.", "x.8.0", "3..0", "-3.8.0", "3.8.x"})
    EXPECT_FALSE(parse_zk_version(bad)) << bad;
}

TEST(ZkVersionChange, NamesUpgradesAndDowngrades) {
  EXPECT_EQ(version_change_text(v("3.8.0"), v("3.9.5")), "upgrade 3.8.0 -> 3.9.5");
  EXPECT_EQ(version_change_text(v("3.9.4"), v("3.9.5")), "upgrade 3.9.4 -> 3.9.5");
  EXPECT_EQ(version_change_text(v("3.9.5"), v("3.9.4")), "downgrade 3.9.5 -> 3.9.4");
  EXPECT_EQ(version_change_text(v("3.9.10"), v("3.9.9")), "downgrade 3.9.10 -> 3.9.9");
  EXPECT_EQ(version_change_text(v("3.9.5"), v("3.9.5")), "");
}

TEST(ZkVersionChange, RefusesOnlyADowngradeToAnOlderMinorLine) {
  EXPECT_FALSE(version_change_refusal(v("3.8.0"), v("3.9.5")));
  EXPECT_FALSE(version_change_refusal(v("3.7.2"), v("3.9.5")));  // a skip: not refused
  EXPECT_FALSE(version_change_refusal(v("3.9.5"), v("3.9.4")));  // a patch back, same line
  EXPECT_FALSE(version_change_refusal(v("3.9.5"), v("4.0.0")));
  auto why = version_change_refusal(v("3.9.5"), v("3.8.0"));
  ASSERT_TRUE(why);
  EXPECT_EQ(why->rfind("downgrade 3.9.5 -> 3.8.0 goes back to an older minor line", 0), 0u);
  EXPECT_NE(why->find("--force"), std::string::npos);
  EXPECT_TRUE(version_change_refusal(v("4.0.0"), v("3.9.5")));
}

}  // namespace
}  // namespace zkctl::ops
