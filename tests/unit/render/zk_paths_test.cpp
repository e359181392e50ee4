#include "render/zk_paths.hpp"

#include <gtest/gtest.h>

#include "render/rendered_file.hpp"

namespace zkctl::render {
namespace {

inventory::Server server(const char* install, const char* data, const char* data_log = "") {
  inventory::Server s;
  s.host = "node1";
  s.id = 1;
  s.install_dir = install;
  s.data_dir = data;
  s.data_log_dir = data_log;
  return s;
}

TEST(RenderZkPaths, SeedLayout) {
  const auto p = zk_paths(server("/opt/zookeeper", "/var/lib/zookeeper"));
  EXPECT_EQ(p.install_dir, "/opt/zookeeper");
  EXPECT_EQ(p.releases_dir, "/opt/zookeeper/releases");
  EXPECT_EQ(p.current_link, "/opt/zookeeper/current");
  EXPECT_EQ(p.conf_dir, "/opt/zookeeper/conf");
  EXPECT_EQ(p.zoo_cfg, "/opt/zookeeper/conf/zoo.cfg");
  EXPECT_EQ(p.env_file, "/opt/zookeeper/conf/zookeeper-env.sh");
  EXPECT_EQ(p.log_dir, "/opt/zookeeper/logs");
  EXPECT_EQ(p.data_dir, "/var/lib/zookeeper");
  EXPECT_EQ(p.data_log_dir, "");
  EXPECT_EQ(p.myid, "/var/lib/zookeeper/myid");
  EXPECT_EQ(p.pid_file, "/var/lib/zookeeper/zookeeper_server.pid");
  EXPECT_EQ(p.tls_dir, "/opt/zookeeper/conf/tls");
  EXPECT_EQ(p.node_pem, "/opt/zookeeper/conf/tls/node.pem");
  EXPECT_EQ(p.ca_pem, "/opt/zookeeper/conf/tls/ca.pem");
}

TEST(RenderZkPaths, TrailingSlashesAndRoot) {
  const auto p = zk_paths(server("/opt/zk//", "/", "/txlog/"));
  EXPECT_EQ(p.install_dir, "/opt/zk");
  EXPECT_EQ(p.conf_dir, "/opt/zk/conf");
  EXPECT_EQ(p.data_dir, "/");
  EXPECT_EQ(p.myid, "/myid");
  EXPECT_EQ(p.data_log_dir, "/txlog");
}

RenderedFile file(const char* path) {
  return RenderedFile{.path = path, .content = "", .mode = 0644};
}

TEST(RenderLocalName, OneDirectoryPerServerUnderItsHost) {
  auto s = server("/opt/zookeeper", "/var/lib/zookeeper");
  EXPECT_EQ(local_name(s, file("/opt/zookeeper/conf/zoo.cfg")), "node1/zookeeper-1/zoo.cfg");
  EXPECT_EQ(local_name(s, file("/var/lib/zookeeper/myid")), "node1/zookeeper-1/myid");
  // Two servers on one host (production.toml's observers) never share a file.
  auto other = s;
  other.id = 12;
  EXPECT_EQ(local_name(other, file("/opt/zookeeper-12/conf/zoo.cfg")),
            "node1/zookeeper-12/zoo.cfg");
  s.host = "fd00::1";
  EXPECT_EQ(local_name(s, file("/x/myid")), "fd00::1/zookeeper-1/myid");
  s.host = "../etc";
  EXPECT_EQ(local_name(s, file("/x/myid")), ".._etc/zookeeper-1/myid");
  s.host = "..";
  EXPECT_EQ(local_name(s, file("/x/myid")), "_/zookeeper-1/myid");
  EXPECT_EQ(local_name(s, file("/x/..")), "_/zookeeper-1/_");
}

}  // namespace
}  // namespace zkctl::render
