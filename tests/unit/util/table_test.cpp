#include "util/table.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

using zkctl::util::Align;
using zkctl::util::display_width;
using zkctl::util::Table;

namespace {
bool has_trailing_space(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == ' ') return true;
  }
  return false;
}
}  // namespace

TEST(Table, LeftAlignedColumnsPaddedToWidestCell) {
  Table t({{"HOST"}, {"MODE"}, {"ZXID"}});
  t.add_row({"node1", "follower", "0x100000004"});
  t.add_row({"n2", "leader", "0x1"});
  EXPECT_EQ(t.render(),
            "HOST   MODE      ZXID\n"
            "node1  follower  0x100000004\n"
            "n2     leader    0x1\n");
  EXPECT_EQ(t.rows(), 2u);
}

TEST(Table, RightAlignedColumn) {
  Table t({{"HOST"}, {"NODES", Align::right}, {"MODE"}});
  t.add_row({"a", "7", "leader"});
  t.add_row({"b", "12345", "follower"});
  EXPECT_EQ(t.render(),
            "HOST  NODES  MODE\n"
            "a         7  leader\n"
            "b     12345  follower\n");
}

TEST(Table, NoTrailingSpacesWithEmptyAndMissingCells) {
  Table t({{"A"}, {"B"}, {"C"}});
  t.add_row({"long value", "", ""});
  t.add_row({"x"});
  const auto out = t.render();
  EXPECT_FALSE(has_trailing_space(out)) << out;
  EXPECT_EQ(out,
            "A           B  C\n"
            "long value\n"
            "x\n");
}

TEST(Table, RightAlignedLastColumnKeepsLeadingPadding) {
  Table t({{"NAME"}, {"N", Align::right}});
  t.add_row({"a", "100"});
  EXPECT_EQ(t.render(),
            "NAME    N\n"
            "a     100\n");
}

TEST(Table, WidthCountsCodePointsNotBytes) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("über"), 4u);              // ü is 2 bytes
  EXPECT_EQ(display_width("→ ok"), 4u);              // → is 3 bytes
  EXPECT_EQ(display_width("\xF0\x9F\x98\x80"), 1u);  // 4-byte code point
  Table t({{"STATE"}, {"HOST"}});
  t.add_row({"✓ up", "node1"});
  t.add_row({"down", "node2"});
  EXPECT_EQ(t.render(),
            "STATE  HOST\n"
            "✓ up   node1\n"
            "down   node2\n");
}

TEST(Table, ExtraCellsAddColumnsWithEmptyHeaders) {
  Table t({{"A"}});
  t.add_row({"1", "2"});
  EXPECT_EQ(t.render(),
            "A\n"
            "1  2\n");
}

TEST(Table, HeaderOnlyWhenNoRows) {
  Table t({{"HOST"}, {"MODE"}});
  EXPECT_EQ(t.render(), "HOST  MODE\n");
}

TEST(Table, LineBreaksInCellsBecomeSpaces) {
  Table t({{"DETAIL"}, {"X"}});
  t.add_row({"a\nb\tc", "y"});
  EXPECT_EQ(t.render(),
            "DETAIL  X\n"
            "a b c   y\n");
}
