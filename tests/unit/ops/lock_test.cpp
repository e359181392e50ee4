#include "ops/cluster/lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

using namespace zkctl;

TEST(Lock, ParsesAndDescribesTheHolder) {
  auto info = ops::parse_lock_info(
      "holder=alice@ops1\npid=42\nsince=2026-11-25T17:00:00Z\ncommand=zkctl restart node3\n"
      "expires=2000000000\ntoken=abc\n");
  EXPECT_EQ(info.holder, "alice@ops1");
  EXPECT_EQ(info.pid, 42);
  EXPECT_EQ(info.expires, 2000000000);
  EXPECT_EQ(info.token, "abc");
  EXPECT_EQ(
      ops::describe(info),
      "locked by alice@ops1 since 2026-11-25T17:00:00Z, running zkctl restart node3 (pid 42)");
}

TEST(Lock, ExpiredOrBrokenLocksAreStale) {
  ops::LockInfo info;
  info.holder = "bob@elsewhere";
  info.pid = 1;
  info.expires = 1000;
  EXPECT_TRUE(ops::lock_is_stale(info, 2000, "here"));  // past its deadline
  EXPECT_FALSE(ops::lock_is_stale(info, 999, "here"));  // still valid, holder elsewhere
  info.expires = 0;
  EXPECT_TRUE(ops::lock_is_stale(info, 1, "here"));  // no deadline: broken info
}

TEST(Lock, AHolderThatDiedOnThisMachineIsStaleAtOnce) {
  ops::LockInfo info;
  info.holder = "root@here";
  info.expires = 5000;
  info.pid = getpid();  // alive
  EXPECT_FALSE(ops::lock_is_stale(info, 1000, "here"));
  info.pid = 999999999;  // no such process
  EXPECT_TRUE(ops::lock_is_stale(info, 1000, "here"));
  EXPECT_FALSE(ops::lock_is_stale(info, 1000, "other-machine"));
}
