// [monitoring] in the inventory: its keys, ranges, and its port and dir on a node's host.

#include <gtest/gtest.h>

#include <string>

#include "inventory/load.hpp"
#include "support/inventory_builder.hpp"

namespace zkctl::inventory {
namespace {

using namespace test;  // inventory_builder.hpp

class MonitoringLoad : public test::InventoryTest {
 protected:
  // Three servers node1..node3 (lines 3..13), then `monitoring` from line 14 on, then
  // `security` (open by default: ZooKeeper's own provider serves its metrics).
  LoadResult load(const std::string& monitoring, const std::string& security = kOpen) {
    return load_text(
        "[cluster]\nname = \"c\"\n"
        "[zookeeper]\ndistribution = \"zk.tar.gz\"\n"
        "[[zookeeper.servers]]\nhost = \"node1\"\nid = 1\n"
        "[[zookeeper.servers]]\nhost = \"node2\"\nid = 2\n"
        "[[zookeeper.servers]]\nhost = \"node3\"\nid = 3\n" +
        monitoring + security);
  }
  static constexpr const char* kOpen =
      "[security]\ntls = false\nauthentication = \"none\"\nauthorization = false\n";
};

TEST_F(MonitoringLoad, AbsentMeansNoMonitoringHost) {
  auto r = load("");
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_FALSE(r.cluster->monitoring.enabled());
}

TEST_F(MonitoringLoad, DefaultsAndEveryKey) {
  auto r = load("[monitoring]\nhost = \"mon\"\n");
  ASSERT_TRUE(r.cluster) << dump(r);
  const MonitoringSettings& m = r.cluster->monitoring;
  EXPECT_TRUE(m.enabled());
  EXPECT_EQ(m.host, "mon");
  EXPECT_EQ(m.port, 9090);
  EXPECT_EQ(m.install_dir, "/opt/zkctl-monitoring");
  EXPECT_EQ(m.scrape_interval_s, 15);
  EXPECT_EQ(m.disk_alert_percent, 85);
  EXPECT_EQ(m.pos.line, 14);

  r = load(
      "[monitoring]\nhost = \"node1\"\nport = 9191\ninstall_dir = \"/srv/prom/\"\n"
      "scrape_interval_s = 2\ndisk_alert_percent = 70\n");
  ASSERT_TRUE(r.cluster) << dump(r);
  EXPECT_EQ(r.cluster->monitoring.port, 9191);
  EXPECT_EQ(r.cluster->monitoring.install_dir, "/srv/prom");
  EXPECT_EQ(r.cluster->monitoring.scrape_interval_s, 2);
  EXPECT_EQ(r.cluster->monitoring.disk_alert_percent, 70);
}

TEST_F(MonitoringLoad, HostIsRequiredAndChecked) {
  EXPECT_TRUE(HasOnlyError(load("[monitoring]\nport = 9091\n"),
                           "inv.toml:14:1: error: missing required key 'host' in [monitoring] "
                           "(the host running Prometheus)"));
  EXPECT_TRUE(HasOnlyError(load("[monitoring]\nhost = \"a b\"\n"),
                           "inv.toml:15:8: error: monitoring.host: 'a b' is not a valid host "
                           "name, IPv4 or IPv6 address"));
}

TEST_F(MonitoringLoad, KafkaNodesNeedTheAgent) {
  // Metrics on by default, no [metrics] table: the brokers serve no metrics, which a
  // monitoring host would see as every broker down.
  const std::string kafka =
      "[kafka]\ndistribution = \"kafka.tgz\"\n[[kafka.nodes]]\nhost = \"node1\"\nid = 11\n";
  EXPECT_TRUE(HasOnlyError(load(kafka + "[monitoring]\nhost = \"mon\"\n"),
                           "inv.toml:20:8: error: monitoring.host: Prometheus scrapes every Kafka "
                           "node's metrics, which need the JMX exporter agent: set [metrics] "
                           "jmx_agent (a local jmx_prometheus_javaagent 1.x jar)"));
  auto r = load(kafka + "[metrics]\nenabled = false\n[monitoring]\nhost = \"mon\"\n");
  EXPECT_TRUE(r.cluster) << dump(r);
  // On a TLS cluster (the default) ZooKeeper's metrics come from the agent too.
  EXPECT_TRUE(HasOnlyError(load("[monitoring]\nhost = \"mon\"\n", ""),
                           "inv.toml:15:8: error: monitoring.host: Prometheus scrapes every "
                           "ZooKeeper server's metrics, which need the JMX exporter agent: set "
                           "[metrics] jmx_agent (a local jmx_prometheus_javaagent 1.x jar)"));
}

TEST_F(MonitoringLoad, RangesAndUnknownKeys) {
  auto r = load(
      "[monitoring]\nhost = \"mon\"\nscrape_interval_s = 0\ndisk_alert_percent = 100\n"
      "port = 70000\nscrape = 1\n");
  EXPECT_FALSE(r.cluster);
  EXPECT_EQ(errors(r), 4u) << dump(r);
  for (const auto& d : r.diagnostics) {  // (the open [security] warns, at its own line)
    if (d.str().find(": error: ") != std::string::npos) {
      EXPECT_NE(d.str().find("inv.toml:1"), std::string::npos) << d.str();
    }
  }
}

TEST_F(MonitoringLoad, PortAndDirClashWithANodeOnTheSameHost) {
  EXPECT_TRUE(HasOnlyError(load("[monitoring]\nhost = \"NODE2\"\nport = 2181\n"),
                           "inv.toml:16:8: error: host 'NODE2' port 2181 (monitoring.port) is "
                           "already used by ZooKeeper server id 2 (line 8) as its client_port"));
  EXPECT_TRUE(HasOnlyError(
      load("[monitoring]\nhost = \"node2\"\ninstall_dir = \"/var/lib/zookeeper/prom\"\n"),
      "inv.toml:16:15: error: host 'node2' monitoring.install_dir '/var/lib/zookeeper/prom' "
      "overlaps '/var/lib/zookeeper', the data_dir of ZooKeeper server id 2 (line 8)"));
  // Another host: no clash.
  EXPECT_TRUE(load("[monitoring]\nhost = \"mon\"\nport = 2181\n").cluster);
}

TEST_F(MonitoringLoad, PortClashesWithTheHostAgent) {
  EXPECT_TRUE(HasOnlyError(load("[monitoring]\nhost = \"mon\"\nport = 9100\n"),
                           "inv.toml:16:8: error: monitoring.port: 9100 is the host agent's port "
                           "(metrics.host_port) on the same host"));
}

TEST_F(MonitoringLoad, ANodePortClashesWithTheHostAgent) {
  auto r = load_text(
      "[cluster]\nname = \"c\"\n[zookeeper]\ndistribution = \"zk.tar.gz\"\n"
      "[[zookeeper.servers]]\nhost = \"node1\"\nid = 1\nclient_port = 9100\n");
  // Reported once, by [metrics] (which owns host_port).
  EXPECT_TRUE(HasOnlyError(r,
                           "inv.toml:1:1: error: metrics.host_port: 9100 is already used on host "
                           "'node1' as the client_port of id 1"));
}

}  // namespace
}  // namespace zkctl::inventory
