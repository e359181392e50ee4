// The migration to KRaft as data: phases from the local record, the record's JSON and its
// storage, refusals from the inventory against the deployed cluster, the release rule.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <mutex>
#include <string>

#include "ops/cluster/state.hpp"
#include "ops/kafka/node.hpp"
#include "ops/migration/gate.hpp"
#include "ops/migration/phase.hpp"
#include "ops/migration/status.hpp"
#include "ops/migration/zk_view.hpp"
#include "ops/security/onramp.hpp"
#include "support/cluster.hpp"
#include "support/fake_remote.hpp"
#include "support/free_port.hpp"

namespace zkctl::ops {
namespace {

using inventory::KafkaMode;
using testing::kafka_node;
using State = MigrationStep::State;

// The seed's ZooKeeper-mode Kafka: brokers 11..13 on node1..node3.
inventory::Cluster deployed_zk() {
  inventory::Cluster c = testing::three_voters_and_an_observer("seed");
  c.kafka = inventory::KafkaSettings{};
  c.kafka->mode = KafkaMode::zookeeper;
  for (int i = 1; i <= 3; ++i)
    c.kafka_nodes.push_back(kafka_node("node" + std::to_string(i), 10 + i, true, false));
  return c;
}

// The inventory edited for the migration: kraft, controllers 1..3 on ctl1..ctl3.
inventory::Cluster wanted_kraft() {
  inventory::Cluster c = deployed_zk();
  c.kafka->mode = KafkaMode::kraft;
  for (int i = 1; i <= 3; ++i)
    c.kafka_nodes.push_back(kafka_node("ctl" + std::to_string(i), i, false, true));
  return c;
}

TEST(MigrationPhase, NamesRoundTrip) {
  for (auto p : {MigrationPhase::none, MigrationPhase::prechecked, MigrationPhase::controllers,
                 MigrationPhase::dual_write, MigrationPhase::kraft, MigrationPhase::finalized}) {
    EXPECT_EQ(parse_migration_phase(to_string(p)), p);
  }
  EXPECT_FALSE(parse_migration_phase("dual-write"));
}

TEST(MigrationPhase, WantedWhenKraftFollowsZooKeeperOrARecordIsOpen) {
  MigrationRecord none;
  EXPECT_TRUE(migration_wanted(wanted_kraft(), KafkaMode::zookeeper, none));
  EXPECT_FALSE(migration_wanted(wanted_kraft(), KafkaMode::kraft, none));
  EXPECT_FALSE(migration_wanted(wanted_kraft(), std::nullopt, none));
  EXPECT_FALSE(migration_wanted(deployed_zk(), KafkaMode::zookeeper, none));
  MigrationRecord begun;
  begun.done = MigrationPhase::controllers;
  // The last deploy recorded kraft inventory already: the record keeps the migration going.
  EXPECT_TRUE(migration_wanted(wanted_kraft(), KafkaMode::kraft, begun));
  MigrationRecord interrupted;
  interrupted.under_way = "prechecked";
  EXPECT_TRUE(migration_wanted(wanted_kraft(), KafkaMode::kraft, interrupted));
  MigrationRecord rolled_back;
  rolled_back.begun = true;
  rolled_back.rolled_back_at = "2026-11-30T02:00:00Z";
  // Rolled back: the KRaft inventory recorded, the brokers in ZooKeeper mode again.
  EXPECT_TRUE(migration_wanted(wanted_kraft(), KafkaMode::kraft, rolled_back));
  EXPECT_FALSE(migration_wanted(deployed_zk(), KafkaMode::kraft, rolled_back));
  MigrationRecord finalized;
  finalized.done = MigrationPhase::finalized;
  EXPECT_FALSE(migration_wanted(wanted_kraft(), KafkaMode::zookeeper, finalized));
}

TEST(MigrationPhase, StepsFollowTheRecord) {
  MigrationRecord r;
  auto steps = migration_steps(r);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].title, "pre-checks");
  EXPECT_EQ(steps[0].state, State::next);
  for (size_t i = 1; i < steps.size(); ++i) EXPECT_EQ(steps[i].state, State::pending);

  r.done = MigrationPhase::controllers;
  r.under_way = "dual_write";
  steps = migration_steps(r);
  EXPECT_EQ(steps[0].state, State::done);
  EXPECT_EQ(steps[1].state, State::done);
  EXPECT_EQ(steps[2].state, State::under_way);
  EXPECT_EQ(steps[3].state, State::pending);
  EXPECT_EQ(next_migration_step(r)->phase, MigrationPhase::dual_write);
  EXPECT_NE(steps[2].gate.find("kraft_metadata_offset"), std::string::npos);

