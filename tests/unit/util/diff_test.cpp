#include "util/diff.hpp"

#include <gtest/gtest.h>

using zkctl::util::unified_diff;

TEST(UnifiedDiff, EqualTextsGiveNothing) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), "");
}

TEST(UnifiedDiff, OneChangedLineWithContext) {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n";
  std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n";
  EXPECT_EQ(
      unified_diff(before, after, "node1:/zoo.cfg", "rendered"),
      "--- node1:/zoo.cfg\n+++ rendered\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, NewFileIsAllAdditions) {
  EXPECT_EQ(unified_diff("", "x=1\ny=2\n", "a", "b"),
            "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x=1\n+y=2\n");
}

TEST(UnifiedDiff, DistantChangesMakeTwoHunks) {
  std::string before, after;
  for (int i = 0; i < 20; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 2    ? std::string("two")
              : i == 17 ? std::string("seventeen")
                        : std::to_string(i)) +
             "\n";
  }
  std::string d = unified_diff(before, after, "a", "b");
  EXPECT_EQ(std::count(d.begin(), d.end(), '@'), 8);  // two "@@ ... @@" headers
  EXPECT_NE(d.find("-2\n+two\n"), std::string::npos);
  EXPECT_NE(d.find("-17\n+seventeen\n"), std::string::npos);
}
