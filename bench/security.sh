#!/usr/bin/env bash
# What a secure cluster costs, on the lab: the seed layout with Kafka
# (inventories/seed-kafka.toml, 3+1 ZooKeeper ensemble, Kafka 3.9 brokers 11-13 on node1..node3)
# open (its [security] table: tls = false, authentication = "none", authorization = false)
# vs secure (the same inventory without that table: zkctl's default, TLS on every listener and
# peer link, SCRAM for Kafka clients, authorization on). Each run deploys both, open and secure
# interleaved (which goes first alternates run by run); the report is the median wall time of
# each case and secure / open, as a markdown table on stdout and in bench/security-results.md
# (with the date and the machine). A report, not a test: it fails only if a command fails.
#
#   (a) `zkctl deploy` from nothing: hosts reset before each deploy (every process but sshd
#       killed; /opt, /var/lib/zookeeper, /var/lib/kafka, /var/log, /tmp emptied, like
#       bench/run.sh) and a fresh ZKCTL_HOME, so the secure deploy includes creating the CA
#       and issuing every node's certificate and zkctl's admin certificate.
#   (b) `zkctl status` of the cluster just deployed (secure: srvr over TLS with zkctl's admin
#       certificate, the Kafka probes over TLS); one untimed warm-up, then 3 timed runs on
#       each deployed cluster (3N in all).
#   (c) `zkctl verify` of the same cluster (a znode written and read back, a topic created,
#       100 messages produced and consumed, the topic deleted; secure: ZooKeeper over TLS,
#       Kafka through the brokers' INTERNAL listener with zkctl's admin certificate).
# Before timing, each secure cluster is checked to be one: ZooKeeper's client port and
# Kafka's client port complete a TLS handshake with the cluster's CA, and plaintext srvr gets
# no answer.
#
# Usage: bench/security.sh [-n N] [-o FILE]
#   -n N      runs per case (default 3; a deploy with Kafka takes about a minute)
#   -o FILE   where to write the report (default bench/security-results.md)
# Takes the lab lock (/run/zkctl-lab.lock) like the end-to-end tests, starts its own lab
# (lab.sh up --fresh) and takes it down at the end. Needs root, the lab's prerequisites, nc,
# openssl, the distributions seed-kafka.toml names, and build/src/zkctl (or $ZKCTL_BIN).
# Output of every command: bench/last-security-run.log.
set -euo pipefail
export LC_ALL=C
BENCH_NAME=security
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=3
STATUS_REPS=3 # status is timed this many times on each deployed cluster (it takes ~0.1 s)
OUT=$BENCH/security-results.md
bench_options "$@"
bench_setup nc openssl
[[ -z ${ZKCTL_HOME:-} ]] || say "ignoring ZKCTL_HOME=$ZKCTL_HOME: every run gets its own"

# The two inventories: seed-kafka.toml as it is, and without its [security] table.
declare -A INV=([open]=$WORK/open.toml [secure]=$WORK/secure.toml)
cp "$REPO/inventories/seed-kafka.toml" "${INV[open]}"
awk '/^\[/ { skip = ($0 == "[security]") } !skip' "${INV[open]}" >"${INV[secure]}"
grep -q '^tls = false' "${INV[open]}" || die "seed-kafka.toml is no longer open"
! grep -q '^\[security' "${INV[secure]}" || die "could not write the secure variant"

say "starting the lab: ${HOSTS[*]}"
"$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1