  r.done = MigrationPhase::kraft;
  r.under_way.clear();
  EXPECT_EQ(next_migration_step(r)->phase, MigrationPhase::finalized);
  r.done = MigrationPhase::finalized;
  EXPECT_FALSE(next_migration_step(r));
}

TEST(MigrationRecord, JsonRoundTripAndErrors) {
  MigrationRecord r;
  r.done = MigrationPhase::dual_write;
  r.cluster_id = "MkU3OEVBNTcwNTJENDM2Qg";
  r.under_way = "kraft";
  r.begun = true;
  r.rolled_back_at = "2026-11-30T02:00:00Z";
  r.updated_at = "2026-11-30T03:00:00Z";
  auto back = parse_migration_record(migration_record_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->done, r.done);
  EXPECT_EQ(back->cluster_id, r.cluster_id);
  EXPECT_EQ(back->under_way, r.under_way);
  EXPECT_EQ(back->begun, r.begun);
  EXPECT_EQ(back->rolled_back_at, r.rolled_back_at);
  EXPECT_EQ(back->updated_at, r.updated_at);
  EXPECT_EQ(parse_migration_record(R"({"done": "half"})").error().message,
            "'done' is not a migration phase");
  EXPECT_EQ(parse_migration_record(R"({"under_way": "x"})").error().message,
            "'under_way' is not a migration phase");
  EXPECT_FALSE(parse_migration_record("{").ok());
}

TEST(MigrationRecord, StoredInTheClustersRecord) {
  testing::TempDir home("zkctl-migration");
  setenv("ZKCTL_HOME", home.path().c_str(), 1);
  EXPECT_EQ(recorded_migration("seed"), "");
  MigrationRecord r;
  r.done = MigrationPhase::prechecked;
  ASSERT_TRUE(record_migration("seed", migration_record_json(r)).ok());
  auto back = parse_migration_record(recorded_migration("seed"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->done, MigrationPhase::prechecked);
  unsetenv("ZKCTL_HOME");
}

TEST(MigrationRefusals, TheSeedWithControllersIsAccepted) {
  const auto deployed = deployed_zk();
  EXPECT_TRUE(migration_refusals(wanted_kraft(), &deployed).empty());
  EXPECT_TRUE(migration_refusals(wanted_kraft(), nullptr).empty());
}

TEST(MigrationRefusals, AnEarlierMigrationsControllersAreNotBrokers) {
  // After a rollback the recorded inventory is the KRaft one, controllers included.
  const auto deployed = wanted_kraft();
  EXPECT_TRUE(migration_refusals(wanted_kraft(), &deployed).empty());
}

// A secure cluster (the defaults: TLS, SCRAM, authorization) is migrated as an open one is.
TEST(MigrationRefusals, TheSecureSeedWithControllersIsAccepted) {
  const auto deployed = testing::secure(deployed_zk());
  EXPECT_TRUE(migration_refusals(testing::secure(wanted_kraft()), &deployed).empty());
  auto mtls = testing::secure(wanted_kraft());
  mtls.security.authentication = inventory::Authentication::mtls;
  auto deployed_mtls = deployed;
  deployed_mtls.security.authentication = inventory::Authentication::mtls;
  EXPECT_TRUE(migration_refusals(mtls, &deployed_mtls).empty());
}

// The security moves with the on-ramp or a plain deploy, never under a migration's renders.
TEST(MigrationRefusals, SecurityChangedOrAnOnrampUnderWayIsRefused) {
  const auto open = deployed_zk();
  auto refusals = migration_refusals(testing::secure(wanted_kraft()), &open);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0],
            "[security] (tls = true, authentication = \"scram\", authorization = true) is not "
            "what the cluster was deployed with (tls = false, authentication = \"none\", "
            "authorization = false): a migration keeps the security as it is; change it before "
            "or after the migration");
  const auto secure = testing::secure(deployed_zk());
  auto mtls = testing::secure(wanted_kraft());
  mtls.security.authentication = inventory::Authentication::mtls;
  EXPECT_EQ(migration_refusals(mtls, &secure).size(), 1u);
  refusals = migration_refusals(testing::secure(wanted_kraft()), &secure, "zk-plaintext-off");
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0],
            "the security on-ramp stands at zk-plaintext-off: finish it (zkctl deploy, with "
            "--drop-plaintext to end Kafka's PLAINTEXT) before the migration");
}

