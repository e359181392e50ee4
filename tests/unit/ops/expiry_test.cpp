#include "ops/security/expiry.hpp"

#include <gtest/gtest.h>

#include "pki/pki.hpp"

namespace zkctl::ops {
namespace {

using std::chrono::system_clock;

pki::Pem ca(int days = 3650) {
  auto c = pki::generate_ca("seed", pki::KeyType::ec_p256, days);
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

pki::Pem leaf(const pki::Pem& ca, int days) {
  auto p = pki::issue(ca, {"zookeeper", "seed"}, {{"zk1"}, {}}, pki::KeyType::ec_p256, days);
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

// certs.sh's output for a node holding `node` (key + chain) and `ca_pem`.
std::vector<HeldFile> held(const pki::Pem& node, const std::string& ca_pem) {
  std::string out = "file=/c/tls/node.pem\n";
  for (const auto& b : certificate_blocks(node.cert)) out += b;
  out += "file=/c/tls/ca.pem\n" + ca_pem;
  return parse_held_certs(out);
}

TEST(Expiry, LevelsWarnUnderThirtyDaysAndFailUnderSeven) {
  EXPECT_EQ(expiry_level(400), ExpiryLevel::ok);
  EXPECT_EQ(expiry_level(30), ExpiryLevel::ok);
  EXPECT_EQ(expiry_level(29), ExpiryLevel::warn);
  EXPECT_EQ(expiry_level(7), ExpiryLevel::warn);
  EXPECT_EQ(expiry_level(6), ExpiryLevel::fail);
  EXPECT_EQ(expiry_level(-3), ExpiryLevel::fail);
}

TEST(Expiry, ParsesHeadersAndBlocksAndDropsEverythingElse) {
  const std::string b1 = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n";
  const std::string b2 = "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n";
  auto files = parse_held_certs("stray\nfile=/a/node.pem\n" + b1 + "noise\n" + b2 +
                                "absent=/a/ca.pem\nrefused=/b/node.pem\n");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "/a/node.pem");
  EXPECT_EQ(files[0].certs, (std::vector<std::string>{b1, b2}));
  EXPECT_EQ(files[1].state, HeldFile::State::absent);
  EXPECT_EQ(files[2].state, HeldFile::State::refused);
  EXPECT_TRUE(files[2].certs.empty());
}

TEST(Expiry, CertificateBlocksSkipTheKey) {
  auto c = ca();
  auto n = leaf(c, 100);
  auto blocks = certificate_blocks(n.key + n.cert);
  ASSERT_EQ(blocks.size(), 2u);  // leaf + CA
  for (const auto& b : blocks) EXPECT_EQ(b.find("PRIVATE"), std::string::npos);
}

TEST(Expiry, ShortLivedNodeCertificateWarnsThenFailsAndCaIsMergedAcrossNodes) {
  auto c = ca();
  auto warn = leaf(c, 20);
  auto fail = leaf(c, 5);
  ExpiryReport r;
  const auto now = system_clock::now();
  add_node_expiry(r, "zk1", "zookeeper 1", held(warn, c.cert), warn.key + warn.cert, now);
  add_node_expiry(r, "zk2", "zookeeper 2", held(fail, c.cert), fail.key + fail.cert, now);
  add_local_ca(r, c.cert, now);
  ASSERT_EQ(r.rows.size(), 3u);  // two nodes, one CA
  EXPECT_EQ(r.rows[0].level, ExpiryLevel::warn);
  EXPECT_EQ(r.rows[0].days_left, 19);
  EXPECT_EQ(r.rows[0].note, "");
  EXPECT_EQ(r.rows[1].level, ExpiryLevel::fail);
  EXPECT_EQ(r.rows[2].node, "CA");
  EXPECT_EQ(r.rows[2].level, ExpiryLevel::ok);
  EXPECT_EQ(r.rows[2].note, "held by zk1, zk2, this machine");
  EXPECT_EQ(r.worst(), ExpiryLevel::fail);
  auto j = expiry_json(r);
  EXPECT_EQ(j[1]["level"], "fail");
  EXPECT_EQ(j[1]["days_left"], 4);
}

TEST(Expiry, ACaNearItsEndFailsAndAHostCopyDifferingFromTheLocalOneIsNoted) {
  auto old_ca = ca(5);
  auto n = leaf(old_ca, 3);
  auto local = leaf(old_ca, 3);  // reissued here, not pushed
  ExpiryReport r;
  add_node_expiry(r, "zk1", "zookeeper 1", held(n, old_ca.cert), local.key + local.cert,
                  system_clock::now());
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_NE(r.rows[0].note.find("differs from this machine's copy"), std::string::npos);
  EXPECT_EQ(r.rows[1].node, "CA");
  EXPECT_EQ(r.rows[1].level, ExpiryLevel::fail);
}

TEST(Expiry, ARefusedNodePemFailsAndAnAbsentOneIsNotDeployedYet) {
  ExpiryReport r;
  add_node_expiry(r, "zk1", "zookeeper 1", parse_held_certs("refused=/c/tls/node.pem\n"), "",
                  system_clock::now());
  add_node_expiry(r, "zk2", "zookeeper 2", parse_held_certs("absent=/c/tls/node.pem\n"), "",
                  system_clock::now());
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].level, ExpiryLevel::fail);
  EXPECT_NE(r.rows[0].note.find("a link"), std::string::npos);
  EXPECT_EQ(r.rows[1].level, ExpiryLevel::ok);  // `check` before the first deploy passes
  EXPECT_EQ(r.rows[1].note, "no node.pem (not deployed yet)");
}

}  // namespace
}  // namespace zkctl::ops
