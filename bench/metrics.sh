#!/usr/bin/env bash
# What the metrics endpoints ([metrics]) cost, on the lab: the seed layout with Kafka
# (inventories/seed-kafka.toml: 3+1 ZooKeeper 3.8 ensemble, Kafka 3.9 brokers 11-13 on
# node1..node3, open) deployed with `[metrics] enabled = false` and with metrics on (ZooKeeper's
# Prometheus provider, the JMX exporter agent in each broker), alternately in the same run: each
# case is a redeploy of the same cluster (zkctl restarts every node, as a changed config does).
# After a warm-up, a steady load runs for a window: Kafka's ProducerPerformance on node1 (200-byte
# records at a fixed rate into a 3-replica topic) and, with metrics on, a scrape of node1's
# two endpoints every 15 s (Prometheus' default interval). Measured on node1 over the window:
# CPU seconds of the broker's and the ZooKeeper server's JVM (utime + stime from /proc/PID/stat)
# and their resident memory at its end (VmRSS). The report is the median of each over the runs
# and on / off, as a markdown table on stdout and in bench/metrics-results.md (with the date and
# the machine). A report, not a test: it fails only if a command fails.
#
# Usage: bench/metrics.sh [-n N] [-w SECONDS] [-o FILE]
#   -n N        runs per case (default 2)
#   -w SECONDS  measuring window (default 60; a 20 s warm-up comes first)
#   -o FILE     where to write the report (default bench/metrics-results.md)
# Takes the lab lock (/run/zkctl-lab.lock) like the end-to-end tests, starts its own lab
# (lab.sh up --fresh) and takes it down at the end. Needs root, the lab's prerequisites, curl,
# the distributions seed-kafka.toml names (with ZooKeeper's provider: tests/fixtures/
# zookeeper-dist.sh), the agent (tests/fixtures/jmx-agent.sh) and build/src/zkctl (or
# $ZKCTL_BIN). Output of every command: bench/last-metrics-run.log.
set -euo pipefail
export LC_ALL=C
BENCH_NAME=metrics
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=2
WINDOW=60
WARMUP=20
RATE=500 # records per second of the load
OUT=$BENCH/metrics-results.md
bench_options "$@"
bench_setup curl
export ZKCTL_HOME=$WORK/home
AGENT=$("$REPO/tests/fixtures/jmx-agent.sh" 2>>"$LOG" | tail -n 1)
"$REPO/tests/fixtures/zookeeper-dist.sh" 3.8 >>"$LOG" 2>&1 || die "zookeeper-dist.sh failed"

declare -A INV=([off]=$WORK/off.toml [on]=$WORK/on.toml)
cp "$REPO/inventories/seed-kafka.toml" "$WORK/seed.toml"
printf '%s\n[metrics]\nenabled = false\n' "$(cat "$WORK/seed.toml")" >"${INV[off]}"
printf '%s\n[metrics]\njmx_agent = "%s"\n' "$(cat "$WORK/seed.toml")" "$AGENT" >"${INV[on]}"

say "starting the lab: ${HOSTS[*]}"
"$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1

