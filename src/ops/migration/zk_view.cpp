#include "ops/migration/zk_view.hpp"

#include <nlohmann/json.hpp>

#include "ops/security/cluster_pki.hpp"
#include "probe/zk_client.hpp"
#include "render/kafka.hpp"

namespace zkctl::ops {

namespace {

util::Result<nlohmann::json> parse_object(const std::string& what, const std::string& text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) return util::fail(what + ": not a JSON object");
    return j;
  } catch (const std::exception& e) {
    return util::fail(what + ": " + e.what());
  }
}

util::Result<std::unique_ptr<probe::ZkClient>> connect(const inventory::Cluster& cluster,
                                                       std::chrono::milliseconds timeout) {
  probe::ZkOptions zo;
  zo.tls = zkctl_client_tls(cluster);
  return probe::ZkClient::connect(render::kafka_zookeeper_connect(cluster), timeout, zo);
}

}  // namespace

util::Result<MigrationZnode> parse_migration_znode(const std::string& text) {
  auto j = parse_object("/migration", text);
  if (!j) return j.error();
  try {
    MigrationZnode m;
    m.kraft_controller_id = j->at("kraft_controller_id").get<int>();
    m.kraft_controller_epoch = j->at("kraft_controller_epoch").get<int>();
    m.kraft_metadata_offset = j->at("kraft_metadata_offset").get<long long>();
    return m;
  } catch (const std::exception& e) {
    return util::fail(std::string("/migration: ") + e.what());
  }
}

util::Result<ControllerZnode> parse_controller_znode(const std::string& text) {
  auto j = parse_object("/controller", text);
  if (!j) return j.error();
  try {
    ControllerZnode c;
    c.id = j->at("brokerid").get<int>();
    // ZooKeeper-mode brokers of 3.9 write it too, as -1.
    c.kraft = j->contains("kraftControllerEpoch") && (*j)["kraftControllerEpoch"].get<int>() >= 0;
    return c;
  } catch (const std::exception& e) {
    return util::fail(std::string("/controller: ") + e.what());
  }
}

util::Result<std::string> parse_cluster_id_znode(const std::string& text) {
  auto j = parse_object("/cluster/id", text);
  if (!j) return j.error();
  if (!j->contains("id") || !(*j)["id"].is_string()) return util::fail("/cluster/id: no id");
  return (*j)["id"].get<std::string>();
}

util::Result<ZkMigrationView> read_zk_migration(const inventory::Cluster& cluster,
                                                std::chrono::milliseconds timeout) {
  auto zk = connect(cluster, timeout);
  if (!zk) return util::fail("zookeeper: " + zk.error().message);
  ZkMigrationView v;
  auto id = (*zk)->get("/cluster/id");
  if (!id) return util::fail("/cluster/id: " + id.error().message);
  if (*id) {
    auto parsed = parse_cluster_id_znode(**id);
    if (!parsed) return parsed.error();
    v.cluster_id = *parsed;
  }
  auto migration = (*zk)->get("/migration");
  if (!migration) return util::fail("/migration: " + migration.error().message);
  if (*migration) {
    auto parsed = parse_migration_znode(**migration);
    if (!parsed) return parsed.error();
    v.migration = *parsed;
  }
  auto controller = (*zk)->get("/controller");
  if (!controller) return util::fail("/controller: " + controller.error().message);
  if (*controller) {
    auto parsed = parse_controller_znode(**controller);
    if (!parsed) return parsed.error();
    v.controller = *parsed;
  }
  auto ids = (*zk)->children("/brokers/ids");
  if (!ids) return util::fail("/brokers/ids: " + ids.error().message);
  for (const auto& b : *ids) v.brokers.insert(std::atoi(b.c_str()));
  return v;
}

util::Result<std::string> clear_zk_migration(const inventory::Cluster& cluster,
                                             std::chrono::milliseconds timeout) {
  auto zk = connect(cluster, timeout);
  if (!zk) return util::fail("zookeeper: " + zk.error().message);
  if (auto r = (*zk)->remove_recursive("/controller"); !r)
    return util::fail("rmr /controller: " + r.error().message);
  auto was = (*zk)->get("/migration");
  if (!was) return util::fail("get /migration: " + was.error().message);
  if (auto r = (*zk)->remove_recursive("/migration"); !r)
    return util::fail("rmr /migration: " + r.error().message);
  return *was ? **was : std::string();
}

}  // namespace zkctl::ops