// What the refusal reads: the on-ramp's record, unless it ended plainly open or secure.
TEST(MigrationRefusals, AnUnfinishedOnrampIsReadFromItsRecord) {
  testing::TempDir home("zkctl-migration-onramp");
  setenv("ZKCTL_HOME", home.path().c_str(), 1);
  EXPECT_EQ(onramp_unfinished("seed"), "");
  ASSERT_TRUE(record_security_phase("seed", R"({"phase":"secure"})").ok());
  EXPECT_EQ(onramp_unfinished("seed"), "");
  ASSERT_TRUE(record_security_phase("seed", R"({"phase":"open"})").ok());
  EXPECT_EQ(onramp_unfinished("seed"), "");
  ASSERT_TRUE(record_security_phase("seed", R"({"phase":"zk-plaintext-off"})").ok());
  EXPECT_EQ(onramp_unfinished("seed"), "zk-plaintext-off");
  ASSERT_TRUE(
      record_security_phase("seed", R"({"phase":"secure","rolling_to":"zk-plaintext-off"})").ok());
  EXPECT_EQ(onramp_unfinished("seed"), "secure -> zk-plaintext-off");
  unsetenv("ZKCTL_HOME");
}

TEST(MigrationRefusals, EachProblemIsNamed) {
  const auto deployed = deployed_zk();
  auto w = wanted_kraft();
  w.servers.clear();
  auto refusals = migration_refusals(w, &deployed);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("[[zookeeper.servers]]"), std::string::npos);

  w = deployed_zk();
  w.kafka->mode = KafkaMode::kraft;
  w.kafka_nodes[0].controller = true;
  refusals = migration_refusals(w, &deployed);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0],
            "node 11 on node1 is broker and controller: a migration needs dedicated controllers "
            "(roles = [\"controller\"], on their own hosts or ports and dirs)");

  w = deployed_zk();
  w.kafka->mode = KafkaMode::kraft;
  refusals = migration_refusals(w, &deployed);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_NE(refusals[0].find("needs controllers"), std::string::npos);

  w = wanted_kraft();
  w.kafka_nodes[2].host = "node9";
  w.kafka_nodes.push_back(kafka_node("node4", 14, true, false));
  refusals = migration_refusals(w, &deployed);
  ASSERT_EQ(refusals.size(), 2u);
  EXPECT_EQ(refusals[0],
            "broker 13 on node3 is not a broker of the inventory: a migration keeps the brokers "
            "as they are (same id, same host); change them before or after it");
  EXPECT_EQ(refusals[1],
            "broker 14 on node4 is new: add brokers before or after the migration, not during it");
}

TEST(MigrationPrecheck, AControllerLogDirShortOfSpaceIsNamed) {
  const auto w = wanted_kraft();
  const auto& ctl = w.kafka_nodes[3];  // controller 1 on ctl1
  HostProbe probe =
      parse_host_probe("disk=2097152 /var/lib/kafka/meta\ndisk=524288 /var/lib/kafka/other\n");
  const auto problems = controller_disk_problems(ctl, probe, kMigrationControllerDiskKb);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "controller 1 on ctl1: /var/lib/kafka/other: 512 MiB free; its KRaft metadata log "
            "needs at least 1024 MiB");
}

TEST(MigrationRelease, OnlyKafka39) {
  EXPECT_FALSE(migration_release_problem(DistVersion{3, 9, 1, "3.9.1"}));
  EXPECT_EQ(*migration_release_problem(DistVersion{3, 8, 0, "3.8.0"}),
            "Kafka 3.8.0: a migration to KRaft needs Kafka 3.9.x on every node (upgrade the "
            "brokers to 3.9 in ZooKeeper mode first; Kafka 4 has no ZooKeeper mode)");
  EXPECT_TRUE(migration_release_problem(DistVersion{4, 0, 0, "4.0.0"}));
}

