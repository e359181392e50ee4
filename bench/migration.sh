#!/usr/bin/env bash
# The migration of the seed layout's ZooKeeper-mode Kafka to KRaft (#11) on the lab:
# inventories/seed-kafka.toml (3+1 ZooKeeper 3.8.0, Kafka 3.9 brokers 11-13) deployed, then one
# plain rolling restart of the whole cluster (`zkctl restart`: ZooKeeper, then the brokers),
# then the inventory edited to kafka.mode = "kraft" with three dedicated controllers beside
# the brokers (ids 1-3, port 9093, /opt/kafka-controller) and migrated phase by phase
# (`zkctl migrate run --until controllers`, `--until dual_write`, `--until kraft`,
# `zkctl migrate finalize --yes`). Reports each phase's wall time, the whole migration's and
# the rolling restart's, in the same run, as a markdown table on stdout and in
# bench/migration-results.md. No client load (tests/e2e/test_migration.py runs it under
# load). A report, not a test: it fails only if a command fails.
#
# Usage: bench/migration.sh [-n N] [-o FILE]
#   -n N      runs (default 1; one migration takes several minutes)
#   -o FILE   where to write the report (default bench/migration-results.md)
# Takes the lab lock (/run/zkctl-lab.lock) like the end-to-end tests, starts its own lab
# (lab.sh up --fresh) and takes it down at the end. Needs root, the lab's prerequisites, the
# distributions seed-kafka.toml names, and build/src/zkctl (or $ZKCTL_BIN).
# Output of every command: bench/last-migration-run.log.
set -euo pipefail
export LC_ALL=C
BENCH_NAME=migration
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=1
OUT=$BENCH/migration-results.md
bench_options "$@"
bench_setup

ZK_MODE=$WORK/seed-kafka.toml
KRAFT=$WORK/seed-kraft.toml
cp "$REPO/inventories/seed-kafka.toml" "$ZK_MODE"
sed 's/^mode = "zookeeper"$/mode = "kraft"/' "$ZK_MODE" >"$KRAFT"
grep -q '^mode = "kraft"$' "$KRAFT" || die "could not set kafka.mode"
for i in 1 2 3; do
    printf '\n[[kafka.nodes]]\nhost = "node%s"\nid = %s\nroles = ["controller"]\n' "$i" "$i"
    printf 'controller_port = 9093\ninstall_dir = "/opt/kafka-controller"\n'
    printf 'log_dirs = ["/var/lib/kafka/controller"]\n'
done >>"$KRAFT"

SERIES=(restart controllers dual_write kraft finalize)
for ((run = 1; run <= RUNS; run++)); do
    say "run $run: lab up, ZooKeeper-mode deploy"
    "$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1
    export ZKCTL_HOME=$WORK/home-$run
    "$ZKCTL" deploy "$ZK_MODE" </dev/null >>"$LOG" 2>&1 || die "deploy failed; see $LOG"
    say "run $run: one rolling restart, then the migration phase by phase"
    timed restart "$ZKCTL" restart -i "$ZK_MODE"
    timed controllers "$ZKCTL" migrate run --until controllers -i "$KRAFT"
    timed dual_write "$ZKCTL" migrate run --until dual_write -i "$KRAFT"
    timed kraft "$ZKCTL" migrate run --until kraft -i "$KRAFT"
    timed finalize "$ZKCTL" migrate finalize --yes -i "$KRAFT"
    "$LAB" down >>"$LOG" 2>&1
done

{
    echo "# the migration of the seed layout to KRaft, against one rolling restart"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/migration.sh -n $RUNS\` on $(nproc) CPUs;" \
        "tree at $commit. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)."
    echo "Median of $RUNS run(s), wall time of each command."
    echo
    echo "| step (seed-kafka.toml: 3+1 ZooKeeper 3.8.0, 3 Kafka 3.9 brokers; 3 controllers added) | wall time |"
    echo "|---|---|"
    total=0
    for s in "${SERIES[@]}"; do
        m=$(median "${S[$s]}")
        [[ $s == restart ]] || total=$(awk -v a="$total" -v b="$m" 'BEGIN { printf "%.1f", a + b }')
        case $s in
            restart) what="one rolling restart of the whole cluster (\`zkctl restart\`: 4 ZooKeeper servers, 3 brokers)" ;;
            controllers) what="migration (a)+(b): pre-checks, controllers formatted and started in migration mode" ;;
            dual_write) what="migration (c): brokers rolled into migration, metadata copied (dual-write)" ;;
            kraft) what="migration (d): brokers rolled into KRaft mode" ;;
            finalize) what="finalize: controllers rolled without ZooKeeper" ;;
        esac
        printf '| %s | %.1f s |\n' "$what" "$m"
    done
    r=$(median "${S[restart]}")
    echo "| **the whole migration** (a)-(d) + finalize | **$total s** ($(awk -v a="$total" -v b="$r" 'BEGIN { printf "%.1f", a / b }') rolling restarts) |"
} | tee "$OUT"
