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
BENCH_NAME=backup
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_lock "$0" "$@"

RUNS=3
OUT=$BENCH/backup-results.md
bench_options "$@"
bench_setup /usr/bin/python3 bc
export ZKCTL_HOME=$WORK/home

INV=$WORK/seed-big.toml
sed -e 's/^heap_mb = 256 /heap_mb = 768 /' \
    -e 's/^"autopurge.purgeInterval" = 24/&\n"snapCount" = 100/' "$REPO/inventories/seed.toml" >"$INV"
grep -q '^"snapCount" = 100' "$INV" || die "could not write the inventory variant"

say "starting the lab and deploying"
"$LAB" up --fresh "${HOSTS[@]}" >>"$LOG" 2>&1
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
m() { median "${T[$1]}"; }
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
