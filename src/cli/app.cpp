#include "cli/app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "cli/cmd_pki.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/redacting_stdio.hpp"
#include "cli/template_overrides.hpp"
#include "util/color.hpp"
#include "util/trace.hpp"

namespace zkctl::cli {

namespace {

// One of start, stop and restart: they share NODE, --force and --all.
struct ControlCmd {
  const char* name;    // the subcommand
  const char* help;    // its one-line description
  const char* footer;  // its help footer
  ops::Action action;  // what it does to a node or the cluster
};

const ControlCmd kControlCmds[] = {
    {"start", "Start one server (or, without NODE, every server) and wait for its role",
     "\nWithout NODE every stopped server is started at once, then zkctl waits until each\n"
     "serves in its role.\n\nExamples:\n  zkctl start node3\n  zkctl start",
     ops::Action::start},
    {"stop", "Stop one server (refused if it breaks the quorum), or the whole cluster with --all",
     "\nStopping a voter that would leave fewer than a majority of voters serving is refused\n"
     "(exit 4) unless --force. --all stops every server: observers, followers, leader last.\n\n"
     "Examples:\n  zkctl stop nn01\n  zkctl stop --all",
     ops::Action::stop},
    {"restart", "Restart one server, or (without NODE) the whole ensemble in a safe rolling order",
     "\nWith NODE: stop, start and wait until it serves in its role; refused if the quorum\n"
     "would break. Without NODE: a rolling restart: observers, then followers, the leader\n"
     "last; before each step the ensemble must be in sync with every other voter serving,\n"
     "after it the node must serve in its role and the leader count every learner synced.\n"
     "Then the Kafka brokers, the active controller last: each only while every partition\n"
     "keeps its min.insync.replicas without it, and until it is back in their ISR; one\n"
     "already below its minimum for another reason stops the roll, named (exit 4) unless\n"
     "--force. A failed step stops the roll with a report; re-running it is safe.\n"
     "--by-rack: all brokers of one rack at once when every partition keeps its minimum\n"
     "without them, rack after rack, the active controller's rack last (else one at a\n"
     "time, saying why); ZooKeeper servers and KRaft controllers stay one at a time.\n\n"
     "Examples:\n  zkctl restart node3\n  zkctl restart\n  zkctl restart --by-rack",
     ops::Action::restart},
};

// Where CLI11 stores every option and argument of every subcommand. It must outlive
// app.parse and the chosen action, which read it.
struct CommandLine {
  GlobalOptions g;                      // options every subcommand understands
  std::function<int()> action;          // the parsed subcommand's work, set by its callback
  std::string color_text = "auto";      // --color
  bool verbose = false;                 // --verbose
  std::string templates_dir;            // --templates (default: $ZKCTL_TEMPLATES)
  std::string inventory;                // INVENTORY of deploy, plan, check and render
  bool json = false;                    // --json of status, plan, check, verify and exec
  bool force = false;                   // --force of deploy, stop and restart
  bool drop_plaintext = false;          // deploy/plan --drop-plaintext (security on-ramp)
  std::string node;                     // NODE of start, stop, restart and logs
  bool all = false;                     // stop --all
  int watch = 0;                        // status --watch N
  bool destroy_yes = false;             // destroy --yes
  bool destroy_purge = false;           // destroy --purge-data
  bool destroy_force = false;           // destroy --force
  std::string backup_file;              // backup --out; FILE of backup verify and restore
  bool yes = false;                     // restore --yes, recover --yes
  std::string migrate_until;            // migrate run --until PHASE
  int messages = 100;                   // verify -n
  std::vector<std::string> exec_nodes;  // exec NODE...
  bool logs_kafka = false;              // logs --kafka
  int logs_lines = 100;                 // logs -n
  std::string shell = "bash";           // completion SHELL
  std::string out_dir;                  // render --out, client-config --out
  std::string user;                     // client-config USER
  bool dry_run = false;                 // pki rotate --dry-run
  bool rotate_ca = false;               // pki rotate --ca
  std::string ca_until;                 // pki rotate --ca --until PHASE
  MoveCommand move;                     // drain and rebalance: --throttle, --dry-run, --json
};

ops::Force force_of(const CommandLine& cl) {
  return cl.force ? ops::Force::yes : ops::Force::no;
}
Output output_of(const CommandLine& cl) {
  return cl.json ? Output::json : Output::text;
}

void add_cluster_options(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_option("-i,--inventory", g.choice.inventory_path,
                  "Inventory file (default: the cluster recorded by the last deploy)");
  cmd->add_option("-c,--cluster", g.choice.cluster_name, "Recorded cluster to use, by name");
}

void add_template_options(CLI::App* cmd, std::string& dir) {
  cmd->add_option(
      "--templates", dir,
      "Directory of template overrides laid out like templates/ (default: $ZKCTL_TEMPLATES)");
}

void add_ssh_options(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_flag_callback(
      "--accept-new-host-keys", [&g] { g.ops.host_keys = remote::HostKeyPolicy::accept_new; },
      "Trust and record host keys not yet in known_hosts (a changed key is always refused)");
  cmd->add_flag_callback(
      "--allow-proxy-command", [&g] { g.ops.local_commands = remote::LocalCommands::allow; },
      "Let the ssh config run local commands (ProxyCommand, Match exec); refused without it");
  cmd->add_option("--parallel", g.ops.parallel, "Most hosts worked on at once")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--connect-timeout", g.ops.connect_timeout_s,
                  "Seconds for SSH connect + auth (default: inventory [ssh].connect_timeout, 10)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option(
         "--command-timeout", g.ops.command_timeout_s,
         "Seconds one remote command may take (default: inventory [ssh].command_timeout, 300)")
      ->check(CLI::Range(1, 86400));
}

// --no-lock, for the commands that take the cluster lock.
void add_lock_options(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_flag("--no-lock", g.no_lock,
                "Go ahead without the cluster lock (another operator may act at the same time)");
}

void add_probe_options(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_option_function<int>(
         "--probe-timeout", [&g](int ms) { g.ops.probe_timeout = std::chrono::milliseconds(ms); },
         "Milliseconds for one srvr/mntr exchange with a server (default 3000)")
      ->check(CLI::Range(100, 600000));
}

void add_wait_options(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_option_function<int>(
         "--wait-timeout", [&g](int s) { g.ops.wait_timeout = std::chrono::seconds(s); },
         "Seconds to wait for a server to serve in its role (default 120)")
      ->check(CLI::Range(1, 86400));
}

// A command that reads a cluster: which one, how to reach it, how long to wait for answers.
void add_read_options(CLI::App* cmd, GlobalOptions& g) {
  add_cluster_options(cmd, g);
  add_ssh_options(cmd, g);
  add_probe_options(cmd, g);
}

// A command that changes a running cluster: add_read_options, how long to wait for a node
// to serve, and the cluster lock.
void add_change_options(CLI::App* cmd, GlobalOptions& g) {
  add_read_options(cmd, g);
  add_wait_options(cmd, g);
  add_lock_options(cmd, g);
}

// The program's description, footer, --version and its own options (--color, --verbose).
void add_program_options(CLI::App& app, CommandLine& cl) {
  app.require_subcommand(1);
  app.footer(std::string("\nExamples:\n"
                         "  zkctl deploy inventories/seed.toml\n"
                         "  zkctl status\n"
                         "  zkctl restart node3\n\n") +
             kExitCodes);
  app.set_version_flag("--version", std::string("zkctl ") + ZKCTL_VERSION);  // meson.build's
  // Options of the program itself, also accepted after the subcommand (fallthrough).
  app.add_option("--color", cl.color_text,
                 "Colour: auto (only on a terminal, never with NO_COLOR set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_flag("--verbose", cl.verbose,
               "Log each remote step (host, command or file name) on stderr; secrets masked");
  app.fallthrough();
}

// --by-rack of restart and deploy: a Kafka roll restarts a rack's brokers at once (#15).
void add_by_rack(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_flag_callback(
      "--by-rack", [&g] { g.ops.roll_by = ops::RollBy::rack; },
      "Kafka roll: restart all brokers of one rack at once when every partition keeps its "
      "min.insync.replicas without them (else one at a time, saying why); racks in turn, the "
      "active controller's last");
}

// --drop-plaintext of deploy and plan: the security on-ramp's last Kafka phase.
void add_drop_plaintext(CLI::App* cmd, CommandLine& cl) {
  cmd->add_flag("--drop-plaintext", cl.drop_plaintext,
                "Security on-ramp: also drop Kafka's PLAINTEXT listener (outside clients moved)");
}

// --finalize-upgrade of deploy and plan: a Kafka upgrade's second step (#11).
void add_finalize_upgrade(CLI::App* cmd, GlobalOptions& g) {
  cmd->add_flag_callback(
      "--finalize-upgrade", [&g] { g.ops.finalize_upgrade = ops::FinalizeUpgrade::yes; },
      "Kafka upgrade, second step once every node runs the new release: raise "
      "inter.broker.protocol.version (ZooKeeper mode: a roll) or metadata.version (KRaft: "
      "kafka-features, no roll)");
}

void add_deploy(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("deploy", "Install, configure and start every server; idempotent");
  cmd->add_option("INVENTORY", cl.inventory, "Inventory file (TOML)");
  add_change_options(cmd, cl.g);
  add_template_options(cmd, cl.templates_dir);
  cmd->add_flag("--force", cl.force,
                "Allow removing voters even when fewer than 3 remain (exit 4 without it)");
  add_drop_plaintext(cmd, cl);
  add_by_rack(cmd, cl.g);
  add_finalize_upgrade(cmd, cl.g);
  cmd->footer(kDeployFooter);
  cmd->callback([&cl] {
    cl.action = [&cl] {
      if (!cl.inventory.empty()) cl.g.choice.inventory_path = cl.inventory;
      if (cl.g.choice.inventory_path.empty()) {
        std::fprintf(stderr, "zkctl: deploy needs an INVENTORY file\n");
        return static_cast<int>(kUsage);
      }
      if (cl.force) cl.g.ops.gate_refusal = ops::GateRefusal::pass;
      if (cl.drop_plaintext) cl.g.ops.drop_plaintext = ops::DropPlaintext::yes;
      return cmd_deploy(cl.g, force_of(cl));
    };
  });
}

void add_status(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("status", "Show every server's mode and the quorum");
  cmd->add_flag("--json", cl.json, "Print JSON instead of a table");
  cmd->add_option("--watch", cl.watch, "Redraw every N seconds until interrupted (Ctrl-C)")
      ->expected(0, 1)
      ->default_str("2")
      ->check(CLI::Range(1, 3600));
  add_read_options(cmd, cl.g);
  cmd->footer(kStatusFooter);
  cmd->callback([&cl, cmd] {
    cl.action = [&cl, cmd] {
      int every = cmd->count("--watch") > 0 ? (cl.watch > 0 ? cl.watch : 2) : 0;
      return cmd_status(cl.g, output_of(cl), every);
    };
  });
}

// start, stop or restart, with NODE or (stop: with --all) the whole cluster.
int run_control(CommandLine& cl, ops::Action action) {
  if (!cl.node.empty()) {
    if (cl.all) {
      std::fprintf(stderr, "zkctl: give either NODE or --all\n");
      return kUsage;
    }
    if (cl.g.ops.roll_by == ops::RollBy::rack) {
      std::fprintf(stderr, "zkctl: --by-rack rolls the whole cluster; give no NODE\n");
      return kUsage;
    }
    return cmd_control(cl.g, cl.node, action, force_of(cl));
  }
  if (action == ops::Action::stop && !cl.all) {
    std::fprintf(stderr, "zkctl: stop needs a NODE, or --all to stop the whole cluster\n");
    return kUsage;
  }
  if (cl.force) cl.g.ops.gate_refusal = ops::GateRefusal::pass;
  return cmd_cluster(cl.g, action);
}

void add_control(CLI::App& app, CommandLine& cl, const ControlCmd& c) {
  auto* cmd = app.add_subcommand(c.name, c.help);
  cmd->add_option("NODE", cl.node,
                  "A host as named in the inventory (every node on it), or a Kafka node's id");
  if (c.action != ops::Action::start) {
    cmd->add_flag("--force", cl.force,
                  "Go ahead even if fewer than a majority of voters would be left serving");
  }
  if (c.action == ops::Action::stop) {
    cmd->add_flag("--all", cl.all, "Stop every server of the cluster");
  }
  if (c.action == ops::Action::restart) add_by_rack(cmd, cl.g);
  add_change_options(cmd, cl.g);
  cmd->footer(c.footer);
  ops::Action a = c.action;
  cmd->callback([&cl, a] { cl.action = [&cl, a] { return run_control(cl, a); }; });
}

// plan or check: an inventory looked at on every host, changing nothing.
struct InspectCmd {
  const char* name;                        // the subcommand
  const char* help;                        // its one-line description
  const char* footer;                      // its help footer
  int (*command)(GlobalOptions&, Output);  // cmd_plan or cmd_check
};

const InspectCmd kPlanCmd{"plan", "Show what deploy would change on each host, changing nothing",
                          kPlanFooter, cmd_plan};
const InspectCmd kCheckCmd{"check", "Pre-flight every host without changing anything", kCheckFooter,
                           cmd_check};

void add_inspect(CLI::App& app, CommandLine& cl, const InspectCmd& c) {
  auto* cmd = app.add_subcommand(c.name, c.help);
  cmd->add_option("INVENTORY", cl.inventory, "Inventory file (TOML)");
  cmd->add_flag("--json", cl.json, "Print JSON");
  add_read_options(cmd, cl.g);
  if (c.command == cmd_plan) add_drop_plaintext(cmd, cl);
  if (c.command == cmd_plan) add_finalize_upgrade(cmd, cl.g);
  cmd->footer(c.footer);
  auto command = c.command;
  cmd->callback([&cl, command] {
    cl.action = [&cl, command] {
      if (!cl.inventory.empty()) cl.g.choice.inventory_path = cl.inventory;
      if (cl.drop_plaintext) cl.g.ops.drop_plaintext = ops::DropPlaintext::yes;
      return command(cl.g, output_of(cl));
    };
  });
}

void add_destroy(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand(
      "destroy", "Stop everything and remove the installs (data kept unless --purge-data)");
  cmd->add_flag("--yes", cl.destroy_yes, "Do not ask for the cluster name");
  cmd->add_flag("--purge-data", cl.destroy_purge,
                "Also remove ZooKeeper data dirs (and data_log_dir) and Kafka log dirs");
  cmd->add_flag("--force", cl.destroy_force,
                "Also remove marked dirs holding files zkctl did not put there");
  add_read_options(cmd, cl.g);
  add_lock_options(cmd, cl.g);
  cmd->footer(kDestroyFooter);
  cmd->callback([&cl] {
    cl.action = [&cl] {
      return cmd_destroy(
          cl.g, {cl.destroy_yes, cl.destroy_purge ? ops::PurgeData::yes : ops::PurgeData::no,
                 cl.destroy_force ? ops::ForceRemove::yes : ops::ForceRemove::no});
    };
  });
}

void add_verify(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("verify", "Smoke-test the cluster end to end with real clients");
  cmd->add_option("-n,--messages", cl.messages, "Kafka messages to produce and consume")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_flag("--json", cl.json, "Print JSON");
  add_cluster_options(cmd, cl.g);
  add_probe_options(cmd, cl.g);
  cmd->footer(kVerifyFooter);
  cmd->callback(
      [&cl] { cl.action = [&cl] { return cmd_verify(cl.g, cl.messages, output_of(cl)); }; });
}

void add_backup(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("backup", "Back up the ensemble's data into one local archive");
  cmd->add_option("--out", cl.backup_file,
                  "Archive to write (default: <cluster>-zookeeper-<time>.tar, KRaft: "
                  "<cluster>-kraft-metadata-<time>.tar)");
  cmd->add_flag("--json", cl.json, "Print a JSON summary");
  add_read_options(cmd, cl.g);
  cmd->footer(kBackupFooter);
  auto* verify = cmd->add_subcommand("verify", "Check an archive's checksums and load it locally");
  verify->add_option("FILE", cl.backup_file, "Archive to check")->required();
  verify->add_flag("--json", cl.json, "Print JSON");
  add_cluster_options(verify, cl.g);
  verify->callback([&cl] {
    cl.action = [&cl] { return cmd_backup_verify(cl.g, cl.backup_file, output_of(cl)); };
  });
  cmd->callback([&cl, verify] {
    if (verify->parsed()) return;
    cl.action = [&cl] { return cmd_backup(cl.g, cl.backup_file, output_of(cl)); };
  });
}

// restore FILE, or recover: both replace every server's data, after confirmation.
enum class Replace { restore, recover };
void add_restore(CLI::App& app, CommandLine& cl, Replace which) {
  const bool recover = which == Replace::recover;
  auto* cmd =
      recover
          ? app.add_subcommand("recover",
                               "Rebuild the ensemble from the best survivor after a lost majority")
          : app.add_subcommand("restore", "Restore a backup archive into the inventory's ensemble");
  if (!recover)
    cmd->add_option("FILE", cl.backup_file, "Archive written by zkctl backup")->required();
  cmd->add_flag("--yes", cl.yes, "Do not ask for the cluster name");
  add_change_options(cmd, cl.g);
  cmd->footer(recover ? kRecoverFooter : kRestoreFooter);
  cmd->callback([&cl, recover] {
    cl.action = [&cl, recover] {
      const Confirm c = cl.yes ? Confirm::given : Confirm::ask;
      return recover ? cmd_recover(cl.g, c) : cmd_restore(cl.g, cl.backup_file, c);
    };
  });
}

// exec: everything after "--" is the remote command (split off before CLI11 parses).
void add_exec(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("exec", "Run a command on the cluster's hosts at once, like pssh");
  cmd->add_option("NODE", cl.exec_nodes, "Hosts to run on (default: every host of the cluster)");
  cmd->add_flag("--json", cl.json, "Print JSON");
  add_cluster_options(cmd, cl.g);
  add_ssh_options(cmd, cl.g);
  add_lock_options(cmd, cl.g);
  cmd->footer(kExecFooter);
  cmd->callback([&cl] {
    cl.action = [&cl] { return cmd_exec(cl.g, cl.exec_nodes, cl.g.remote_command, output_of(cl)); };
  });
}

void add_logs(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("logs", "Show the end of a server's log");
  cmd->add_option("NODE", cl.node,
                  "Host as named in the inventory, or a Kafka node's id (its log, --kafka implied)")
      ->required();
  cmd->add_flag("--kafka", cl.logs_kafka, "The Kafka node's server.log instead of ZooKeeper's log");
  cmd->add_option("-n,--lines", cl.logs_lines, "How many lines")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  add_cluster_options(cmd, cl.g);
  add_ssh_options(cmd, cl.g);
  cmd->footer("\nExamples:\n  zkctl logs node3\n  zkctl logs node2 --kafka -n 500");
  cmd->callback([&cl] {
    cl.action = [&cl] {
      return cmd_logs(cl.g, cl.node, cl.logs_kafka ? ops::LogOf::kafka : ops::LogOf::zookeeper,
                      cl.logs_lines);
    };
  });
}

void add_completion(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("completion", "Print the shell completion script");
  cmd->add_option("SHELL", cl.shell, "Shell: bash, zsh or fish")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}))
      ->capture_default_str();
  cmd->footer(
      "\nThe script is generated from zkctl's own parser, so it offers exactly the subcommands\n"
      "and options --help lists. The Debian package installs all three.\n\n"
      "Examples:\n  zkctl completion bash > /etc/bash_completion.d/zkctl\n"
      "  zkctl completion zsh > \"${fpath[1]}/_zkctl\"\n"
      "  zkctl completion fish > ~/.config/fish/completions/zkctl.fish");
  const CLI::App* whole = &app;
  cmd->callback([&cl, whole] {
    cl.action = [&cl, whole] { return cmd_completion(completion_model(*whole), cl.shell); };
  });
}

