#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <thread>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/component.hpp"
#include "ops/security/expiry.hpp"
#include "ops/security/listener_use.hpp"

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
int status_once(GlobalOptions& g, const LoadedCluster& loaded, Output output) {
  runner::NullProgress progress;
  ops::Context ctx(loaded.cluster, g.ops, progress);
  nlohmann::json j = {{"cluster", loaded.cluster.name}, {"nodes", nlohmann::json::array()}};
  std::string text;
  ops::Health health = ops::Health::ok;
  // Each tier asks its nodes; the table shows only what srvr says, --json also mntr's.
  for (auto& tier : ops::tiers_of(loaded.cluster)) {
    auto st = tier->status(ctx, output == Output::json ? probe::AskMntr::yes : probe::AskMntr::no);
    health = ops::worst(health, st->health());
    if (output == Output::json)
      st->add_json(j);
    else
      text += (text.empty() ? "" : "\n") + st->table(g.color);
  }
  // A TLS cluster's certificates: under 7 days left the cluster is degraded.
  if (loaded.cluster.security.tls) {
    auto expiry = ops::collect_expiry(ctx);
    if (expiry.worst() == ops::ExpiryLevel::fail)
      health = ops::worst(health, ops::Health::degraded);
    if (output == Output::json)
      j["certificates"] = ops::expiry_json(expiry);
    else
      text += "\n" + ops::expiry_table(expiry, g.color);
  }
  if (loaded.cluster.kafka && loaded.cluster.security.tls) {  // who uses each listener (#13)
    const auto uses = ops::listener_use(ctx);
    if (output == Output::json)
      j["listeners"] = ops::listener_json(uses);
    else
      text += "\n" + ops::listener_table(uses);
  }
  if (output == Output::json) {
    j["health"] = ops::to_string(health);
    std::printf("%s\n", j.dump(2).c_str());
  } else
    std::printf("%s", text.c_str());
  if (health == ops::Health::failed) return kNoQuorum;
  return health == ops::Health::degraded ? kDegraded : kOk;
}

}  // namespace

}  // namespace zkctl::cli
