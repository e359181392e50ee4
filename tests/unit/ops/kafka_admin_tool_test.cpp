// Kafka's admin tools run on the first Kafka node that answers (ops/kafka/admin_tool): the
// arguments every admin script takes first, the nodes passed over (no session, a failed run,
// an answer the caller cannot read) and the error naming each when none answered.

#include <gtest/gtest.h>

#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/health.hpp"
#include "remote/scripts.hpp"
#include "runner/progress.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"

namespace zkctl::ops {
namespace {

namespace scripts = remote::scripts;

constexpr const char* kStatus = "LeaderId: 2\nCurrentVoters: [1,2,3]\n";

class AdminToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = testing::cluster_of(
        {},
        {testing::kafka_node("kf1", 1, true, true), testing::kafka_node("kf2", 2, true, true),
         testing::kafka_node("kf3", 3, true, true), testing::kafka_node("kf4", 4, true, false)});
    hosts_.host_handler = [this](const std::string& host, const std::string&) {
      auto it = answers_.find(host);
      return it != answers_.end() ? it->second : remote::CommandResult{0, "", ""};
    };
    options_ = hosts_.options();
  }

  // How many commands `host` was asked to run.
  std::size_t asked(const std::string& host) {
    return hosts_.last.count(host) ? hosts_.last[host]->commands.size() : 0;
  }

  inventory::Cluster cluster_;
  testing::FakeHosts hosts_;
  Options options_;
  runner::NullProgress progress_;
  std::map<std::string, remote::CommandResult> answers_;
};

TEST_F(AdminToolTest, TheScriptGetsInstallServersAndNoClientConfigOnAnOpenCluster) {
  Context ctx(cluster_, options_, progress_);
  const AdminScript s{"kafka-features.sh", scripts::kafka_features, "kf1:9092", {"4.4"}};
  auto out = run_admin_script(ctx, cluster_.kafka_nodes[0], s);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(asked("kf1"), 1u);
  EXPECT_EQ(hosts_.last["kf1"]->commands[0],
            remote::script_command(scripts::kafka_features, {"/opt/kafka", "kf1:9092", "", "4.4"}));
}

TEST_F(AdminToolTest, ASecureClusterPassesTheNodesAdminProperties) {
  cluster_ = testing::secure(cluster_);
  Context ctx(cluster_, options_, progress_);
  const auto& n = cluster_.kafka_nodes[1];
  EXPECT_EQ(admin_client_config(cluster_, n), "/opt/kafka/config/tls/admin.properties");
  auto out =
      run_admin_script(ctx, n, {"kafka-metadata-quorum.sh", scripts::kafka_quorum, "b:9094", {}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(hosts_.last["kf2"]->commands.at(0),
            remote::script_command(scripts::kafka_quorum,
                                   {"/opt/kafka", "b:9094", admin_client_config(cluster_, n)}));
}

TEST_F(AdminToolTest, NodesThatCannotAnswerArePassedOverUntilOneDoes) {
  hosts_.unreachable = {"kf1"};
  answers_["kf2"] = {1, "", "connection refused\n"};
  answers_["kf3"] = {0, "not a status\n", ""};
  answers_["kf4"] = {0, kStatus, ""};
  Context ctx(cluster_, options_, progress_);
  auto q = read_kraft_quorum(ctx);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->leader_id, 2);
  EXPECT_EQ(asked("kf2"), 1u);
  EXPECT_EQ(asked("kf3"), 1u);
  EXPECT_EQ(asked("kf4"), 1u);
}

TEST_F(AdminToolTest, TheFirstAnswerIsTakenAndNoOtherNodeIsAsked) {
  answers_["kf1"] = {0, kStatus, ""};
  Context ctx(cluster_, options_, progress_);
  ASSERT_TRUE(read_kraft_quorum(ctx));
  EXPECT_EQ(asked("kf1"), 1u);
  EXPECT_EQ(hosts_.opened.count("kf2"), 0u);  // not even connected
}

TEST_F(AdminToolTest, NoAnswerNamesEveryNodesReason) {
  hosts_.unreachable = {"kf1"};
  answers_["kf2"] = {1, "", "connection refused\n"};
  answers_["kf3"] = {0, "not a status\n", ""};
  answers_["kf4"] = {0, "", ""};
  Context ctx(cluster_, options_, progress_);
  const AdminScript s{"kafka-metadata-quorum.sh", scripts::kafka_quorum, "b:9092", {}};
  auto out = run_admin_script_on_first(ctx, s, "controller quorum", [](const std::string& o) {
    return o.find("LeaderId") != std::string::npos ? util::Result<void>()
                                                   : util::fail("no LeaderId");
  });
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "controller quorum: kf1: connect to kf1: unreachable (fake); kf2: "
            "kafka-metadata-quorum.sh failed (exit 1): connection refused; kf3: no LeaderId; "
            "kf4: no LeaderId");
}

TEST_F(AdminToolTest, WithoutAnyKafkaNodeTheErrorSaysSo) {
  cluster_.kafka_nodes.clear();
  Context ctx(cluster_, options_, progress_);
  auto out = run_admin_script_on_first(ctx, {"kafka-features.sh", scripts::kafka_features, "", {}},
                                       "kafka-features");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "kafka-features: no node");
  auto b = first_reachable_broker(ctx);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "no broker");
}

TEST_F(AdminToolTest, TheFirstBrokerWithASessionHostsTheTools) {
  cluster_.kafka_nodes[0].broker = false;  // a controller only: never a tool host
  hosts_.unreachable = {"kf2"};
  Context ctx(cluster_, options_, progress_);
  auto b = first_reachable_broker(ctx);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->node->host, "kf3");
  EXPECT_EQ(b->remote, hosts_.last["kf3"]);
  hosts_.unreachable = {"kf2", "kf3", "kf4"};
  Context none(cluster_, options_, progress_);
  auto n = first_reachable_broker(none);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message,
            "kf2: connect to kf2: unreachable (fake); kf3: connect to kf3: unreachable (fake); "
            "kf4: connect to kf4: unreachable (fake)");
}

}  // namespace
}  // namespace zkctl::ops