# tls_ok HOST PORT: a TLS handshake with the cluster's CA and zkctl's admin certificate.
tls_ok() {
    local pki=$ZKCTL_HOME/clusters/seed/pki
    openssl s_client -connect "$1:$2" -servername "$1" -CAfile "$pki/ca.crt" \
        -cert "$pki/zkctl-admin.crt" -key "$pki/zkctl-admin.key" -verify_return_error -brief \
        </dev/null >>"$LOG" 2>&1
}
# check_mode MODE: the cluster just deployed is what MODE says it is.
check_mode() {
    local answer try
    for try in 1 2 3 4 5; do
        answer=$(echo srvr | nc -N -w 2 node1 2181 2>&1 || true)
        [[ $1 == open && $answer != *"Mode: "* ]] || break
        echo "srvr to node1:2181, try $try: $answer" >>"$LOG"
        sleep 1
    done
    if [[ $1 == open ]]; then
        [[ $answer == *"Mode: "* ]] || die "open: node1 does not answer plaintext srvr: ${answer:-nothing}"
        return
    fi
    [[ $answer != *"Mode: "* ]] || die "secure: node1 answers plaintext srvr"
    tls_ok node1 2181 || die "secure: no TLS handshake with ZooKeeper on node1:2181; see $LOG"
    tls_ok node1 9092 || die "secure: no TLS handshake with Kafka on node1:9092; see $LOG"
}

# deploy_to FILE INVENTORY: zkctl deploy, its output (progress included) to FILE and stdout.
deploy_to() {
    local rc=0
    "$ZKCTL" deploy "$2" >"$1" 2>&1 || rc=$?
    cat "$1"
    return $rc
}
# phases MODE FILE: from a deploy's progress lines, how long ZooKeeper took to serve (the
# slowest server's "wait for role") and Kafka's brokers to register ("wait for brokers").
phases() {
    local zk kafka
    zk=$(sed -n 's/^\[[a-z0-9.-]*\] wait for role: ok (\([0-9.]*\)s)$/\1/p' "$2" | sort -g | tail -n 1)
    kafka=$(sed -n 's/^\[kafka wait\] wait for brokers: ok (\([0-9.]*\)s)$/\1/p' "$2")
    [[ -n $zk && -n $kafka ]] || die "$1: no 'wait for role' / 'wait for brokers' times in the deploy's output"
    S[zkwait_$1]+="$zk "
    S[kafkawait_$1]+="$kafka "
}

# one MODE RUN: deploy from nothing, then status and verify of that cluster.
one() {
    local mode=$1 run=$2
    say "run $run/$RUNS: $mode"
    reset_hosts "${HOSTS[@]}"
    export ZKCTL_HOME=$WORK/home.$mode.$run
    timed "deploy_$mode" deploy_to "$WORK/deploy.out" "${INV[$mode]}"
    phases "$mode" "$WORK/deploy.out"
    check_mode "$mode"
    "$ZKCTL" status -i "${INV[$mode]}" >>"$LOG" 2>&1 || die "$mode: zkctl status fails; see $LOG"
    for _ in $(seq 1 "$STATUS_REPS"); do
        timed "status_$mode" "$ZKCTL" status -i "${INV[$mode]}"
    done
    timed "verify_$mode" "$ZKCTL" verify -i "${INV[$mode]}"
}
started=$EPOCHREALTIME
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$RUNS"); do
    if ((run % 2)); then
        one open "$run"
        one secure "$run"
    else
        one secure "$run"
        one open "$run"
    fi
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", (b - a) / 60 }')

