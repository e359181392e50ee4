#!/usr/bin/env bash
# What a node certificate rotation costs, on the lab: the seed layout with Kafka
# (inventories/seed-kafka.toml: 3+1 ZooKeeper ensemble, Kafka 3.9 brokers 11-13 on node1..node3)
# made secure (its open [security] table dropped: TLS everywhere, SCRAM, authorization), on the
# seed's ZooKeeper 3.8.0 (reads its client port's certificate only at start: each server
# restarts in the gated roll; the brokers reload through dynamic config). The layout is
# deployed once, then `zkctl pki rotate` is timed N times; the report is the median wall time
# with the reloads and restarts each rotation needed (from its --json), as markdown on stdout
# and in bench/rotate-results.md. A report, not a test: it fails only if a command fails.
# After them, one CA rotation (`zkctl pki rotate --ca`: trust-both, reissue, drop-old) is timed,
# with the reloads and restarts of its three phases summed. (ZooKeeper 3.9, which reloads, is
# not measured: secure Kafka does not start on it in the lab.)
#
# Usage: bench/rotate.sh [-n N] [-o FILE]
#   -n N      rotations per layout (default 3)
#   -o FILE   where to write the report (default bench/rotate-results.md)
# Takes the lab lock (/run/zkctl-lab.lock), starts its own lab (lab.sh up --fresh) and takes it
# down at the end. Needs root, the lab's prerequisites, jq, the distributions
# seed-kafka.toml names, and build/src/zkctl (or $ZKCTL_BIN). Output: bench/last-rotate-run.log.
set -euo pipefail
export LC_ALL=C
BENCH_NAME=rotate
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=3
OUT=$BENCH/rotate-results.md
ZK38=/var/cache/zkctl/apache-zookeeper-3.8.0-bin.tar.gz
bench_options "$@"
bench_setup jq
[[ -f $ZK38 ]] || die "$ZK38 is missing"

# secure_inventory ZK_TARBALL DEST: seed-kafka.toml without its open [security] table.
secure_inventory() {
    awk '/^\[/ { skip = ($0 == "[security]") } !skip' "$REPO/inventories/seed-kafka.toml" |
        sed "s|^distribution = \".*apache-zookeeper-.*\"|distribution = \"$1\"|" >"$2"
}

rows=()
LAYOUTS=("3.8.0:$ZK38") # ZooKeeper version:tarball, one rotation series each
for layout in "${LAYOUTS[@]}"; do
    name=${layout%%:*} tarball=${layout#*:}
    say "ZooKeeper $name: starting a fresh lab and deploying"
    "$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1
    export ZKCTL_HOME=$WORK/home-$name
    inv=$WORK/secure-$name.toml
    secure_inventory "$tarball" "$inv"
    "$ZKCTL" deploy "$inv" >>"$LOG" 2>&1 || die "deploy ($name) failed; see $LOG"
    times="" reloads="" restarts=""
    for ((i = 1; i <= RUNS; i++)); do
        t0=$EPOCHREALTIME
        "$ZKCTL" pki rotate --json -i "$inv" >"$WORK/r.json" 2>>"$LOG" || die "rotate ($name) failed; see $LOG"
        t1=$EPOCHREALTIME
        cat "$WORK/r.json" >>"$LOG"
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        times+="$t "
        reloads=$(jq .reloaded "$WORK/r.json") restarts=$(jq .restarted "$WORK/r.json")
        say "ZooKeeper $name: rotation $i: $t s, $reloads reloaded, $restarts restarted"
    done
    rows+=("| node certificates, ZooKeeper $name + Kafka 3.9 (7 nodes) | $(median "$times") s | $reloads | $restarts |")
    t0=$EPOCHREALTIME
    "$ZKCTL" pki rotate --ca --json -i "$inv" >"$WORK/ca.json" 2>>"$LOG" || die "rotate --ca ($name) failed; see $LOG"
    t1=$EPOCHREALTIME
    cat "$WORK/ca.json" >>"$LOG"
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    reloads=$(jq '[.phases[].reloaded] | add' "$WORK/ca.json")
    restarts=$(jq '[.phases[].restarted] | add' "$WORK/ca.json")
    say "ZooKeeper $name: CA rotation: $t s, $reloads reloaded, $restarts restarted (3 phases)"
    rows+=("| CA (3 phases), ZooKeeper $name + Kafka 3.9 (7 nodes) | $t s (one run) | $reloads | $restarts |")
done

{
    echo "# Certificate rotation on the lab"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, zkctl $commit, median of $RUNS rotations"
    echo "(\`bench/rotate.sh\`). Restarts are the gated roll's, one server at a time."
    echo
    echo "| case | wall time | reloaded without a restart | restarted |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$OUT"