on_node1() { "$LAB" exec node1 -- "$@"; }
# jvm_pid PATTERN: the PID of node1's JVM whose command line matches PATTERN.
jvm_pid() { on_node1 pgrep -f -- "$1" | head -n 1; }
# cpu_ticks PID: utime + stime in clock ticks.
cpu_ticks() { on_node1 awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mib() { on_node1 awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# measure CASE: deploy CASE, warm up, load for the window, record CPU and RSS of both JVMs.
measure() {
    local c=$1 zk kafka z0 k0 z1 k1 hz load t
    say "run $run: metrics $c: deploy"
    "$ZKCTL" deploy "${INV[$c]}" >>"$LOG" 2>&1 || die "deploy ($c) failed; see $LOG"
    on_node1 /opt/kafka/current/bin/kafka-topics.sh --bootstrap-server node1:9092 --create \
        --if-not-exists --topic bench --partitions 3 --replication-factor 3 >>"$LOG" 2>&1 ||
        die "creating the topic failed"
    sleep "$WARMUP"
    zk=$(jvm_pid org.apache.zookeeper.server.quorum.QuorumPeerMain)
    kafka=$(jvm_pid 'kafka\.Kafka ')
    [[ -n $zk && -n $kafka ]] || die "no ZooKeeper or Kafka JVM on node1"
    hz=$(getconf CLK_TCK)
    # kafka-producer-perf-test.sh is that class (the assembled distribution has no wrapper).
    on_node1 /opt/kafka/current/bin/kafka-run-class.sh org.apache.kafka.tools.ProducerPerformance --topic bench \
        --num-records $((RATE * WINDOW)) --record-size 200 --throughput "$RATE" \
        --producer-props bootstrap.servers=node1:9092 acks=all >>"$LOG" 2>&1 &
    load=$!
    z0=$(cpu_ticks "$zk")
    k0=$(cpu_ticks "$kafka")
    for ((t = 0; t < WINDOW; t += 15)); do
        if [[ $c == on ]]; then
            curl -sf -m 5 -o /dev/null http://node1:7000/metrics || die "no ZooKeeper metrics"
            curl -sf -m 5 -o /dev/null http://node1:7071/metrics || die "no Kafka metrics"
        fi
        sleep $((WINDOW - t < 15 ? WINDOW - t : 15))
    done
    z1=$(cpu_ticks "$zk")
    k1=$(cpu_ticks "$kafka")
    wait "$load" || die "the load failed; see $LOG"
    S["$c zk_cpu"]+="$(awk -v a="$z0" -v b="$z1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }') "
    S["$c kafka_cpu"]+="$(awk -v a="$k0" -v b="$k1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }') "
    S["$c zk_rss"]+="$(rss_mib "$zk") "
    S["$c kafka_rss"]+="$(rss_mib "$kafka") "
}

for ((run = 1; run <= RUNS; run++)); do
    if ((run % 2)); then order=(off on); else order=(on off); fi
    for c in "${order[@]}"; do measure "$c"; done
done

row() { # row LABEL KEY UNIT [DECIMALS]
    local off on
    off=$(printf "%.${4:-0}f" "$(median "${S["off $2"]}")")
    on=$(printf "%.${4:-0}f" "$(median "${S["on $2"]}")")
    printf '| %s | %s %s | %s %s | %s |\n' "$1" "$off" "$3" "$on" "$3" \
        "$(awk -v a="$off" -v b="$on" 'BEGIN { printf (a > 0 ? "%+.0f %%" : "-"), (b - a) / a * 100 }')"
}
{
    echo "# Metrics agents: CPU and memory with and without"
    echo
    echo "bench/metrics.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) cores,"
    echo "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; $RUNS runs per case,"
    echo "window ${WINDOW} s after ${WARMUP} s warm-up, load $RATE records/s of 200 bytes (acks=all,"
    echo "3 replicas) produced on node1; with metrics on, both endpoints of node1 scraped every 15 s."
    echo "node1 runs ZooKeeper 3.8.0 (a follower or the leader) and broker 11; medians."
    echo
    echo "| node1 | metrics off | metrics on | on vs off |"
    echo "|---|---|---|---|"
    row "broker CPU over the window" kafka_cpu s 2
    row "broker RSS" kafka_rss MiB
    row "ZooKeeper CPU over the window" zk_cpu s 2
    row "ZooKeeper RSS" zk_rss MiB
    echo
    echo "Samples (off / on): broker CPU ${S["off kafka_cpu"]}/ ${S["on kafka_cpu"]}; broker RSS"
    echo "${S["off kafka_rss"]}/ ${S["on kafka_rss"]}; ZooKeeper CPU ${S["off zk_cpu"]}/ ${S["on zk_cpu"]};"
    echo "ZooKeeper RSS ${S["off zk_rss"]}/ ${S["on zk_rss"]}."
} | tee "$OUT"
