// A CA rotation's state on this machine: the phase record (read, written, resumed from), the
// pki dir's files each phase adds, the view the cluster's PKI takes from them, and finishing.
#include "ops/security/ca_files.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ops/security/cluster_pki.hpp"
#include "support/cluster.hpp"

namespace zkctl::ops {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CaFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("ZKCTL_HOME", (home_.path() + "/state").c_str(), 1);
    dir_ = pki_dir("seed");
    pki::StoreOptions o;
    o.dir = dir_;
    o.cluster = "seed";
    auto ca = pki::Store(o).ca();
    ASSERT_TRUE(ca.ok()) << ca.error().message;
    old_ = *ca;
  }
  void TearDown() override { ::unsetenv("ZKCTL_HOME"); }

  void enter(CaPhase p) {
    auto r = enter_ca_phase("seed", p, inventory::KeyType::ec_p256);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(write_ca_record("seed", {p, false, {}}).ok());
  }
  CaView view() {
    auto v = ca_view("seed");
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v ? *v : CaView{};
  }

  testing::TempDir home_{"ca-files"};
  fs::path dir_;
  pki::Pem old_;
};

TEST_F(CaFiles, TheRecordRoundTripsAndAForeignOneIsAnError) {
  auto none = read_ca_record("seed");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(
      write_ca_record("seed", {CaPhase::reissue, false, {"node1", "node2 (kafka 12)"}}).ok());
  auto rec = read_ca_record("seed");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->phase, CaPhase::reissue);
  EXPECT_FALSE((*rec)->done);
  EXPECT_EQ((*rec)->nodes_done, (std::vector<std::string>{"node1", "node2 (kafka 12)"}));
  EXPECT_EQ(fs::status(fs::path(home_.path()) / "state/clusters/seed/ca-rotation").permissions() &
                fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream(fs::path(home_.path()) / "state/clusters/seed/ca-rotation") << "{\"phase\":\"x\"}";
  auto bad = read_ca_record("seed");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not a CA rotation record"), std::string::npos);
  EXPECT_FALSE(ca_view("seed").ok()) << "an unreadable record is never guessed";
  ASSERT_TRUE(remove_ca_record("seed").ok());
  EXPECT_FALSE(read_ca_record("seed")->has_value());
  EXPECT_EQ(ca_phase_named("drop-old"), CaPhase::drop_old);
  EXPECT_FALSE(ca_phase_named("dropold").has_value());
}

TEST_F(CaFiles, EachPhaseGivesThePkiItsView) {
  EXPECT_EQ(view().ca_stem, "ca");
  EXPECT_EQ(view().trust_file, (dir_ / "ca.crt").string());

  enter(CaPhase::trust_both);
  const std::string next = slurp(dir_ / "ca-next.crt");
  ASSERT_FALSE(next.empty());
  // The old CA last: ZooKeeper's PEM trust store keeps the last CA of a subject.
  EXPECT_EQ(slurp(dir_ / "ca-trust.crt"), next + old_.cert);
  EXPECT_TRUE(pki::verify(slurp(dir_ / "ca-cross.crt"), old_.cert).ok());
  EXPECT_EQ(view().ca_stem, "ca") << "the old CA still issues";
  EXPECT_EQ(view().chain, "");
  EXPECT_EQ(view().trust_file, (dir_ / "ca-trust.crt").string());
  EXPECT_EQ(zkctl_client_tls([] {
              inventory::Cluster c;
              c.name = "seed";
              return c;
            }())
                .ca_file,
            (dir_ / "ca-trust.crt").string());
  // Entering again (a resumed run) keeps the new CA.
  enter(CaPhase::trust_both);
  EXPECT_EQ(slurp(dir_ / "ca-next.crt"), next);

  enter(CaPhase::reissue);
  EXPECT_EQ(view().ca_stem, "ca-next");
  EXPECT_EQ(view().chain, slurp(dir_ / "ca-cross.crt"));
  EXPECT_TRUE(pki::verify(view().chain, old_.cert).ok());
  EXPECT_EQ(view().trust_file, (dir_ / "ca-trust.crt").string());

  // drop-old: first the new CA alone is trusted while chains still carry the cross-signed
  // certificate (a node still trusting the old CA verifies them), then chains drop it.
  const std::string cross = slurp(dir_ / "ca-cross.crt");
  enter(CaPhase::drop_old);
  EXPECT_EQ(view().ca_stem, "ca-next");
  EXPECT_EQ(view().trust_file, (dir_ / "ca-next.crt").string());
  EXPECT_EQ(view().chain, cross);
  EXPECT_TRUE(ca_cross_served("seed"));
  ASSERT_TRUE(drop_ca_cross("seed").ok());
  EXPECT_FALSE(ca_cross_served("seed"));
  EXPECT_EQ(view().chain, "");
  EXPECT_EQ(view().trust_file, (dir_ / "ca-next.crt").string());

  ASSERT_TRUE(finish_ca_rotation("seed").ok());
  EXPECT_EQ(slurp(dir_ / "ca.crt"), next);
  EXPECT_FALSE(fs::exists(dir_ / "ca-next.crt"));
  EXPECT_FALSE(read_ca_record("seed")->has_value());
  EXPECT_EQ(view().ca_stem, "ca");
  EXPECT_EQ(view().trust_file, (dir_ / "ca.crt").string());
  // The old CA is archived, never deleted.
  int archived = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "archive"))
    archived += slurp(e.path()) == old_.cert || slurp(e.path()) == old_.key;
  EXPECT_EQ(archived, 2);
  EXPECT_TRUE(pki::check_ca({slurp(dir_ / "ca.crt"), slurp(dir_ / "ca.key")}).ok());
}

// Finishing interrupted after the new key was written over ca.key: a rerun completes it and
// archives nothing twice.
TEST_F(CaFiles, AnInterruptedFinishCompletesOnTheNextRun) {
  enter(CaPhase::trust_both);
  enter(CaPhase::reissue);
  enter(CaPhase::drop_old);
  ASSERT_TRUE(drop_ca_cross("seed").ok());
  const std::string next_key = slurp(dir_ / "ca-next.key");
  const std::string next = slurp(dir_ / "ca-next.crt");
  fs::create_directories(dir_ / "archive");
  ASSERT_TRUE(finish_ca_rotation("seed").ok());
  // Replay the state "archived, ca.key new, ca.crt still old" and finish again.
  std::ofstream(dir_ / "ca-next.crt") << next;
  std::ofstream(dir_ / "ca-next.key") << next_key;
  std::ofstream(dir_ / "ca.crt") << old_.cert;
  ASSERT_TRUE(write_ca_record("seed", {CaPhase::drop_old, true, {}}).ok());
  EXPECT_EQ(view().ca_stem, "ca-next") << "the half-written ca.* are not used meanwhile";
  ASSERT_TRUE(finish_ca_rotation("seed").ok());
  EXPECT_TRUE(pki::check_ca({slurp(dir_ / "ca.crt"), slurp(dir_ / "ca.key")}).ok());
  EXPECT_EQ(slurp(dir_ / "ca.crt"), next);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "archive")) ++files;
  EXPECT_EQ(files, 2);
}

}  // namespace
}  // namespace zkctl::ops
