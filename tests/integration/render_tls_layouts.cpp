// Renders, with zkctl's own renderers, the files of small secure clusters on 127.0.0.1 for
// tls_smoke.py: a standalone ZooKeeper server, a 3-server ensemble, a ZooKeeper-mode broker
// using the standalone server, and a KRaft broker+controller, all in cluster "smoke".
// Every file goes to the path render gives it (install dirs under OUT), with its mode.
//
// Usage: render_tls_layouts OUT PKI AUTH BASE_PORT
//   PKI holds ca.pem, zookeeper.pem, kafka.pem, admin.pem (key then chain); AUTH is scram,
//   mtls or none; ports are BASE_PORT + small offsets (printed as NAME=PORT lines).

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "render/kafka.hpp"
#include "render/zookeeper.hpp"

namespace fs = std::filesystem;
using namespace zkctl;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return ss.str();
}

void write_all(const util::Result<std::vector<render::RenderedFile>>& files) {
  if (!files) throw std::runtime_error(files.error().message);
  for (const auto& f : *files) {
    fs::create_directories(fs::path(f.path).parent_path());
    std::ofstream(f.path, std::ios::binary | std::ios::trunc) << f.content;
    ::chmod(f.path.c_str(), static_cast<mode_t>(f.mode));
  }
}

inventory::Server server(const fs::path& out, const std::string& name, int id, int base) {
  inventory::Server s;
  s.host = "127.0.0.1";
  s.id = id;
  s.ports = inventory::Ports{.client = base, .peer = base + 1, .election = base + 2, .admin = 0};
  s.install_dir = (out / name).string();
  s.data_dir = (out / name / "data").string();
  return s;
}

inventory::KafkaNode kafka_node(const fs::path& out, const std::string& name, int base,
                                bool controller) {
  inventory::KafkaNode n;
  n.host = "localhost";
  n.id = 1;
  n.broker = true;
  n.controller = controller;
  n.listener_port = base;
  n.internal_port = base + 1;
  n.controller_port = base + 2;
  n.install_dir = (out / name).string();
  n.log_dirs = {(out / name / "data").string()};
  return n;
}

inventory::Cluster cluster(const std::string& auth) {
  inventory::Cluster c;
  c.name = "smoke";
  c.security.authentication = auth == "mtls"   ? inventory::Authentication::mtls
                              : auth == "none" ? inventory::Authentication::none
                                               : inventory::Authentication::scram;
  c.security.authorization = auth != "none";
  c.zookeeper.four_letter_words = {"srvr", "stat", "mntr", "ruok", "conf", "isro"};
  return c;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 5) {
    std::cerr << "usage: render_tls_layouts OUT PKI AUTH BASE_PORT\n";
    return 2;
  }
  const fs::path out = argv[1], pki = argv[2];
  const std::string auth = argv[3];
  const int base = std::stoi(argv[4]);
  const std::string ca = slurp(pki / "ca.pem");
  const render::TlsMaterial zk_tls{ca, slurp(pki / "zookeeper.pem"), ""};
  const render::TlsMaterial kafka_tls{ca, slurp(pki / "kafka.pem"), slurp(pki / "admin.pem")};

  auto standalone = cluster(auth);
  standalone.servers = {server(out, "zk", 1, base)};
  write_all(render::render_zookeeper_node(standalone, standalone.servers[0], {}, &zk_tls));
  std::cout << "zk=" << base << "\n";

  auto ensemble = cluster(auth);
  for (int i = 1; i <= 3; ++i)
    ensemble.servers.push_back(server(out, "q" + std::to_string(i), i, base + 10 * i));
  for (const auto& s : ensemble.servers) {
    write_all(render::render_zookeeper_node(ensemble, s, {}, &zk_tls));
    std::cout << "q" << s.id << "=" << s.ports.client << "\n";
  }

  auto zk_mode = standalone;
  zk_mode.kafka = inventory::KafkaSettings{};
  zk_mode.kafka->mode = inventory::KafkaMode::zookeeper;
  zk_mode.kafka_nodes = {kafka_node(out, "kzk", base + 50, false)};
  write_all(render::render_kafka_node(zk_mode, zk_mode.kafka_nodes[0], {}, &kafka_tls));
  std::cout << "kzk_client=" << base + 50 << "\nkzk_internal=" << base + 51 << "\n";

  auto kraft = cluster(auth);
  kraft.kafka = inventory::KafkaSettings{};
  kraft.kafka->mode = inventory::KafkaMode::kraft;
  kraft.kafka_nodes = {kafka_node(out, "kraft", base + 60, true)};
  write_all(render::render_kafka_node(kraft, kraft.kafka_nodes[0], {}, &kafka_tls));
  std::cout << "kraft_client=" << base + 60 << "\nkraft_internal=" << base + 61
            << "\nkraft_controller=" << base + 62 << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "render_tls_layouts: " << e.what() << "\n";
  return 1;
}
