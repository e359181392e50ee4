#!/usr/bin/env bash
# zkctl backup and restore against the floor, on the lab: the 3+1 seed ensemble holding a
# few hundred MB (kazoo writes znodes of 900 KB; snapCount 100 so the data dir has a big
# snapshot and logs after it). Each case runs N times (default 3, -n N); the report is the
# median wall time and MB/s of the data dir's size, as a markdown table on stdout and in
# bench/backup-results.md.
#
#   backup:  `zkctl backup` (streams the newest snapshot + later logs from one server over its
#            SSH session, writes the archive, loads it locally with ZooKeeper to count znodes)
#            vs the floor: `tar -cf - -C <data dir> version-2` over one ssh session (lab.sh ssh)
#            into a local file.
#   restore: `zkctl restore --yes` (stop, upload to all 4 servers at once, place, start, wait
#            for quorum, verify) vs the floor: the floor's tar piped into `tar -xf -` on one
#            host over one ssh session.
#
# Usage: bench/backup.sh [-n N] [-o FILE]
# Takes the lab lock (/run/zkctl-lab.lock) like the end-to-end tests, starts its own lab and
# takes it down at the end. Needs root, the lab's prerequisites, /usr/bin/python3 with kazoo,
# and build/src/zkctl. Output of every command: bench/last-backup-run.log.
set -euo pipefail
export LC_ALL=C
if [[ ${ZKCTL_BENCH_LOCKED:-} != 1 ]]; then
    exec env ZKCTL_BENCH_LOCKED=1 flock -o /run/zkctl-lab.lock "$0" "$@"
fi

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LAB=$REPO/tests/lab/lab.sh
SEED=(node1 node2 node3 nn01)
RUNS=3
OUT=$BENCH/backup-results.md
LOG=$BENCH/last-backup-run.log
while (($# > 0)); do
    case $1 in
        -n) RUNS=$2 && shift 2 ;;
        -o) OUT=$2 && shift 2 ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2 && exit 2 ;;
    esac
done
say() { echo "bench: $*" >&2; }
[[ $(id -u) -eq 0 ]] || { say "must run as root (the lab needs it)"; exit 1; }
: >"$LOG"
WORK=$(mktemp -d /var/tmp/zkctl-bench-backup.XXXXXX)
cp -p "$REPO/build/src/zkctl" "$WORK/zkctl"
ZKCTL=$WORK/zkctl
export ZKCTL_HOME=$WORK/home NO_COLOR=1
cleanup() {
    local rc=$?
    "$LAB" down >>"$LOG" 2>&1 || true
    rm -rf "$WORK"
    ((rc == 0)) || { say "failed (exit $rc); see $LOG"; tail -n 20 "$LOG" >&2; }
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

INV=$WORK/seed-big.toml
sed -e 's/^heap_mb = 256 /heap_mb = 768 /' \
    -e 's/^"autopurge.purgeInterval" = 24/&\n"snapCount" = 100/' "$REPO/inventories/seed.toml" >"$INV"
grep -q '^"snapCount" = 100' "$INV" || { say "could not write the inventory variant"; exit 1; }

say "starting the lab and deploying"
"$LAB" up --fresh "${SEED[@]}" >>"$LOG" 2>&1
"$ZKCTL" deploy "$INV" >>"$LOG" 2>&1
say "writing the data (160 znodes of 900 KB)"
/usr/bin/python3 - >>"$LOG" 2>&1 <<'PY'
from kazoo.client import KazooClient
c = KazooClient(hosts="node1:2181,node2:2181,node3:2181", timeout=30)
c.start(timeout=30)
c.ensure_path("/big")
blob = bytes(range(256)) * 3515  # 899840 bytes, not compressible by accident
for i in range(160):
    c.create(f"/big/n{i:04d}", blob[i % 256:] + blob[:i % 256])
c.stop()
PY

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A T
for run in $(seq 1 "$RUNS"); do
    say "run $run/$RUNS"
    rm -f "$WORK/floor.tar" "$WORK/b.tar"
    t0=$(now)
    "$LAB" ssh node2 tar -cf - -C /var/lib/zookeeper version-2 >"$WORK/floor.tar" 2>>"$LOG"
    t1=$(now)
    "$ZKCTL" backup -i "$INV" --out "$WORK/b.tar" --json >"$WORK/b.json" 2>>"$LOG"
    t2=$(now)
    "$LAB" ssh node2 "rm -rf /tmp/floor && mkdir /tmp/floor && tar -xf - -C /tmp/floor" <"$WORK/floor.tar" 2>>"$LOG"
    t3=$(now)
    "$ZKCTL" restore -i "$INV" --yes "$WORK/b.tar" >>"$LOG" 2>&1
    t4=$(now)
    "$LAB" ssh node2 rm -rf /tmp/floor
    T[floor_b]+="$(echo "$t1 - $t0" | bc) "
    T[zk_b]+="$(echo "$t2 - $t1" | bc) "
    T[floor_r]+="$(echo "$t3 - $t2" | bc) "
    T[zk_r]+="$(echo "$t4 - $t3" | bc) "
done
cat "$WORK/b.json" >>"$LOG"
"$ZKCTL" backup -i "$INV" --out "$WORK/c.tar" >>"$LOG" 2>&1  # the text output, for the README
"$ZKCTL" backup verify -i "$INV" "$WORK/c.tar" >>"$LOG" 2>&1
DATA=$(stat -c %s "$WORK/floor.tar")
ARCH=$(stat -c %s "$WORK/b.tar")
STREAMED=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["streamed_bytes"])' "$WORK/b.json")
m() { tr ' ' '\n' <<<"${T[$1]}" | grep . | median; }
mbs() { echo "scale=1; $2 / 1048576 / $1" | bc; }
fb=$(m floor_b) zb=$(m zk_b) fr=$(m floor_r) zr=$(m zk_r)
{
    echo "# backup and restore: zkctl vs tar over one SSH session"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, median of $RUNS runs. The data dir (every"
    echo "snapshot and log, what the floor copies) is $((DATA / 1048576)) MiB; zkctl streams the newest snapshot and"
    echo "the logs after it, $((STREAMED / 1048576)) MiB, and keeps $((ARCH / 1048576)) MiB (logs cut at their last transaction:"
    echo "ZooKeeper preallocates them with zeros). Each side's MiB/s is of the bytes it moved. zkctl's"
    echo "backup includes loading the archive locally to count znodes; its restore places the archive"
    echo "on all 4 servers, restarts the ensemble, verifies it and waits for the archive's sessions."
    echo
    echo "| case | zkctl | floor | ratio |"
    echo "|---|---|---|---|"
    echo "| backup | ${zb} s ($(mbs "$zb" "$STREAMED") MiB/s) | ${fb} s ($(mbs "$fb" "$DATA") MiB/s) | $(echo "scale=2; $zb / $fb" | bc)x |"
    echo "| restore | ${zr} s ($(mbs "$zr" "$ARCH") MiB/s) | ${fr} s ($(mbs "$fr" "$DATA") MiB/s) | $(echo "scale=2; $zr / $fr" | bc)x |"
} | tee "$OUT"
