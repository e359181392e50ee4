#pragma once
// One function per subcommand (cmd_<name>.cpp); app.cpp wires them to CLI11.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cluster_source.hpp"
#include "cli/completion.hpp"
#include "ops/commands/control.hpp"
#include "ops/commands/deploy.hpp"
#include "ops/commands/destroy.hpp"
#include "ops/commands/exec.hpp"
#include "ops/context.hpp"
#include "ops/migration/phase.hpp"
#include "runner/progress.hpp"
#include "util/color.hpp"

namespace zkctl::cli {

// Options every subcommand understands.
struct GlobalOptions {
  ClusterChoice choice;
  ops::Options ops;
  std::string command_line;                 // argv joined, for the lock and the audit log
  std::chrono::seconds lock_ttl{300};       // a lock not renewed (its zkctl died) expires after
                                            // this; renewed every third of it while held
  bool no_lock = false;                     // --no-lock: change the cluster without its lock
  std::vector<std::string> remote_command;  // exec: the words after "--"
  util::ColorChoice color_choice = util::ColorChoice::auto_detect;  // --color
  util::Color color = util::Color::off;      // colour on stdout (decided from color_choice)
  util::Color err_color = util::Color::off;  // colour on stderr (progress)
};

// The progress printer for changing commands: live per-host lines when stdout and stderr
// are terminals, plain lines on stderr otherwise.
std::unique_ptr<runner::Progress> make_progress(const GlobalOptions& g);

enum class Output { text, json };

// `force`: allow a membership change that leaves fewer than 3 voters.
int cmd_deploy(GlobalOptions& g, ops::Force force);
// `watch_seconds` > 0: redraw the table every that many seconds until interrupted.
int cmd_status(GlobalOptions& g, Output output, int watch_seconds);
int cmd_control(GlobalOptions& g, const std::string& node, ops::Action action, ops::Force force);
// Whole-cluster start, stop (--all) or rolling restart.
int cmd_cluster(GlobalOptions& g, ops::Action action);
// The smoke test: ZooKeeper round trip, Kafka produce/consume of `messages`.
int cmd_verify(GlobalOptions& g, int messages, Output output);
// Run `command` on the cluster's hosts (all, or `nodes`) at once; print each host's output.
int cmd_exec(GlobalOptions& g, const std::vector<std::string>& nodes,
             const std::vector<std::string>& command, Output output);
// The tail of `node`'s log: `which` names the service (ZooKeeper's when the host has
// a ZooKeeper server, else the Kafka node's, unless Kafka is asked for).
int cmd_logs(GlobalOptions& g, const std::string& node, ops::LogOf which, int lines);
// What deploy would change, per host, without changing anything.
int cmd_plan(GlobalOptions& g, Output output);

// When deploy (or plan) stopped before changing anything, print why under the header
// that applies and return its exit code (5 pre-flight, 4 refused); nullopt otherwise.
struct NotStartedHeaders {
  const char* preflight;  // "pre-flight failed; nothing was changed on any host"
  const char* refused;    // "deploy refused; nothing was changed on any host"
};
std::optional<int> print_not_started(const ops::DeployReport& report,
                                     const NotStartedHeaders& headers);

// What `zkctl destroy` was asked.
struct DestroyOptions {
  bool confirmed = false;                         // --yes: do not ask for the cluster name
  ops::PurgeData purge = ops::PurgeData::no;      // --purge-data: the data dirs too
  ops::ForceRemove force = ops::ForceRemove::no;  // --force: marked dirs with foreign files too
};
// Stop everything and remove the installs (and with `purge`, the data).
int cmd_destroy(GlobalOptions& g, const DestroyOptions& options);
// Print the completion script of `shell` (bash, zsh or fish) generated from `model`.
int cmd_completion(const CompletionModel& model, const std::string& shell);
// Back up the ensemble's data to `out` (empty: <cluster>-zookeeper-<UTC time>.tar).
int cmd_backup(GlobalOptions& g, const std::string& out, Output output);
// Check archive `file`'s members and load it with the inventory's ZooKeeper locally.
int cmd_backup_verify(GlobalOptions& g, const std::string& file, Output output);
// Whether a command replacing data asks first (typed cluster name) or was told --yes.
enum class Confirm { ask, given };
// Restore archive `file` into the inventory's ensemble.
int cmd_restore(GlobalOptions& g, const std::string& file, Confirm confirm);
// Rebuild the ensemble from the survivor with the highest zxid after a lost majority.
int cmd_recover(GlobalOptions& g, Confirm confirm);
// Pre-flight on its own, plus java version, disk, memory, clock skew, name resolution.
int cmd_check(GlobalOptions& g, Output output);
int cmd_render(GlobalOptions& g, const std::string& out_dir);
int cmd_client_config(GlobalOptions& g, const std::string& user, const std::string& out_dir);
int cmd_users(GlobalOptions& g, Output output);

// A migration from ZooKeeper mode to KRaft (cmd_migrate.cpp): the local record of it and the
// inventory the last deploy recorded.
struct MigrationState {
  ops::MigrationRecord record;
  std::optional<inventory::Cluster> deployed;
};
// The migration `loaded` asks for (kafka.mode "kraft" after a ZooKeeper-mode deploy, or a
// migration begun and not finalized); nullopt: none; an error (printed): unreadable state.
util::Result<std::optional<MigrationState>> migration_for(const LoadedCluster& loaded);
// deploy of a migrating cluster: the phases not done, up to the brokers in KRaft.
int cmd_migrate_deploy(GlobalOptions& g, const LoadedCluster& loaded, MigrationState& state,
                       ops::Force force, ops::MigrationPhase until = ops::MigrationPhase::kraft);
// `migrate run`: deploy's phases, only up to phase `until` ("controllers", "dual_write", ...).
int cmd_migrate_run(GlobalOptions& g, const std::string& until, ops::Force force);
// plan of a migrating cluster: prints the phases (text), returns the next phase's deploy plan;
// an error holds the inventory's refusals, one line each.
util::Result<ops::DeployReport> migrate_plan_report(GlobalOptions& g, const LoadedCluster& loaded,
                                                    const MigrationState& state, Output output);
int cmd_migrate_status(GlobalOptions& g, Output output);
int cmd_migrate_rollback(GlobalOptions& g);
// `confirm`: ask for the cluster name (finalize cannot be undone) unless given (--yes).
int cmd_migrate_finalize(GlobalOptions& g, Confirm confirm);

// drain and rebalance (#15): what was asked besides the cluster.
struct MoveCommand {
  long long throttle = 0;        // --throttle bytes/s (0: [kafka] reassign_throttle)
  bool dry_run = false;          // --dry-run: print the planned moves, change nothing
  Output output = Output::text;  // --json (with --dry-run): the plan as JSON
};
// Move every replica off broker `node` (an id, or the host of one broker).
int cmd_drain(GlobalOptions& g, const std::string& node, const MoveCommand& how);
// Spread replicas and preferred leaders evenly over the brokers.
int cmd_rebalance(GlobalOptions& g, const MoveCommand& how);

}  // namespace zkctl::cli