void add_render(CLI::App& app, CommandLine& cl) {
  auto* cmd =
      app.add_subcommand("render", "Write every server's config files to a local directory");
  cmd->add_option("INVENTORY", cl.inventory, "Inventory file (TOML)");
  cmd->add_option("--out", cl.out_dir, "Directory to write <host>/<file> into")->required();
  add_cluster_options(cmd, cl.g);
  add_template_options(cmd, cl.templates_dir);
  cmd->footer("\nExample:\n  zkctl render inventories/seed.toml --out /tmp/seed-configs");
  cmd->callback([&cl] {
    cl.action = [&cl] {
      if (!cl.inventory.empty()) cl.g.choice.inventory_path = cl.inventory;
      return cmd_render(cl.g, cl.out_dir);
    };
  });
}

void add_client_config(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand(
      "client-config", "Write what an application needs to connect to the cluster as USER");
  cmd->add_option("USER", cl.user, "A user of the inventory's [[security.users]]")->required();
  cmd->add_option("--out", cl.out_dir, "Directory to write into (default ./<cluster>-<USER>)");
  add_cluster_options(cmd, cl.g);
  add_template_options(cmd, cl.templates_dir);
  cmd->footer(
      "\nWrites the cluster CA (ca.crt), the user's certificate and key, a Java\n"
      "client.properties, a librdkafka.conf (kcat -F) and a ZooKeeper TLS client config; files\n"
      "holding the password or a key are 0600, the directory 0700. Nothing is printed of them.\n\n"
      "Example:\n  zkctl client-config app --out ./app-client && kcat -F "
      "./app-client/librdkafka.conf -L");
  cmd->callback(
      [&cl] { cl.action = [&cl] { return cmd_client_config(cl.g, cl.user, cl.out_dir); }; });
}

