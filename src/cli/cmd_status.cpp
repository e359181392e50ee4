#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <thread>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "ops/zookeeper/status.hpp"

namespace zkctl::cli {

namespace {
int status_once(GlobalOptions& g, const LoadedCluster& loaded, Output output);
}

int cmd_status(GlobalOptions& g, Output output, int watch_seconds) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  if (watch_seconds > 0) {
    // Redraw every `watch_seconds` until interrupted; on a terminal the screen is cleared.
    const bool tty = isatty(STDOUT_FILENO) != 0;
    for (;;) {
      if (tty) std::printf("\033[H\033[2J");
      std::time_t t = std::time(nullptr);
      char when[32];
      std::strftime(when, sizeof when, "%H:%M:%S", std::localtime(&t));
      std::printf("zkctl status -c %s   every %ds   %s\n\n", loaded->cluster.name.c_str(),
                  watch_seconds, when);
      status_once(g, *loaded, Output::text);
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::seconds(watch_seconds));
    }
  }
  return status_once(g, *loaded, output);
}

namespace {
int status_once(GlobalOptions& g, const LoadedCluster& loaded_ref, Output output) {
  const LoadedCluster* loaded = &loaded_ref;
  runner::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  const auto& cluster = loaded->cluster;
  const bool has_zk = !cluster.servers.empty();
  ops::ClusterStatus status;
  // The table shows only what srvr says; --json also reports mntr's peer state and syncs.
  if (has_zk)
    status =
        ops::collect_status(ctx, output == Output::json ? probe::AskMntr::yes : probe::AskMntr::no);
  std::optional<ops::KafkaStatus> kafka;
  if (cluster.kafka) kafka = ops::collect_kafka_status(ctx);
  if (output == Output::json) {
    nlohmann::json j =
        has_zk ? status_json(cluster.name, status)
               : nlohmann::json{{"cluster", cluster.name}, {"nodes", nlohmann::json::array()}};
    if (kafka) j["kafka"] = kafka_json(cluster, *kafka);
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    if (has_zk) std::printf("%s", status_table(status, g.color).c_str());
    if (kafka)
      std::printf("%s%s", has_zk ? "\n" : "", kafka_table(cluster, *kafka, g.color).c_str());
  }
  bool ok = (!has_zk || status.quorum.ok()) && (!kafka || kafka->ok());
  return ok ? kOk : kNoQuorum;
}

}  // namespace

}  // namespace zkctl::cli
