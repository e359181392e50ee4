#!/usr/bin/env bash
# The security on-ramp on the lab (#13): the seed layout with Kafka
# (inventories/seed-kafka.toml: 3+1 ZooKeeper 3.8.0, Kafka 3.9 brokers 11-13) deployed open,
# then made secure phase by phase with `zkctl deploy --drop-plaintext` (scram, authorization,
# the CLIENT listener on 9095 while PLAINTEXT stays on 9092 until the last phase). Reports the
# wall time of the whole on-ramp, of each phase (from deploy's notes) and the restarts it
# needed, as a markdown table on stdout and in bench/onramp-results.md. No client load (the
# end-to-end test tests/e2e/test_onramp.py runs it under load). A report, not a test: it fails
# only if a command fails.
#
# Usage: bench/onramp.sh [-n N] [-o FILE]
#   -n N      runs (default 1; one on-ramp takes several minutes)
#   -o FILE   where to write the report (default bench/onramp-results.md)
# Takes the lab lock (/run/zkctl-lab.lock) like the end-to-end tests, starts its own lab
# (lab.sh up --fresh) and takes it down at the end. Needs root, the lab's prerequisites, the
# distributions seed-kafka.toml names, and build/src/zkctl (or $ZKCTL_BIN).
# Output of every command: bench/last-onramp-run.log.
set -euo pipefail
export LC_ALL=C
BENCH_NAME=onramp
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=1
OUT=$BENCH/onramp-results.md
bench_options "$@"
bench_setup

OPEN=$WORK/open.toml
SECURE=$WORK/secure.toml
cp "$REPO/inventories/seed-kafka.toml" "$OPEN"
awk '/^\[/ { skip = ($0 == "[security]") } !skip' "$OPEN" |
    sed 's/^listener_port = 9092/listener_port = 9095/' >"$SECURE"
grep -q '^listener_port = 9095' "$SECURE" || die "could not move the secure CLIENT listener"

declare -a TOTAL=() RESTARTS=()
PHASE_LINES=""
for ((run = 1; run <= RUNS; run++)); do
    say "run $run: lab up, open deploy"
    "$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1
    export ZKCTL_HOME=$WORK/home-$run
    "$ZKCTL" deploy "$OPEN" </dev/null >>"$LOG" 2>&1 || die "open deploy failed; see $LOG"
    say "run $run: the on-ramp"
    t0=$EPOCHREALTIME
    "$ZKCTL" deploy --drop-plaintext "$SECURE" </dev/null >"$WORK/ramp.out" 2>&1 ||
        { cat "$WORK/ramp.out" >>"$LOG"; die "the on-ramp failed; see $LOG"; }
    t1=$EPOCHREALTIME
    cat "$WORK/ramp.out" >>"$LOG"
    TOTAL+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')")
    r=$(sed -n 's/^zkctl: note: security phase [a-z-]*: done, \([0-9]*\) restart(s)$/\1/p' \
        "$WORK/ramp.out" | awk '{ s += $1 } END { print s + 0 }')
    RESTARTS+=("$r")
    PHASE_LINES+=$(sed -n 's/^zkctl: note: \(security phase .*\)$/| '"$run"' | \1 |/p' "$WORK/ramp.out")
    PHASE_LINES+=$'\n'
    "$LAB" down >>"$LOG" 2>&1
done

{
    echo "# the security on-ramp: open -> secure under zkctl deploy"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/onramp.sh -n $RUNS\` on $(nproc) CPUs;" \
        "tree at $commit. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)."
    echo
    echo "| case (seed-kafka.toml: 3+1 ZooKeeper 3.8.0, 3 Kafka 3.9 brokers) | wall time | restarts |"
    echo "|---|---|---|"
    for i in "${!TOTAL[@]}"; do
        echo "| run $((i + 1)): \`zkctl deploy --drop-plaintext\`, open -> secure (6 phases) | ${TOTAL[$i]} s | ${RESTARTS[$i]} |"
    done
    echo
    echo "| run | phase |"
    echo "|---|---|"
    printf '%s' "$PHASE_LINES"
} | tee "$OUT"