void add_users(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand(
      "users", "List Kafka's users: SCRAM credentials and ACLs as the cluster reports them");
  cmd->add_flag("--json", cl.json, "Print JSON");
  add_cluster_options(cmd, cl.g);
  add_probe_options(cmd, cl.g);
  cmd->footer(
      "\nEvery user the inventory lists ([[security.users]]), zkctl created, or the cluster\n"
      "holds a SCRAM-SHA-512 credential or ACLs for; deploy makes them what the inventory\n"
      "says. Asked with zkctl's admin identity.\n\n"
      "Examples:\n  zkctl users\n  zkctl users --json");
  cmd->callback([&cl] { cl.action = [&cl] { return cmd_users(cl.g, output_of(cl)); }; });
}

void add_migrate(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("migrate", "Follow, roll back or finalize a migration to KRaft");
  cmd->require_subcommand(1);
  cmd->footer(kMigrateFooter);
  auto* status = cmd->add_subcommand("status", "Show the migration's phases and its gate");
  status->add_flag("--json", cl.json, "Print JSON");
  add_read_options(status, cl.g);
  status->callback(
      [&cl] { cl.action = [&cl] { return cmd_migrate_status(cl.g, output_of(cl)); }; });
  auto* run = cmd->add_subcommand("run", "Run the migration's phases up to one (deploy: all)");
  run->add_option("--until", cl.migrate_until,
                  "Last phase to run: prechecked, controllers, dual_write or kraft")
      ->required();
  run->add_flag("--force", cl.force, "Pass a roll's gate refusal (as deploy --force)");
  auto* rollback =
      cmd->add_subcommand("rollback", "Return the cluster to ZooKeeper mode (before finalize)");
  auto* finalize =
      cmd->add_subcommand("finalize", "Take ZooKeeper out of the controllers (cannot be undone)");
  finalize->add_flag("--yes", cl.yes, "Do not ask for the cluster name");
  for (auto* sub : {run, rollback, finalize}) {
    add_change_options(sub, cl.g);
  }
  run->callback([&cl] {
    cl.action = [&cl] {
      if (cl.force) cl.g.ops.gate_refusal = ops::GateRefusal::pass;
      return cmd_migrate_run(cl.g, cl.migrate_until, force_of(cl));
    };
  });
  rollback->callback([&cl] { cl.action = [&cl] { return cmd_migrate_rollback(cl.g); }; });
  finalize->callback([&cl] {
    cl.action = [&cl] {
      return cmd_migrate_finalize(cl.g, cl.yes ? Confirm::given : Confirm::ask);
    };
  });
}

