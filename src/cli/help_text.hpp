// The long help texts of zkctl's subcommands (their footers), kept apart from the CLI wiring in
// app.cpp; the man page is generated from the same --help output.
#pragma once

namespace zkctl::cli {

inline constexpr const char* kExitCodes =
    "Exit codes: 0 ok; 1 an operation failed; 2 bad command line or inventory (no host touched);\n"
    "3 no quorum; 4 refused for safety (use --force); 5 pre-flight failed (nothing changed);\n"
    "6 the cluster lock is held by another operation or a host could not be locked;\n"
    "130 interrupted (SIGINT/SIGTERM): the step in flight finished, the lock released.";

inline constexpr const char* kDeployFooter =
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
    "  zkctl deploy prod.toml --parallel 8 --accept-new-host-keys";

inline constexpr const char* kStatusFooter =
    "\nAsks every server srvr at once over TCP (with --json also mntr), through SSH when the\n"
    "client port cannot be reached directly. Exit 0 with quorum, 3 without. Program options\n"
    "(--color, --verbose) may follow the subcommand.\n\n"
    "Examples:\n  zkctl status\n  zkctl status --json -c seed";

inline constexpr const char* kPlanFooter =
    "\nRuns deploy's pre-flight and compares the inventory with each host: installed\n"
    "distribution checksum, every rendered file (as a unified diff against the host's copy),\n"
    "running processes; prints what deploy would upload, write, start and restart.\n\n"
    "Examples:\n  zkctl plan inventories/seed.toml\n  zkctl plan --json";

inline constexpr const char* kDestroyFooter =
    "\nStops Kafka brokers, then controllers, then the ensemble (observers, followers, leader\n"
    "last), then removes each install dir. Asks for the cluster name first unless --yes.\n"
    "A directory is removed only if it carries this cluster's mark (written by deploy) and,\n"
    "unless --force, holds nothing zkctl did not put there; each dir kept is listed with why.\n\n"
    "Examples:\n  zkctl destroy\n  zkctl destroy -c seed --yes --purge-data";

inline constexpr const char* kCheckFooter =
    "\nDeploy's pre-flight (SSH, host keys, java, dirs, ports, myid, foreign data) plus: java\n"
    "version, free disk in the data dirs, memory against the configured heaps, clock skew\n"
    "between hosts, every name resolving to the same address on every host (and no host's\n"
    "own name on loopback), and on a running ensemble the status verdict. Exit 5 on a "
    "failure.\n\n"
    "Examples:\n  zkctl check inventories/seed.toml\n  zkctl check --json";

inline constexpr const char* kVerifyFooter =
    "\nWrites a znode through one ZooKeeper server and reads it back through another; with\n"
    "Kafka, creates a topic (replication min(3, brokers)), produces N messages (acks=all)\n"
    "through one broker, consumes them all through another, reports latency and deletes\n"
    "the topic. Exit 1 on any failure or lost message.\n\n"
    "Examples:\n  zkctl verify\n  zkctl verify -n 1000 --json";

inline constexpr const char* kExecFooter =
    "\nEverything after -- is the command, each word quoted for the remote shell. Like the\n"
    "changing commands, it takes the cluster lock (unless --no-lock) and is written to the\n"
    "audit log. Exit 1 if any host failed or exited non-zero.\n\n"
    "Examples:\n  zkctl exec -- uptime\n  zkctl exec node1 node2 -- df -h /var/lib/zookeeper";

inline constexpr const char* kBackupFooter =
    "\nCopies the newest snapshot and every later transaction log of the most up-to-date\n"
    "serving server that is not the leader (observers allowed), without stopping anything,\n"
    "streamed over its SSH session into one local archive (tar, mode 0600, written whole)\n"
    "with a manifest: cluster, server, zxid range, time, versions, sha256 of every member.\n"
    "The znode count is found by loading the archive locally with the inventory's ZooKeeper\n"
    "(java on PATH). `backup verify FILE` checks the checksums and loads it again.\n"
    "Exit 3 when no server serves.\n"
    "A KRaft cluster: the newest metadata snapshot (and meta.properties) of the follower\n"
    "controller with the highest LogEndOffset, read back locally with Kafka's\n"
    "DumpLogSegments (records, last offset, topics); restore refuses such an archive.\n\n"
    "Examples:\n  zkctl backup --out seed.tar\n  zkctl backup verify seed.tar";

inline constexpr const char* kRestoreFooter =
    "\nChecks the archive (a damaged one is refused, exit 2), shows every server's zxid and\n"
    "asks for the cluster name when a server serves or holds newer data (--yes skips the\n"
    "question; unconfirmed: exit 4). Then stops the cluster, places the state in every\n"
    "server's data dir as the service user, starts ZooKeeper, waits for quorum, checks\n"
    "the znode count and the new epoch against the manifest, and starts Kafka. Restoring\n"
    "into another inventory (new hosts, another size) clones or moves an ensemble.\n\n"
    "Examples:\n  zkctl restore seed.tar\n  zkctl restore seed.tar -i new-hosts.toml --yes";

inline constexpr const char* kRecoverFooter =
    "\nFor a lost majority only (refused, exit 4, while a quorum serves): copies every\n"
    "survivor's data here, shows each one's last zxid, and after the cluster name is typed\n"
    "(or --yes) rebuilds the ensemble of the inventory (edit it to replace lost hosts) from\n"
    "the survivor with the highest zxid. Writes after that zxid that only the lost servers\n"
    "acknowledged are lost.\n\n"
    "Examples:\n  zkctl recover\n  zkctl recover -i edited.toml --yes";

inline constexpr const char* kMigrateFooter =
    "\nA migration from ZooKeeper mode to KRaft (KIP-866, Kafka 3.9) is asked for by the\n"
    "inventory: kafka.mode = \"kraft\" and dedicated controllers (roles = [\"controller\"])\n"
    "over the deployed ZooKeeper-mode brokers. `zkctl plan` shows its phases, `zkctl deploy`\n"
    "runs them (pre-checks, controllers in migration mode, brokers into migration, brokers\n"
    "into KRaft), each gated on what the cluster reports and recorded, so a rerun resumes.\n"
    "status: the phases and what the gate waits for. rollback: back to ZooKeeper mode from\n"
    "any phase before finalize (Kafka's documented reverting steps). finalize: takes\n"
    "ZooKeeper out of the controllers; asks for the cluster name (--yes skips it); no way\n"
    "back. Open clusters only for now (a secure one is refused).\n\n"
    "Examples:\n  zkctl migrate status --json\n  zkctl migrate rollback\n"
    "  zkctl migrate finalize --yes";

inline constexpr const char* kPkiRotateFooter =
    "\nReissues every node certificate and zkctl's admin certificate with the cluster's CA,\n"
    "pushes them, and has each node pick them up: ZooKeeper 3.7.2, 3.8.1, 3.9.0 and later\n"
    "reload their PEM files (sslQuorumReloadCertFiles, client.certReload), Kafka brokers\n"
    "re-read their listeners' stores through dynamic config; other nodes restart in the\n"
    "tier's gated roll, with the reason. --dry-run shows that per node and changes nothing.\n"
    "Refused (exit 5, nothing changed) when a node is down or differs from the inventory\n"
    "beyond its certificates (deploy first).\n\n"
    "--ca replaces zkctl's own CA in three phases, each recorded so an interrupted run\n"
    "resumes: trust-both (a new CA; every node and zkctl trust old and new), reissue (every\n"
    "certificate from the new CA, served with the new CA cross-signed by the old one),\n"
    "drop-old (the new CA only; the old one archived under the pki dir). --until PHASE stops\n"
    "after that phase. Refused for an operator's CA (ca_cert).\n\n"
    "Examples:\n  zkctl pki rotate --dry-run\n  zkctl pki rotate\n"
    "  zkctl pki rotate --ca --dry-run\n  zkctl pki rotate --ca";

inline constexpr const char* kMovesFooter =
    "\ndrain moves every replica off one broker onto the others (rack-aware: a partition's\n"
    "replicas keep as many racks as they can), rebalance evens out replicas and preferred\n"
    "leaders over all brokers. Both print the plan, refuse (exit 4) while a partition is below\n"
    "its min.insync.replicas, then run kafka-reassign-partitions.sh on a broker host with\n"
    "--throttle, show partitions and bytes left, remove the throttles once every moved\n"
    "partition is in sync, and elect the preferred leaders. The plan is recorded under the\n"
    "cluster's state dir until done: after an interruption, the same command continues it.\n\n"
    "Examples:\n  zkctl drain 14 --dry-run --json\n  zkctl drain node4 --throttle 10000000\n"
    "  zkctl rebalance --dry-run\n  zkctl rebalance";

}  // namespace zkctl::cli
