// Fuzz target for inventory::load_string.
// Properties: never crashes (nor throws); every diagnostic message and its str()
// is one line, and the message holds no other control character either; a cluster
// comes back exactly when there is no error; diagnostics are ordered by position.
// A returned cluster satisfies the model's invariants (ids 1..255 and unique,
// absolute directories, a voter unless KRaft-only) and renders: every ZooKeeper
// server and Kafka node passes render/'s checks, so validation misses nothing.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "inventory/load.hpp"
#include "render/kafka.hpp"
#include "render/zookeeper.hpp"

using zkctl::fuzz::printable;
namespace inventory = zkctl::inventory;
namespace render = zkctl::render;

namespace {

bool one_line(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos;
}

bool no_control_chars(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const inventory::LoadResult r = inventory::load_string(text, "fuzz.toml", "/nonexistent");

  int line = 0;
  int col = 0;
  for (const auto& d : r.diagnostics) {
    FUZZ_CHECK(one_line(d.message), "diagnostic is not one line: " + printable(d.message));
    FUZZ_CHECK(one_line(d.str()), "diagnostic str() is not one line: " + printable(d.str()));
    FUZZ_CHECK(no_control_chars(d.message),
               "diagnostic holds a control character: " + printable(d.message));
    FUZZ_CHECK(!d.message.empty(), "empty diagnostic");
    FUZZ_CHECK(d.pos.line > line || (d.pos.line == line && d.pos.col >= col),
               "diagnostics out of order at " + printable(d.str()));
    line = d.pos.line;
    col = d.pos.col;
  }
  FUZZ_CHECK(r.cluster.has_value() != r.has_errors(),
             "a cluster must come back exactly when there is no error");
  if (!r.cluster) return 0;

  const inventory::Cluster& c = *r.cluster;
  // A KRaft-only inventory has no ZooKeeper servers; otherwise at least one votes.
  FUZZ_CHECK(!c.servers.empty() || c.kafka.has_value(), "a cluster without servers");
  FUZZ_CHECK(c.servers.empty() || !c.voters().empty(), "a cluster without voters");
  std::set<int> ids;
  for (const auto& s : c.servers) {
    FUZZ_CHECK(s.id >= 1 && s.id <= 255, "server id " + std::to_string(s.id));
    FUZZ_CHECK(ids.insert(s.id).second, "server id twice: " + std::to_string(s.id));
    FUZZ_CHECK(!s.host.empty() && no_control_chars(s.host), "host " + printable(s.host));
    FUZZ_CHECK(s.install_dir.starts_with('/'), "install_dir " + printable(s.install_dir));
    FUZZ_CHECK(s.data_dir.starts_with('/'), "data_dir " + printable(s.data_dir));
    FUZZ_CHECK(s.data_log_dir.empty() || s.data_log_dir.starts_with('/'),
               "data_log_dir " + printable(s.data_log_dir));
  }
  for (const auto& [key, value] : c.zookeeper.extra_config) {
    FUZZ_CHECK(no_control_chars(key) && no_control_chars(value),
               "extra config " + printable(key + "=" + value));
  }
  for (const auto& s : c.servers) {
    const auto files = render::render_zookeeper_node(c, s);
    FUZZ_CHECK(files.ok(),
               "a loaded inventory does not render: " + printable(files.error().message));
  }
  for (const auto& n : c.kafka_nodes) {
    const auto files = render::render_kafka_node(c, n);
    FUZZ_CHECK(files.ok(),
               "a loaded inventory does not render: " + printable(files.error().message));
  }
  return 0;
}
