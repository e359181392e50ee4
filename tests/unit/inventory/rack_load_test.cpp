// `rack` of [[zookeeper.servers]] and [[kafka.nodes]] (#15): the model, a bad name at its
// value, every node of a kind naming a rack or none, broker.rack left to the nodes.

#include <gtest/gtest.h>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

using namespace test;  // inventory_builder.hpp

// kThreeVotersThreeBrokers with a rack line after each server's and broker's id; `skip`:
// the original line after which none is added. Servers a, b, c at lines 5, 9, 13 then;
// brokers a, b, c at 19, 23, 27.
Lines with_racks(const std::vector<std::string>& servers, const std::vector<std::string>& brokers,
                 size_t skip = 0) {
  Lines l = kThreeVotersThreeBrokers;
  const std::vector<std::pair<size_t, std::string>> at = {{24, brokers[2]}, {21, brokers[1]},
                                                          {18, brokers[0]}, {13, servers[2]},
                                                          {10, servers[1]}, {7, servers[0]}};
  for (const auto& [line, rack] : at)
    if (line != skip) l = insert_after(l, line, {"rack = \"" + rack + "\""});
  return l;
}

class RackLoadTest : public InventoryTest {};

}  // namespace

TEST_F(RackLoadTest, RacksLoadIntoEveryNode) {
  const LoadResult r = load(with_racks({"r1", "r2", "r3"}, {"r1", "r2", "rack-3.b_c"}));
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_EQ(errors(r), 0u) << dump(r);
  EXPECT_EQ(r.cluster->servers[0].rack, "r1");
  EXPECT_EQ(r.cluster->servers[2].rack, "r3");
  EXPECT_EQ(r.cluster->kafka_nodes[1].rack, "r2");
  EXPECT_EQ(r.cluster->kafka_nodes[2].rack, "rack-3.b_c");
}

TEST_F(RackLoadTest, NoRackAnywhereIsFine) {
  const LoadResult r = load(kThreeVotersThreeBrokers);
  ASSERT_TRUE(r.cluster) << dump(r);
  for (const auto& s : r.cluster->servers) EXPECT_EQ(s.rack, "");
  for (const auto& n : r.cluster->kafka_nodes) EXPECT_EQ(n.rack, "");
}

TEST_F(RackLoadTest, ABadRackNameIsReportedAtItsValue) {
  LoadResult r = load(with_racks({"r1", "r2", "r3"}, {"r1", "r 2", "r3"}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:26:8: error: kafka.nodes[1].rack: 'r 2' is not a rack name "
                           "(1-64 letters, digits, '_', '.', '-'; not starting with '.' or '-')"));
  r = load(with_racks({"-r1", "r2", "r3"}, {"r1", "r2", "r3"}));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:8:8: error: zookeeper.servers[0].rack: '-r1' is not a rack "
                           "name (1-64 letters, digits, '_', '.', '-'; not starting with '.' or "
                           "'-')"));
  r = load(replace_line(with_racks({"r1", "r2", "r3"}, {"r1", "r2", "r3"}), 8, "rack = 1"));
  EXPECT_EQ(errors(r), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics.at(0).pos.line, 8) << dump(r);
}

TEST_F(RackLoadTest, EveryNodeOfAKindNamesARackOrNone) {
  // Broker c without a rack while a and b have one.
  LoadResult r = load(with_racks({"r1", "r2", "r3"}, {"r1", "r2", "r3"}, 24));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:27:1: error: missing key 'rack' in [[kafka.nodes]] (host "
                           "'c'): Kafka node id 11 (line 19) names rack 'r1'; give every node a "
                           "rack or none"));
  // Server a without one; racks on the brokers only are fine.
  r = load(with_racks({"r1", "r2", "r3"}, {"r1", "r2", "r3"}, 7));
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:5:1: error: missing key 'rack' in [[zookeeper.servers]] "
                           "(host 'a'): server id 2 (line 8) names rack 'r2'; give every server "
                           "a rack or none"));
  Lines brokers_only = kThreeVotersThreeBrokers;
  for (size_t line : {24, 21, 18})
    brokers_only = insert_after(brokers_only, line, {"rack = \"x\""});
  r = load(brokers_only);
  EXPECT_EQ(errors(r), 0u) << dump(r);
}

TEST_F(RackLoadTest, BrokerRackInKafkaConfigIsLeftToTheNodes) {
  const LoadResult r = load(
      insert_after(kThreeVotersThreeBrokers, 15, {"[kafka.config]", "\"broker.rack\" = \"r1\""}));
  EXPECT_EQ(errors(r), 1u) << dump(r);
  EXPECT_TRUE(HasDiag(r,
                      "inv.toml:17:1: error: kafka.config: 'broker.rack' is managed by zkctl; set "
                      "rack in each [[kafka.nodes]] entry instead"));
}

}  // namespace zkctl::inventory