TEST(MigrationZnodes, ParsedAsKafkaWritesThem) {
  auto m =
      parse_migration_znode(R"({"version":0,"kraft_controller_id":2,"kraft_controller_epoch":1,)"
                            R"("kraft_metadata_offset":174,"kraft_metadata_epoch":1})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->kraft_controller_id, 2);
  EXPECT_EQ(m->kraft_metadata_offset, 174);
  auto zk_controller = parse_controller_znode(R"({"version":2,"brokerid":12,"timestamp":"1"})");
  ASSERT_TRUE(zk_controller.ok());
  EXPECT_EQ(zk_controller->id, 12);
  EXPECT_FALSE(zk_controller->kraft);
  // As a 3.9 broker writes it after a rollback (seen in the lab).
  auto broker_again = parse_controller_znode(
      R"({"version":2,"brokerid":11,"timestamp":"1","kraftControllerEpoch":-1})");
  ASSERT_TRUE(broker_again.ok());
  EXPECT_FALSE(broker_again->kraft);
  auto kraft_controller = parse_controller_znode(
      R"({"version":2,"brokerid":1,"timestamp":"1","kraftControllerEpoch":3})");
  ASSERT_TRUE(kraft_controller.ok());
  EXPECT_TRUE(kraft_controller->kraft);
  EXPECT_EQ(*parse_cluster_id_znode(R"({"version":"1","id":"MkU3OEVBNTcwNTJENDM2Qg"})"),
            "MkU3OEVBNTcwNTJENDM2Qg");
  EXPECT_FALSE(parse_migration_znode(R"({"version":0})").ok());
  EXPECT_FALSE(parse_controller_znode("[1]").ok());
  EXPECT_FALSE(parse_cluster_id_znode("{}").ok());
}

// A look with a KRaft leader and what ZooKeeper holds.
MigrationLook look_with(std::optional<MigrationZnode> migration,
                        std::optional<ControllerZnode> controller, std::set<int> brokers) {
  MigrationLook look;
  look.quorum = KraftQuorum{};
  look.quorum->leader_id = 2;
  look.zk = ZkMigrationView{"id", migration, controller, std::move(brokers)};
  return look;
}

TEST(MigrationGate, EachPhaseWaitsForWhatTheClusterMustSay) {
  const std::vector<int> brokers = {11, 12, 13};
  MigrationLook none;
  none.quorum_error = "ctl1: connection refused";
  EXPECT_EQ(*gate_waits_for(MigrationPhase::controllers, none, brokers),
            "a KRaft leader among the controllers (ctl1: connection refused)");
  EXPECT_EQ(*gate_waits_for(MigrationPhase::controllers, look_with({}, {}, {11}), brokers),
            "the controllers to create /migration in ZooKeeper");
  const MigrationZnode pre{2, 1, -1};
  EXPECT_FALSE(gate_waits_for(MigrationPhase::controllers, look_with(pre, {}, {}), brokers));
  EXPECT_EQ(*gate_waits_for(MigrationPhase::dual_write,
                            look_with(pre, ControllerZnode{11, false}, {11, 13}), brokers),
            "the controllers to copy the metadata (/migration kraft_metadata_offset -1; it "
            "starts once every broker registered with KRaft; brokers in ZooKeeper: 11,13, "
            "missing: 12)");
  const MigrationZnode copied{2, 1, 174};
  EXPECT_EQ(*gate_waits_for(MigrationPhase::dual_write,
                            look_with(copied, ControllerZnode{11, false}, {}), brokers),
            "a KRaft controller to hold /controller (now broker 11)");
  EXPECT_FALSE(gate_waits_for(MigrationPhase::dual_write,
                              look_with(copied, ControllerZnode{2, true}, {}), brokers));
  EXPECT_FALSE(gate_waits_for(MigrationPhase::kraft,
                              look_with(copied, ControllerZnode{2, true}, {}), brokers));
  MigrationLook finalized;
  finalized.quorum = KraftQuorum{};
  finalized.quorum->leader_id = 3;
  EXPECT_FALSE(gate_waits_for(MigrationPhase::finalized, finalized, brokers));
  EXPECT_FALSE(gate_waits_for(MigrationPhase::prechecked, none, brokers));
}

// The gates ask the quorum of the controllers, from their hosts, through quorum-admin.sh:
// with the admin identity's client config on a secure cluster (its CONTROLLER listener wants
// a certificate), with none on an open one.
TEST(MigrationGate, TheQuorumIsAskedOfTheControllersWithTheAdminConfig) {
  testing::TempDir home("zkctl-migration-gate");
  setenv("ZKCTL_HOME", home.path().c_str(), 1);
  for (const bool secure : {false, true}) {
    auto c = wanted_kraft();
    c.servers = {testing::zk_server("127.0.0.1", 1, testing::free_port())};  // nothing there
    for (auto& n : c.kafka_nodes) n.controller_port = 9093;
    if (secure) c = testing::secure(c);
    testing::FakeHosts hosts;
    std::vector<std::pair<std::string, std::string>> asked;
    std::mutex mu;
    hosts.host_handler = [&](const std::string& host, const std::string& command) {
      std::lock_guard lock(mu);
      asked.emplace_back(host, command);
      if (host == "ctl1") return remote::CommandResult{1, "ctl1 refused", ""};
      return remote::CommandResult{0, "LeaderId: 2\nLeaderEpoch: 4\nCurrentVoters: [1,2,3]\n", ""};
    };
    runner::NullProgress progress;
    Context ctx(c, hosts.options(std::chrono::milliseconds(200)), progress);
    const auto look = look_at_migration(ctx, WithControllerQuorum::yes);
    ASSERT_TRUE(look.quorum) << look.quorum_error;
    EXPECT_EQ(look.quorum->leader_id, 2);
    ASSERT_EQ(asked.size(), 2u);  // ctl1 failed, ctl2 answered; no broker asked
    EXPECT_EQ(asked[0].first, "ctl1");
    EXPECT_EQ(asked[1].first, "ctl2");
    const std::string& cmd = asked[1].second;
    EXPECT_NE(cmd.find("--bootstrap-controller"), std::string::npos) << cmd;
    EXPECT_TRUE(cmd.ends_with(secure ? " zkctl /opt/kafka ctl1:9093,ctl2:9093,ctl3:9093 "
                                       "/opt/kafka/config/tls/admin.properties status"
                                     : " zkctl /opt/kafka ctl1:9093,ctl2:9093,ctl3:9093 '' status"))
        << cmd;
  }
  unsetenv("ZKCTL_HOME");
}

// The users and ACLs of a secure cluster are reconciled by deploy's users stage in every
// phase but dual-write's, whose deploy leaves them for after its gate (the driver's
// users_after_gate): the stage is not planned there.
TEST(MigrationUsers, TheDualWritePhaseLeavesTheUsersStageForAfterItsGate) {
  testing::TempDir home("zkctl-migration-users");
  setenv("ZKCTL_HOME", home.path().c_str(), 1);
  auto c = testing::secure(wanted_kraft());
  c.security.users.push_back({"app", "", {"orders"}, {"orders"}, {"app-"}, {}});
  runner::NullProgress progress;
  Options o;
  KafkaTier tier(c, c.kafka_nodes);
  Context in_deploy(c, o, progress);
  EXPECT_EQ(tier.reconcile_text(in_deploy),
            "1 user(s) of the inventory: SCRAM-SHA-512 credentials and ACLs; what zkctl created "
            "for users the inventory dropped is removed");
  o.kafka_users = KafkaUsersStage::later;
  Context later(c, o, progress);
  EXPECT_EQ(tier.reconcile_text(later), "");
  unsetenv("ZKCTL_HOME");
}

TEST(MigrationStatus, TextAndJsonSayThePhaseAndTheWait) {
  MigrationRecord r;
  r.done = MigrationPhase::controllers;
  r.under_way = "dual_write";
  r.cluster_id = "MkU3OEVBNTcwNTJENDM2Qg";
  const MigrationZnode pre{2, 1, -1};
  const auto s = migration_status_of(
      "seed", r, look_with(pre, ControllerZnode{11, false}, {11, 12, 13}), {11, 12, 13});
  const std::string text = migration_status_text(s);
  EXPECT_NE(text.find("migration of seed to KRaft: done controllers, under way dual_write, "
                      "cluster id MkU3OEVBNTcwNTJENDM2Qg\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("gate of dual_write: waiting for the controllers to copy the metadata"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("zookeeper: /migration kraft_metadata_offset -1, kraft controller 2; "
                      "/controller broker 11\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("next: zkctl deploy resumes it\n"), std::string::npos) << text;
  const auto j = migration_status_json(s);
  EXPECT_EQ(j["done"], "controllers");
  EXPECT_EQ(j["under_way"], "dual_write");
  EXPECT_EQ(j["gate"]["phase"], "dual_write");
  EXPECT_EQ(j["gate"]["holds"], false);
  EXPECT_EQ(j["steps"][2]["state"], "under way");
  EXPECT_EQ(j["zookeeper"]["migration"]["kraft_metadata_offset"], -1);
  EXPECT_EQ(j["quorum"]["leader"], 2);
}

// A migration begun between an upgrade's two steps would raise the protocol version the
// operator kept (#11): the pre-checks refuse it, naming the second step.
TEST(MigrationPrecheck, AnUpgradesPendingSecondStepIsNamed) {
  EXPECT_FALSE(pending_upgrade_problem(std::nullopt));
  EXPECT_FALSE(
      pending_upgrade_problem(KafkaUpgradeRecord{"3.8.1", "3.9.2", "", "finalized", "3.9-IV0"}));
  auto p = pending_upgrade_problem(KafkaUpgradeRecord{"3.8.1", "3.9.2", "3.8", "binaries", ""});
  ASSERT_TRUE(p);
  EXPECT_EQ(*p,
            "a Kafka upgrade to 3.9.2 is half done: inter.broker.protocol.version is kept at "
            "3.8; finish it first (zkctl deploy --finalize-upgrade with the ZooKeeper-mode "
            "inventory), then migrate");
}

}  // namespace
}  // namespace zkctl::ops
