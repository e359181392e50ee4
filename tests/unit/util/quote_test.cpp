#include "util/quote.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

using zkctl::util::shell_join;
using zkctl::util::shell_quote;

namespace {
// Run `printf '%s\n' <quoted>` through /bin/sh and return what it printed.
std::string round_trip(const std::string& value) {
  std::string cmd = "printf '%s' " + shell_quote(value);
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 256> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}
}  // namespace

TEST(ShellQuote, SafeWordsStayBare) {
  EXPECT_EQ(shell_quote("/opt/zookeeper"), "/opt/zookeeper");
  EXPECT_EQ(shell_quote("node1:2181"), "node1:2181");
}

TEST(ShellQuote, EmptyBecomesEmptyQuotes) {
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(ShellQuote, MetacharactersAreQuoted) {
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(reboot)"), "'$(reboot)'");
}

TEST(ShellQuote, HostileValuesRoundTripThroughSh) {
  for (const std::string v :
       {"$(touch /tmp/pwned)", "`id`", "a;b", "x\ny", "'\"'", "\\", "*", "~root", "-n", "a\tb",
        "'; rm -rf / #", "${HOME}", "!!", "a|b&c>d<e"}) {
    EXPECT_EQ(round_trip(v), v) << v;
  }
}

TEST(ShellJoin, JoinsQuotedWords) {
  EXPECT_EQ(shell_join({"mkdir", "-p", "/opt/my dir"}), "mkdir -p '/opt/my dir'");
}
