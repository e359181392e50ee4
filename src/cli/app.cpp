#include "cli/app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/redacting_stdio.hpp"
#include "cli/template_overrides.hpp"
#include "util/color.hpp"
#include "util/trace.hpp"

namespace zkctl::cli {

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 ok; 1 an operation failed; 2 bad command line or inventory (no host touched);\n"
    "3 no quorum; 4 refused for safety (use --force); 5 pre-flight failed (nothing changed);\n"
    "6 another operation holds the cluster lock.";

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

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"zkctl: deploy and operate Apache ZooKeeper ensembles over SSH from one inventory",
               "zkctl"};
  app.require_subcommand(1);
  app.footer(std::string("\nExamples:\n"
                         "  zkctl deploy inventories/seed.toml\n"
                         "  zkctl status\n"
                         "  zkctl restart node3\n\n") +
             kExitCodes);
  app.set_version_flag("--version", "zkctl 0.1.0");
  // Options of the program itself, also accepted after the subcommand (fallthrough).
  std::string color_text = "auto";
  app.add_option("--color", color_text,
                 "Colour: auto (only on a terminal, never with NO_COLOR set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  bool verbose_flag = false;
  app.add_flag("--verbose", verbose_flag,
               "Log each remote step (host, command or file name) on stderr; secrets masked");
  app.fallthrough();

  GlobalOptions g;
  for (int i = 0; i < argc; ++i) g.command_line += (i ? " " : "") + std::string(argv[i]);
  std::function<int()> action;
  std::string templates_dir;
  if (const char* env = std::getenv("ZKCTL_TEMPLATES"); env != nullptr) templates_dir = env;

  // deploy
  auto* deploy =
      app.add_subcommand("deploy", "Install, configure and start every server; idempotent");
  std::string deploy_inventory;
  deploy->add_option("INVENTORY", deploy_inventory, "Inventory file (TOML)");
  add_cluster_options(deploy, g);
  add_ssh_options(deploy, g);
  add_probe_options(deploy, g);
  add_wait_options(deploy, g);
  add_template_options(deploy, templates_dir);
  bool deploy_force = false;
  deploy->add_flag("--force", deploy_force,
                   "Allow removing voters even when fewer than 3 remain (exit 4 without it)");
  deploy->footer(
      "\nPre-flight checks every host first (SSH, java, dirs, ports, myid); on any problem\n"
      "nothing is changed anywhere (exit 5). Then, on all hosts at once: upload the\n"
      "distribution (skipped when the same checksum is installed), write zoo.cfg, myid and\n"
      "zookeeper-env.sh, start what is not running, restart one by one what changed\n"
      "(observers, followers, leader last), and wait for every server's role.\n\n"
      "Scale out: add servers (or Kafka brokers) to the inventory and deploy: new servers\n"
      "start and join, then every member is rolled onto the new membership. Scale in: drop\n"
      "them from the inventory and deploy: the remaining members are rolled onto a config\n"
      "without them (a leader being removed hands leadership over first), then they are\n"
      "stopped (data kept). Fewer than 3 voters left needs --force; a Kafka broker that\n"
      "still leads or solely holds a partition is refused (exit 4).\n\n"
      "Examples:\n  zkctl deploy inventories/seed.toml\n"
      "  zkctl deploy prod.toml --parallel 8 --accept-new-host-keys");
  deploy->callback([&] {
    action = [&] {
      if (!deploy_inventory.empty()) g.choice.inventory_path = deploy_inventory;
      if (g.choice.inventory_path.empty()) {
        std::fprintf(stderr, "zkctl: deploy needs an INVENTORY file\n");
        return static_cast<int>(kUsage);
      }
      return cmd_deploy(g, deploy_force ? ops::Force::yes : ops::Force::no);
    };
  });

  // status
  auto* status = app.add_subcommand("status", "Show every server's mode and the quorum");
  bool json = false;
  status->add_flag("--json", json, "Print JSON instead of a table");
  int watch = 0;
  status->add_option("--watch", watch, "Redraw every N seconds until interrupted (Ctrl-C)")
      ->expected(0, 1)
      ->default_str("2")
      ->check(CLI::Range(1, 3600));
  add_cluster_options(status, g);
  add_ssh_options(status, g);
  add_probe_options(status, g);
  status->footer(
      "\nAsks every server srvr at once over TCP (with --json also mntr), through SSH when the\n"
      "client port cannot be reached directly. Exit 0 with quorum, 3 without. Program options\n"
      "(--color, --verbose) may follow the subcommand.\n\n"
      "Examples:\n  zkctl status\n  zkctl status --json -c seed");
  status->callback([&, status] {
    action = [&, status] {
      int every = status->count("--watch") > 0 ? (watch > 0 ? watch : 2) : 0;
      return cmd_status(g, json ? Output::json : Output::text, every);
    };
  });

  // start / stop / restart
  std::string node;
  bool force = false;
  bool all = false;
  struct ControlCmd {
    const char* name;
    const char* help;
    const char* footer;
    ops::Action action;
  };
  const ControlCmd control_cmds[] = {
      {"start", "Start one server (or, without NODE, every server) and wait for its role",
       "\nWithout NODE every stopped server is started at once, then zkctl waits until each\n"
       "serves in its role.\n\nExamples:\n  zkctl start node3\n  zkctl start",
       ops::Action::start},
      {"stop", "Stop one server (refused if it breaks the quorum), or the whole cluster with --all",
       "\nStopping a voter that would leave fewer than a majority of voters serving is refused\n"
       "(exit 4) unless --force. --all stops every server: observers, followers, leader last.\n\n"
       "Examples:\n  zkctl stop nn01\n  zkctl stop --all",
       ops::Action::stop},
      {"restart",
       "Restart one server, or (without NODE) the whole ensemble in a safe rolling order",
       "\nWith NODE: stop, start and wait until it serves in its role; refused if the quorum\n"
       "would break. Without NODE: a rolling restart: observers, then followers, the leader\n"
       "last; before each step the ensemble must be in sync with every other voter serving,\n"
       "after it the node must serve in its role and the leader count every learner synced.\n"
       "A failed step stops the roll with a report; re-running it is safe.\n\n"
       "Examples:\n  zkctl restart node3\n  zkctl restart",
       ops::Action::restart},
  };
  for (const ControlCmd& c : control_cmds) {
    auto* cmd = app.add_subcommand(c.name, c.help);
    cmd->add_option("NODE", node, "Server host as named in the inventory");
    if (c.action != ops::Action::start) {
      cmd->add_flag("--force", force,
                    "Go ahead even if fewer than a majority of voters would be left serving");
    }
    if (c.action == ops::Action::stop) {
      cmd->add_flag("--all", all, "Stop every server of the cluster");
    }
    add_cluster_options(cmd, g);
    add_ssh_options(cmd, g);
    add_probe_options(cmd, g);
    add_wait_options(cmd, g);
    cmd->footer(c.footer);
    ops::Action a = c.action;
    cmd->callback([&, a] {
      action = [&, a]() -> int {
        if (!node.empty()) {
          if (all) {
            std::fprintf(stderr, "zkctl: give either NODE or --all\n");
            return kUsage;
          }
          return cmd_control(g, node, a, force ? ops::Force::yes : ops::Force::no);
        }
        if (a == ops::Action::stop && !all) {
          std::fprintf(stderr, "zkctl: stop needs a NODE, or --all to stop the whole cluster\n");
          return kUsage;
        }
        return cmd_cluster(g, a);
      };
    });
  }

  // plan
  auto* planc =
      app.add_subcommand("plan", "Show what deploy would change on each host, changing nothing");
  std::string plan_inventory;
  bool plan_json = false;
  planc->add_option("INVENTORY", plan_inventory, "Inventory file (TOML)");
  planc->add_flag("--json", plan_json, "Print JSON");
  add_cluster_options(planc, g);
  add_ssh_options(planc, g);
  add_probe_options(planc, g);
  planc->footer(
      "\nRuns deploy's pre-flight and compares the inventory with each host: installed\n"
      "distribution checksum, every rendered file (as a unified diff against the host's copy),\n"
      "running processes; prints what deploy would upload, write, start and restart.\n\n"
      "Examples:\n  zkctl plan inventories/seed.toml\n  zkctl plan --json");
  planc->callback([&] {
    action = [&] {
      if (!plan_inventory.empty()) g.choice.inventory_path = plan_inventory;
      return cmd_plan(g, plan_json ? Output::json : Output::text);
    };
  });

  // destroy
  auto* destroyc = app.add_subcommand(
      "destroy", "Stop everything and remove the installs (data kept unless --purge-data)");
  bool destroy_yes = false, destroy_purge = false;
  destroyc->add_flag("--yes", destroy_yes, "Do not ask for the cluster name");
  destroyc->add_flag("--purge-data", destroy_purge,
                     "Also remove ZooKeeper data dirs and Kafka log dirs");
  add_cluster_options(destroyc, g);
  add_ssh_options(destroyc, g);
  add_probe_options(destroyc, g);
  destroyc->footer(
      "\nStops Kafka brokers, then controllers, then the ensemble (observers, followers, leader\n"
      "last), then removes each install dir. Asks for the cluster name first unless --yes.\n"
      "A directory is removed only if it carries zkctl's marks.\n\n"
      "Examples:\n  zkctl destroy\n  zkctl destroy -c seed --yes --purge-data");
  destroyc->callback([&] {
    action = [&] {
      return cmd_destroy(g,
                         {destroy_yes, destroy_purge ? ops::PurgeData::yes : ops::PurgeData::no});
    };
  });

  // check
  auto* checkc = app.add_subcommand("check", "Pre-flight every host without changing anything");
  std::string check_inventory;
  bool check_json = false;
  checkc->add_option("INVENTORY", check_inventory, "Inventory file (TOML)");
  checkc->add_flag("--json", check_json, "Print JSON");
  add_cluster_options(checkc, g);
  add_ssh_options(checkc, g);
  add_probe_options(checkc, g);
  checkc->footer(
      "\nDeploy's pre-flight (SSH, host keys, java, dirs, ports, myid, foreign data) plus: java\n"
      "version, free disk in the data dirs, memory against the configured heaps, clock skew\n"
      "between hosts, every name resolving to the same address on every host (and no host's\n"
      "own name on loopback), and on a running ensemble the status verdict. Exit 5 on a "
      "failure.\n\n"
      "Examples:\n  zkctl check inventories/seed.toml\n  zkctl check --json");
  checkc->callback([&] {
    action = [&] {
      if (!check_inventory.empty()) g.choice.inventory_path = check_inventory;
      return cmd_check(g, check_json ? Output::json : Output::text);
    };
  });

  // verify
  auto* verify =
      app.add_subcommand("verify", "Smoke-test the cluster end to end with real clients");
  int messages = 100;
  bool verify_json = false;
  verify->add_option("-n,--messages", messages, "Kafka messages to produce and consume")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  verify->add_flag("--json", verify_json, "Print JSON");
  add_cluster_options(verify, g);
  add_probe_options(verify, g);
  verify->footer(
      "\nWrites a znode through one ZooKeeper server and reads it back through another; with\n"
      "Kafka, creates a topic (replication min(3, brokers)), produces N messages (acks=all)\n"
      "through one broker, consumes them all through another, reports latency and deletes\n"
      "the topic. Exit 1 on any failure or lost message.\n\n"
      "Examples:\n  zkctl verify\n  zkctl verify -n 1000 --json");
  verify->callback([&] {
    action = [&] { return cmd_verify(g, messages, verify_json ? Output::json : Output::text); };
  });

  // exec: everything after "--" is the remote command (split off before CLI11 parses).
  auto* exec =
      app.add_subcommand("exec", "Run a command on the cluster's hosts at once, like pssh");
  std::vector<std::string> exec_nodes;
  bool exec_json = false;
  exec->add_option("NODE", exec_nodes, "Hosts to run on (default: every host of the cluster)");
  exec->add_flag("--json", exec_json, "Print JSON");
  add_cluster_options(exec, g);
  add_ssh_options(exec, g);
  exec->footer(
      "\nEverything after -- is the command, each word quoted for the remote shell.\n"
      "Exit 1 if any host failed or exited non-zero.\n\n"
      "Examples:\n  zkctl exec -- uptime\n  zkctl exec node1 node2 -- df -h /var/lib/zookeeper");
  exec->callback([&] {
    action = [&] {
      return cmd_exec(g, exec_nodes, g.remote_command, exec_json ? Output::json : Output::text);
    };
  });

  // logs
  auto* logs = app.add_subcommand("logs", "Show the end of a server's log");
  std::string logs_node;
  bool logs_kafka = false;
  int logs_lines = 100;
  logs->add_option("NODE", logs_node, "Host as named in the inventory")->required();
  logs->add_flag("--kafka", logs_kafka, "The Kafka node's server.log instead of ZooKeeper's log");
  logs->add_option("-n,--lines", logs_lines, "How many lines")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  add_cluster_options(logs, g);
  add_ssh_options(logs, g);
  logs->footer("\nExamples:\n  zkctl logs node3\n  zkctl logs node2 --kafka -n 500");
  logs->callback([&] {
    action = [&] {
      return cmd_logs(g, logs_node, logs_kafka ? ops::LogOf::kafka : ops::LogOf::zookeeper,
                      logs_lines);
    };
  });

  // completion
  auto* completion = app.add_subcommand("completion", "Print the shell completion script");
  std::string shell = "bash";
  completion->add_option("SHELL", shell, "Shell (bash)")->capture_default_str();
  completion->footer("\nExample:\n  zkctl completion bash > /etc/bash_completion.d/zkctl");
  completion->callback([&] { action = [&] { return cmd_completion(shell); }; });

  // render
  auto* render =
      app.add_subcommand("render", "Write every server's config files to a local directory");
  std::string render_inventory, out_dir;
  render->add_option("INVENTORY", render_inventory, "Inventory file (TOML)");
  render->add_option("--out", out_dir, "Directory to write <host>/<file> into")->required();
  add_cluster_options(render, g);
  add_template_options(render, templates_dir);
  render->footer("\nExample:\n  zkctl render inventories/seed.toml --out /tmp/seed-configs");
  render->callback([&] {
    action = [&] {
      if (!render_inventory.empty()) g.choice.inventory_path = render_inventory;
      return cmd_render(g, out_dir);
    };
  });

  // `zkctl exec NODE... -- CMD...`: keep CMD away from CLI11.
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
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  // Everything printed from here on passes the redactor (it learns the secrets when the
  // inventory is loaded).
  redact_stdio();
  g.color_choice = util::parse_color_choice(color_text).value_or(util::ColorChoice::auto_detect);
  g.color = util::color_for_fd(g.color_choice, STDOUT_FILENO);
  g.err_color = util::color_for_fd(g.color_choice, STDERR_FILENO);
  util::set_verbose(verbose_flag ? util::Verbose::on : util::Verbose::off);
  auto overrides = load_template_overrides(templates_dir);
  if (!overrides) {
    std::fprintf(stderr, "zkctl: %s\n", overrides.error().message.c_str());
    return kUsage;
  }
  g.ops.templates = std::move(*overrides);
  try {
    return action ? action() : kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zkctl: internal error: %s\n", e.what());
    return kFailed;
  }
}

}  // namespace zkctl::cli
