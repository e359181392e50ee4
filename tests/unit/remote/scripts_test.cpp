// The embedded remote scripts and run_script: lookup by name, the `sh -c` command line,
// and how a failing script becomes an error (a recording Remote; no host).

#include "remote/scripts.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace zkctl::remote {
namespace {

// Records every command; answers with `answer`.
class FakeRemote : public Remote {
 public:
  std::vector<std::string> commands;
  CommandResult answer{0, "", ""};

  const std::string& host() const override { return host_; }
  util::Result<CommandResult> run(const std::string& command, std::chrono::seconds) override {
    commands.push_back(command);
    return answer;
  }
  util::Result<void> upload_file(const std::string&, const std::string&, int,
                                 const ProgressFn&) override {
    return util::fail("not in this fake");
  }
  util::Result<void> write_file(const std::string&, const std::string&, int) override {
    return util::fail("not in this fake");
  }
  util::Result<std::unique_ptr<Stream>> open_tcp(const std::string&, int) override {
    return util::fail("not in this fake");
  }

 private:
  std::string host_ = "node1";
};

constexpr auto kT = std::chrono::seconds(5);

TEST(Scripts, EveryNamedScriptIsEmbeddedWithItsHelpersAndNoComments) {
  ASSERT_FALSE(embedded_scripts().empty());
  for (const auto& s : embedded_scripts()) {
    EXPECT_FALSE(s.text.empty()) << s.name;
    EXPECT_EQ(s.text.find("lib.sh"), std::string_view::npos) << s.name;
    EXPECT_NE(s.text.substr(0, 2), "#!") << s.name;
    EXPECT_EQ(script_text(s.name), s.text);
  }
  const std::string_view stop = script_text(scripts::zookeeper_stop);
  EXPECT_NE(stop.find("alive() {"), std::string_view::npos);
  EXPECT_NE(stop.find("running_pid() {"), std::string_view::npos);
  EXPECT_NE(stop.find("user_reads() {"), std::string_view::npos);  // called by running_pid
  EXPECT_EQ(script_text(scripts::kafka_stop).find("as_user() {"),
            std::string_view::npos);  // not called: not carried
  EXPECT_EQ(script_text(scripts::cluster_lock_take).find("org.apache.zookeeper"),
            std::string_view::npos);
}

TEST(Scripts, UnknownNameIsEmptyOrABug) {
  EXPECT_TRUE(script_text("zookeeper/nope.sh").empty());
  EXPECT_THROW((void)script_command("zookeeper/nope.sh", {}), std::logic_error);
}

TEST(Scripts, CommandQuotesEveryArgument) {
  EXPECT_EQ(sh_command("echo \"$1\"\n", {"a b", "it's", ""}),
            "sh -c 'echo \"$1\"\n' zkctl 'a b' 'it'\\''s' ''");
}

TEST(Scripts, RunScriptSendsTheEmbeddedTextAndArguments) {
  FakeRemote r;
  r.answer = {0, "pid=42\n", ""};
  auto out = run_script(r, "pid", scripts::zookeeper_pid, {"/var/lib/zk/zookeeper_server.pid"}, kT);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->out, "pid=42\n");
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0],
            script_command(scripts::zookeeper_pid, {"/var/lib/zk/zookeeper_server.pid"}));
}

TEST(Scripts, FailureNamesWhatExitAndTheLastLine) {
  FakeRemote r;
  r.answer = {1, "out\n", "first\nno running ZooKeeper after start\n\n"};
  auto out = run_script(r, "zkServer.sh start", scripts::zookeeper_start, {"a", "b", "c", ""}, kT);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message,
            "zkServer.sh start failed (exit 1): no running ZooKeeper after start");
  r.answer = {2, "only stdout\r\n", ""};
  out = run_script(r, "stop", scripts::zookeeper_stop, {"p", "1"}, kT);
  EXPECT_EQ(out.error().message, "stop failed (exit 2): only stdout");
  r.answer = {3, "", ""};
  out = run_script(r, "stop", scripts::zookeeper_stop, {"p", "1"}, kT);
  EXPECT_EQ(out.error().message, "stop failed (exit 3)");
}

}  // namespace
}  // namespace zkctl::remote
