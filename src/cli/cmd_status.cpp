#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "ops/status.hpp"

namespace zkctl::cli {

int cmd_status(GlobalOptions& g, Output output) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  plan::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  const auto& cluster = loaded->cluster;
  const bool has_zk = !cluster.servers.empty();
  ops::ClusterStatus status;
  if (has_zk) status = ops::collect_status(ctx);
  std::optional<ops::KafkaStatus> kafka;
  if (cluster.kafka) kafka = ops::collect_kafka_status(ctx);
  if (output == Output::json) {
    nlohmann::json j = has_zk ? status_json(cluster.name, status)
                              : nlohmann::json{{"cluster", cluster.name}, {"nodes", nlohmann::json::array()}};
    if (kafka) j["kafka"] = kafka_json(cluster, *kafka);
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    if (has_zk) std::printf("%s", status_table(status).c_str());
    if (kafka) std::printf("%s%s", has_zk ? "\n" : "", kafka_table(cluster, *kafka).c_str());
  }
  bool ok = (!has_zk || status.quorum.ok()) && (!kafka || kafka->ok());
  return ok ? kOk : kNoQuorum;
}

}  // namespace zkctl::cli