m() { median "${S[$1]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { # row LABEL CASE
    local o s
    o=$(m "$2_open") s=$(m "$2_secure")
    echo "| $1 | $o s | $s s | $(ratio "$s" "$o")x |"
}
series_line() { printf '| %s | %s |\n' "$1" "$(tr ' ' '\n' <<<"${S[$1]}" | grep . | awk '{ printf "%s%.3f", (NR > 1 ? ", " : ""), $1 }')"; }
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
table=$(
    echo "| case (seed-kafka.toml: 3+1 ZooKeeper, 3 Kafka 3.9 brokers) | open | secure | secure / open |"
    echo "|---|---|---|---|"
    row "\`zkctl deploy\` from nothing" deploy
    row "\`zkctl status\`" status
    row "\`zkctl verify\` (100 messages)" verify
)
phase_row() { # phase_row LABEL SERIES
    local o s
    o=$(m "$2_open") s=$(m "$2_secure")
    awk -v l="$1" -v a="$o" -v b="$s" 'BEGIN { printf "| %s | %.1f s | %.1f s | %+.1f s |\n", l, a, b, b - a }'
}
phases_table=$(
    echo "| part of \`zkctl deploy\` | open | secure | secure - open |"
    echo "|---|---|---|---|"
    phase_row "ZooKeeper: started to every server in its role (the slowest)" zkwait
    phase_row "Kafka: started to every broker registered and serving" kafkawait
)
{
    echo "# open vs secure: deploy, status and verify"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/security.sh -n $RUNS\` (about $elapsed min) on $(nproc) CPUs ($cpu), ${mem_gib} GiB memory, Linux $(uname -r); zkctl $("$ZKCTL" --version 2>/dev/null | awk '{ print $NF }') (build of $built, tree at $commit); $(openssl version | awk '{ print $1, $2 }')."
    echo
    echo "Load average (1, 5, 15 min) $load0 at the start, $load1 at the end: the machine is shared, so"
    echo "other work runs beside the lab."
    echo
    echo "Wall time, median of $RUNS deploys and verifies and of $((RUNS * STATUS_REPS)) status runs ($STATUS_REPS on each deployed"
    echo "cluster); open and secure interleaved, which goes first alternating run by run."
    echo
    echo "$table"
    echo
    echo "Where a deploy's time goes (medians; zkctl's own progress lines, 0.1 s resolution):"
    echo
    echo "$phases_table"
    echo
    echo "## Every run (seconds)"
    echo
    echo "| series | runs |"
    echo "|---|---|"
    for c in deploy zkwait kafkawait status verify; do
        series_line "${c}_open"
        series_line "${c}_secure"
    done
    echo
    cat <<'EOF'
## How it was measured

- Simulated hosts from `tests/lab/lab.sh` (node1..node3, nn01); the lab's lock is held for
  the whole run.
- open: `inventories/seed-kafka.toml` as it is (`[security]` with `tls = false`,
  `authentication = "none"`, `authorization = false`). secure: the same file without its
  `[security]` table, so zkctl's defaults: TLS on ZooKeeper's client port and quorum links
  and on every Kafka listener (CLIENT with SCRAM, INTERNAL with mutual TLS), ZooKeeper
  clients authenticated by certificate, Kafka's authorizer on; no `[[security.users]]`.
- deploy: before each one the 4 hosts are reset (every process but sshd killed; /opt,
  /var/lib/zookeeper, /var/lib/kafka, /var/log, /tmp emptied) and zkctl gets a fresh
  `ZKCTL_HOME`, so a secure deploy also creates the CA (EC P-256) and issues a certificate for
  every node and for zkctl's admin identity, and uploads them. It returns once every
  ZooKeeper server serves in its role and every broker is registered. zkwait and kafkawait
  below are the two waits as deploy's progress lines report them (`wait for role`, the
  slowest server; `wait for brokers`).
- Each secure cluster is checked right after its deploy, before status and verify: plaintext `srvr` to node1:2181 gets no
  answer, and node1:2181 (ZooKeeper) and node1:9092 (Kafka) complete a TLS handshake
  verified against the cluster's CA.
- status: one untimed warm-up, then 3 timed `zkctl status` on each deployed cluster. Secure:
  `srvr` over TLS with zkctl's admin certificate, the brokers' metadata and listeners over TLS.
- verify: `zkctl verify` (default 100 messages) right after, on the same cluster. Secure: the
  znode round trip over TLS, the topic, produce and consume through the brokers' INTERNAL
  listener (9094, mutual TLS) as zkctl's admin identity.
- Times include process start-up; the output of every command is in
  bench/last-security-run.log (not committed).
EOF
} >"$OUT"
echo
echo "$table"
echo
echo "$phases_table"
echo
say "report written to $OUT (command output in $LOG)"