// `zkctl exec NODE... -- CMD...`: moves CMD into `g.remote_command` and returns the
// arguments CLI11 is to parse (all of argv without "-- CMD...").
std::vector<char*> split_remote_command(int argc, char** argv, GlobalOptions& g) {
  std::vector<char*> args(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "exec") {
      for (int k = i + 1; k < argc; ++k) {
        if (std::string(argv[k]) == "--") {
          g.remote_command.assign(argv + k + 1, argv + argc);
          args.resize(static_cast<std::size_t>(k));
          break;
        }
      }
      break;
    }
  }
  return args;
}

// After parsing: redaction, colour, verbosity and template overrides. kOk, or the exit
// code to stop with.
int apply_program_options(CommandLine& cl) {
  // Everything printed from here on passes the redactor (it learns the secrets when the
  // inventory is loaded).
  redact_stdio();
  GlobalOptions& g = cl.g;
  g.color_choice = util::parse_color_choice(cl.color_text).value_or(util::ColorChoice::auto_detect);
  g.color = util::color_for_fd(g.color_choice, STDOUT_FILENO);
  g.err_color = util::color_for_fd(g.color_choice, STDERR_FILENO);
  util::set_verbose(cl.verbose ? util::Verbose::on : util::Verbose::off);
  auto overrides = load_template_overrides(cl.templates_dir);
  if (!overrides) {
    std::fprintf(stderr, "zkctl: %s\n", overrides.error().message.c_str());
    return kUsage;
  }
  g.ops.templates = std::move(*overrides);
  return kOk;
}

