#!/usr/bin/env bash
# Rolls and replica moves on the placement layout (#15), on the lab: six Kafka 3.9 brokers in
# ZooKeeper mode, two per host on node1..node3 (racks r1..r3 = hosts, as
# tests/e2e/test_placement.py), over a 3-voter ZooKeeper 3.8.0 ensemble, open cluster. Deployed
# once, a topic filled with about MB megabytes (6 partitions, RF 3), then, in the same run:
#   - a full roll one broker at a time (`zkctl restart`) and one rack at a time
#     (`zkctl restart --by-rack`), alternating, N of each (both also roll the 3 ZooKeeper
#     servers one at a time first, the same way);
#   - `zkctl drain 11` at each of two throttles (bytes/s), broker 11 refilled by
#     `zkctl rebalance` at a high throttle before each: the bytes moved (its --dry-run --json)
#     over the drain's wall time.
# The report (markdown on stdout and in bench/placement-results.md) is the median roll times
# and each drain's time and throughput. A report, not a test: it fails only if a command fails.
#
# Usage: bench/placement.sh [-n N] [-o FILE]
#   -n N      rolls of each kind (default 1)
#   -o FILE   where to write the report (default bench/placement-results.md)
# Env: MB (data in the topic, default 120), KAFKA (the Kafka 3.9 tarball), THROTTLES (two
# bytes/s values, default
# "2000000 8000000").
# Takes the lab lock (/run/zkctl-lab.lock), starts its own lab (lab.sh up --fresh) and takes it
# down at the end. Needs root, the lab's prerequisites, jq, Debian's python3 with
# confluent-kafka, the ZooKeeper 3.8.0 and Kafka 3.9 tarballs under /var/cache/zkctl, and
# build/src/zkctl (or $ZKCTL_BIN). Output: bench/last-placement-run.log.
set -euo pipefail
export LC_ALL=C
BENCH_NAME=placement
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=1
OUT=$BENCH/placement-results.md
ZK=/var/cache/zkctl/apache-zookeeper-3.8.0-bin.tar.gz
KAFKA=${KAFKA:-/var/cache/zkctl/kafka_2.13-3.9.2.tgz}
MB=${MB:-120}
read -r -a THROTTLES <<<"${THROTTLES:-2000000 8000000}"
bench_options "$@"
bench_setup jq /usr/bin/python3
[[ -f $ZK && -f $KAFKA ]] || die "$ZK or $KAFKA is missing"
((${#THROTTLES[@]} == 2)) || die "THROTTLES needs two values"
HOSTS=(node1 node2 node3)
BOOTSTRAP=node1:9092,node2:9092,node3:9092

# inventory DEST: test_placement.py's layout.
inventory() {
    local i b host rack
    {
        printf '[cluster]\nname = "racks"\n\n[ssh]\nidentity_file = "/var/lib/zkctl-lab/id_ed25519"\n'
        printf 'known_hosts = "/var/lib/zkctl-lab/known_hosts"\n\n'
        printf '[security]\ntls = false\nauthentication = "none"\nauthorization = false\n\n'
        printf '[zookeeper]\ndistribution = "%s"\nheap_mb = 128\n' "$ZK"
        for i in 1 2 3; do
            printf '\n[[zookeeper.servers]]\nhost = "node%s"\nid = %s\nrack = "r%s"\n' "$i" "$i" "$i"
        done
        printf '\n[kafka]\nmode = "zookeeper"\ndistribution = "%s"\nheap_mb = 256\n' "$KAFKA"
        printf '\n[kafka.config]\n"num.partitions" = 3\n"group.initial.rebalance.delay.ms" = 0\n'
        for b in 11 12 13 14 15 16; do
            host=node$(((b - 11) % 3 + 1)) rack=r$(((b - 11) % 3 + 1))
            printf '\n[[kafka.nodes]]\nhost = "%s"\nid = %s\nrack = "%s"\n' "$host" "$b" "$rack"
            if ((b > 13)); then
                printf 'listener_port = 9192\ninstall_dir = "/opt/kafka-b"\n'
                printf 'log_dirs = ["/var/lib/kafka/b-data"]\n'
            fi
        done
    } >"$1"
}

# fill TOPIC MB: the topic (6 partitions, RF 3, min ISR 2) holding MB megabytes.
fill() {
    /usr/bin/python3 - "$BOOTSTRAP" "$1" "$2" <<'EOF'
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, topic, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = AdminClient({"bootstrap.servers": bootstrap})  # kept: a dropped handle fails the future
admin.create_topics([NewTopic(topic, 6, 3, config={"min.insync.replicas": "2"})])[topic].result(60)
p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 20,
              "compression.type": "none", "log_level": 0})
value = bytes(range(256)) * 40  # 10 KB, incompressible enough
for i in range(mb * 100):
    while True:
        try:
            p.produce(topic, value, key=str(i))
            break
        except BufferError:
            p.poll(0.1)
    p.poll(0)
if p.flush(120) != 0:
    sys.exit("messages left unacknowledged")
EOF
}

say "starting a fresh lab and deploying six brokers in three racks"
"$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1
export ZKCTL_HOME=$WORK/home
inv=$WORK/racks.toml
inventory "$inv"
"$ZKCTL" deploy "$inv" >>"$LOG" 2>&1 || die "deploy failed; see $LOG"
say "filling a topic with $MB MB"
fill bench-drain "$MB" >>"$LOG" 2>&1 || die "filling the topic failed; see $LOG"

for ((i = 1; i <= RUNS; i++)); do
    say "roll $i: one broker at a time"
    timed one "$ZKCTL" restart -i "$inv"
    say "roll $i: by rack"
    timed rack "$ZKCTL" restart --by-rack -i "$inv"
done

drains=()
for t in "${THROTTLES[@]}"; do
    say "refilling broker 11 (rebalance), then draining it at $t B/s"
    timed "refill-$t" "$ZKCTL" rebalance --throttle 100000000 -i "$inv"
    "$ZKCTL" drain 11 --dry-run --json -i "$inv" >"$WORK/plan.json" 2>>"$LOG" ||
        die "drain --dry-run failed; see $LOG"
    cat "$WORK/plan.json" >>"$LOG"
    bytes=$(jq .bytes "$WORK/plan.json") parts=$(jq .partitions "$WORK/plan.json")
    timed "drain-$t" "$ZKCTL" drain 11 --throttle "$t" -i "$inv"
    secs=$(median "${S[drain-$t]}")
    rate=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.2f", b / s / 1e6 }')
    say "drain at $t B/s: $parts partitions, $bytes bytes in $secs s ($rate MB/s)"
    drains+=("| drain broker 11, throttle $(awk -v t="$t" 'BEGIN { printf "%.0f", t / 1e6 }') MB/s | $parts | $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB | $secs s | $rate MB/s |")
done

{
    echo "# Rolls and replica moves on the placement layout"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, zkctl $commit (\`bench/placement.sh\`):"
    echo "six Kafka 3.9 brokers in three racks (two per lab host), 3 ZooKeeper 3.8.0 voters,"
    echo "a topic of $MB MB (6 partitions, RF 3). Rolls: median of $RUNS, ZooKeeper's three"
    echo "servers rolled first in both."
    echo
    echo "| roll | wall time |"
    echo "|---|---|"
    echo "| one broker at a time (\`zkctl restart\`) | $(median "${S[one]}") s |"
    echo "| rack by rack (\`zkctl restart --by-rack\`) | $(median "${S[rack]}") s |"
    echo
    echo "| drain | partitions | moved | wall time | throughput |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${drains[@]}"
} | tee "$OUT"
