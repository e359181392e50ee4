#pragma once
// systemd units for the `systemd` launcher (templates/systemd/): values built
// from the inventory by pure functions, then filled into the templates.

#include <string>
#include <utility>
#include <vector>

#include "inventory/model.hpp"
#include "render/engine.hpp"
#include "render/rendered_file.hpp"
#include "util/result.hpp"

namespace zkctl::render {

// Which service a unit runs.
enum class Product {
  zookeeper,
  kafka,
  host_agent,  // the monitoring daemons: zkctl runs them itself, never through a unit
  prometheus,
};

// Where units are written on a host.
inline constexpr const char* kSystemdUnitDir = "/etc/systemd/system";

// Everything templates/systemd/<product>.service.mustache is filled from. Raw
// values: rendering escapes them for systemd (quotes, '%' specifiers, '$').
struct SystemdUnitValues {
  Product product = Product::zookeeper;
  std::string cluster;                  // the cluster's name (Description)
  int id = 0;                           // myid / node.id (Description)
  std::string unit_suffix;              // the node's ServiceSettings::unit_suffix (file name)
  std::string user;                     // User=
  std::string working_dir;              // WorkingDirectory=
  std::vector<std::string> exec_start;  // program (absolute) and arguments, in the foreground
  std::vector<std::pair<std::string, std::string>> environment;  // Environment= lines, in order
  int limit_nofile = 100000;                                     // LimitNOFILE=
  int timeout_stop_s = 30;  // TimeoutStopSec=: SIGTERM, then SIGKILL after this
};

// "zkctl-<cluster>-<zookeeper|kafka><suffix>.service" (suffix: ServiceSettings::unit_suffix).
std::string unit_name(const std::string& cluster, Product product, const std::string& suffix = "");

// The unit running `server` in the foreground: zkServer.sh start-foreground with
// ZOOCFGDIR, JAVA_HOME (when pushed) and the heap in its environment.
SystemdUnitValues zookeeper_unit_values(const inventory::Cluster& cluster,
                                        const inventory::Server& server);

// The unit running `node`: kafka-server-start.sh server.properties (foreground)
// with KAFKA_HEAP_OPTS, LOG_DIR and JAVA_HOME (when pushed).
SystemdUnitValues kafka_unit_values(const inventory::Cluster& cluster,
                                    const inventory::KafkaNode& node);

// Fill the product's template. Fails on a control character in any value, a
// program path that is not absolute, a malformed environment name, or a user
// that is not a plain user name.
util::Result<std::string> render_systemd_unit(const SystemdUnitValues& values,
                                              const RenderOptions& options = {});

// The unit file (root-owned, 0644) at /etc/systemd/system/<unit_name>.
util::Result<RenderedFile> zookeeper_unit_file(const inventory::Cluster& cluster,
                                               const inventory::Server& server,
                                               const RenderOptions& options = {});
util::Result<RenderedFile> kafka_unit_file(const inventory::Cluster& cluster,
                                           const inventory::KafkaNode& node,
                                           const RenderOptions& options = {});

}  // namespace zkctl::render