void add_pki(CLI::App& app, CommandLine& cl) {
  auto* cmd = app.add_subcommand("pki", "The cluster's certificates: rotate them");
  cmd->require_subcommand(1);
  cmd->footer(
      "\nExamples:\n  zkctl pki rotate --dry-run\n  zkctl pki rotate\n  zkctl pki rotate --ca");
  auto* rotate = cmd->add_subcommand("rotate", "Reissue every node certificate without an outage");
  rotate->add_flag("--dry-run", cl.dry_run, "Show per node: reload, or restart and why");
  rotate->add_flag("--json", cl.json, "Print JSON");
  rotate->add_flag("--ca", cl.rotate_ca,
                   "Replace zkctl's own CA: trust-both, reissue, drop-old (recorded, resumable)");
  rotate->add_option("--until", cl.ca_until, "With --ca: stop once this phase is done")
      ->check(CLI::IsMember({"trust-both", "reissue", "drop-old"}));
  add_read_options(rotate, cl.g);
  rotate->footer(kPkiRotateFooter);
  rotate->callback([&cl] {
    cl.action = [&cl] {
      const RotateMode mode = cl.dry_run ? RotateMode::dry_run : RotateMode::apply;
      if (cl.rotate_ca) return cmd_pki_rotate_ca(cl.g, mode, output_of(cl), cl.ca_until);
      if (!cl.ca_until.empty()) {
        std::fprintf(stderr, "zkctl: --until goes with --ca\n");
        return static_cast<int>(kUsage);
      }
      return cmd_pki_rotate(cl.g, mode, output_of(cl));
    };
  });
}

