#include "util/color.hpp"

#include <gtest/gtest.h>

#include "util/table.hpp"

namespace zkctl::util {
namespace {

TEST(Color, ParsesTheFlag) {
  EXPECT_EQ(parse_color_choice("auto"), ColorChoice::auto_detect);
  EXPECT_EQ(parse_color_choice("always"), ColorChoice::always);
  EXPECT_EQ(parse_color_choice("never"), ColorChoice::never);
  EXPECT_EQ(parse_color_choice("yes"), std::nullopt);
  EXPECT_EQ(parse_color_choice(""), std::nullopt);
}

TEST(Color, AutoColoursOnlyATerminalWithoutNoColor) {
  EXPECT_EQ(decide_color(ColorChoice::auto_detect, Terminal::yes, nullptr), Color::on);
  EXPECT_EQ(decide_color(ColorChoice::auto_detect, Terminal::no, nullptr), Color::off);
  EXPECT_EQ(decide_color(ColorChoice::auto_detect, Terminal::yes, "1"), Color::off);
  EXPECT_EQ(decide_color(ColorChoice::auto_detect, Terminal::yes, "0"), Color::off);  // any value
  EXPECT_EQ(decide_color(ColorChoice::auto_detect, Terminal::no, "1"), Color::off);
  // An empty NO_COLOR counts as unset (no-color.org).
  EXPECT_EQ(decide_color(ColorChoice::auto_detect, Terminal::yes, ""), Color::on);
}

TEST(Color, NeverAndAlwaysAreFinal) {
  for (Terminal t : {Terminal::yes, Terminal::no}) {
    for (const char* env : {static_cast<const char*>(nullptr), "", "1"}) {
      EXPECT_EQ(decide_color(ColorChoice::never, t, env), Color::off);
      EXPECT_EQ(decide_color(ColorChoice::always, t, env), Color::on);
    }
  }
}

TEST(Color, PaintWrapsOnlyWhenOn) {
  EXPECT_EQ(paint("ok", Paint::green, Color::off), "ok");
  const std::string on = paint("ok", Paint::green, Color::on);
  EXPECT_NE(on, "ok");
  EXPECT_NE(on.find("\033["), std::string::npos);
  EXPECT_EQ(strip_ansi(on), "ok");
  EXPECT_EQ(paint("", Paint::red, Color::on), "");
}

TEST(Color, StripAnsiKeepsOtherText) {
  EXPECT_EQ(strip_ansi("a\033[1;31mb\033[0mc"), "abc");
  EXPECT_EQ(strip_ansi("no escapes"), "no escapes");
  EXPECT_EQ(strip_ansi("dangling \033["), "dangling \033[");
}

TEST(Color, ColourCodesTakeNoWidth) {
  EXPECT_EQ(display_width(paint("leader", Paint::green, Color::on)), 6u);
  EXPECT_EQ(display_width("\033[1;31mFAILED\033[0m"), 6u);
}

// A table with coloured cells lines up exactly like the same table without colour.
TEST(Color, TablesAlignWithColourCodes) {
  const std::vector<std::vector<std::string>> rows = {
      {"node1", "1", "voter", "follower", "0x0"},
      {"node3", "3", "voter", "leader", "0x100000000"},
      {"nn01", "44", "observer", "down", "-"},
  };
  auto build = [&](Color c) {
    Table t({{"HOST"}, {"ID", Align::right}, {"ROLE"}, {"MODE"}, {"ZXID"}});
    for (const auto& r : rows) {
      t.add_row({r[0], r[1], paint(r[2], Paint::bold, c),
                 paint(r[3], r[3] == "down" ? Paint::red : Paint::green, c), r[4]});
    }
    return t.render();
  };
  const std::string plain = build(Color::off);
  const std::string coloured = build(Color::on);
  EXPECT_NE(plain, coloured);
  EXPECT_EQ(strip_ansi(coloured), plain);
}

}  // namespace
}  // namespace zkctl::util