// drain NODE and rebalance (#15): replica moves, planned, throttled, resumable.
void add_moves(CLI::App& app, CommandLine& cl) {
  auto* drain = app.add_subcommand("drain",
                                   "Move every replica off a Kafka broker, then its "
                                   "leadership (throttled, resumable)");
  drain->add_option("NODE", cl.node, "The broker: its id, or its host when it has one broker")
      ->required();
  auto* rebalance = app.add_subcommand(
      "rebalance", "Spread Kafka's replicas and leaders evenly over the brokers (throttled)");
  for (auto* cmd : {drain, rebalance}) {
    cmd->add_option("--throttle", cl.move.throttle,
                    "Bytes/s replicas are copied at (default: [kafka] reassign_throttle, 50 MB/s)")
        ->check(CLI::Range(1024LL, 1LL << 40));
    cmd->add_flag("--dry-run", cl.move.dry_run, "Print the planned moves; change nothing");
    cmd->add_flag("--json", cl.json, "With --dry-run: the plan as JSON");
    add_change_options(cmd, cl.g);
    cmd->footer(kMovesFooter);
  }
  auto check = [&cl]() -> bool {
    cl.move.output = output_of(cl);
    if (cl.json && !cl.move.dry_run) std::fprintf(stderr, "zkctl: --json goes with --dry-run\n");
    return !cl.json || cl.move.dry_run;
  };
  drain->callback([&cl, check] {
    cl.action = [&cl, check] { return check() ? cmd_drain(cl.g, cl.node, cl.move) : kUsage; };
  });
  rebalance->callback([&cl, check] {
    cl.action = [&cl, check] { return check() ? cmd_rebalance(cl.g, cl.move) : kUsage; };
  });
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"zkctl: deploy and operate Apache ZooKeeper ensembles over SSH from one inventory",
               "zkctl"};
  CommandLine cl;  // outlives app.parse: CLI11 writes into it
  for (int i = 0; i < argc; ++i) cl.g.command_line += (i ? " " : "") + std::string(argv[i]);
  if (const char* env = std::getenv("ZKCTL_TEMPLATES"); env != nullptr) cl.templates_dir = env;

  add_program_options(app, cl);
  add_deploy(app, cl);
  add_status(app, cl);
  for (const ControlCmd& c : kControlCmds) add_control(app, cl, c);
  add_inspect(app, cl, kPlanCmd);
  add_destroy(app, cl);
  add_inspect(app, cl, kCheckCmd);
  add_verify(app, cl);
  add_exec(app, cl);
  add_logs(app, cl);
  add_backup(app, cl);
  add_restore(app, cl, Replace::restore);
  add_restore(app, cl, Replace::recover);
  add_completion(app, cl);
  add_render(app, cl);
  add_client_config(app, cl);
  add_users(app, cl);
  add_pki(app, cl);
  add_migrate(app, cl);
  add_moves(app, cl);

  std::vector<char*> args = split_remote_command(argc, argv, cl.g);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  if (int code = apply_program_options(cl); code != kOk) return code;
  try {
    return cl.action ? cl.action() : kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkctl: internal error: %s\n", e.what());
    return kFailed;
  }
}

}  // namespace zkctl::cli
