#!/usr/bin/env bash
# zkctl vs the manual way, on the lab's simulated hosts (tests/lab/lab.sh), measured in the
# same run. Each case runs N times (default 5, -n N), zkctl and the manual way interleaved;
# the report is the median wall time of each and their ratio, as a markdown table on stdout
# and in bench/results.md (with the date and the machine). A report, not a test: nothing here
# fails on a slow number; it fails only if a command itself fails.
#
#   (a) deploy of the 3+1 ensemble (inventories/seed.toml) from nothing:
#       `zkctl deploy` vs bench/manual-deploy.sh. Hosts are reset before each run (every
#       process but sshd killed; /opt, /var/lib/zookeeper, /var/log, /tmp emptied) and every
#       zkctl run gets a fresh ZKCTL_HOME.
#   (b) the same deploy again with nothing changed: zkctl (its "uploaded to 0" is checked)
#       vs manual-deploy.sh again (it re-does everything).
#   (c) status: `zkctl status` vs the seed's sequential stat loop
#       `for h in ...; do echo stat | nc -N -w 2 $h 2181; done`, at the 4 seed hosts and at
#       32 hosts: 28 more lab hosts b01..b28 get a stand-in for ZooKeeper's client port
#       (bench/fake-4lw.py, answering with nn01's real srvr/mntr/stat answers: 28 more JVMs
#       would not fit). One stand-in process serves all 28: it opens each listening socket
#       inside the host's network namespace (setns) and serves them from one event loop.
#       The 28 are listed as observers 5..32 in a generated 32-server inventory.
#   (d) `zkctl exec -i <32-server inventory> -- true` vs a sequential ssh loop.
# Status and exec get one untimed warm-up run of each side first.
#
# Usage: bench/run.sh [-n N] [--replace-lab] [--keep-lab] [-o FILE]
#   -n N            runs per case (default 5)
#   --replace-lab   a lab is already running (perhaps used by tests): replace it anyway
#   --keep-lab      leave the lab up at the end (default: lab.sh down, also on failure)
#   -o FILE         where to write the report (default bench/results.md)
#
# Needs root, the lab's prerequisites (see README.md), nc (netcat-openbsd), python3 and
# build/src/zkctl (built with meson/ninja if missing). Output of every command: bench/last-run.log.
set -euo pipefail
export LC_ALL=C

BENCH_NAME=deploy
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE=${ZKLAB_STATE:-/var/lib/zkctl-lab}
SEED_INV=$REPO/inventories/seed.toml
SEED=(node1 node2 node3 nn01)
EXTRA=()
for i in $(seq 1 28); do EXTRA+=("$(printf 'b%02d' "$i")"); done
ALL32=("${SEED[@]}" "${EXTRA[@]}")

RUNS=5
REPLACE_LAB=0
KEEP_LAB=0
OUT=$BENCH/results.md
LOG=$BENCH/last-run.log # (not lib.sh's name: the README links it)

while (($# > 0)); do
    case $1 in
        -n)
            [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage
            RUNS=$2
            shift 2
            ;;
        --replace-lab) REPLACE_LAB=1 && shift ;;
        --keep-lab) KEEP_LAB=1 && shift ;;
        -o)
            [[ -n ${2:-} ]] || usage
            OUT=$2
            shift 2
            ;;
        -h | --help) usage ;;
        *) usage ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "must run as root (the lab needs it)"
for tool in nc ssh scp /usr/bin/python3; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
[[ -z ${ZKCTL_HOME:-} ]] || say "ignoring ZKCTL_HOME=$ZKCTL_HOME: every run gets its own"

# --------------------------------------------------------------------------- zkctl binary

: >"$LOG"
ZKCTL_SRC=$REPO/build/src/zkctl
if [[ ! -e $ZKCTL_SRC ]]; then
    say "building zkctl (build/src/zkctl is missing)"
    for attempt in 1 2 3 4 5; do
        if (cd "$REPO" && { [[ -d build ]] || meson setup build; } && ninja -C build) >>"$LOG" 2>&1; then
            break
        fi
        ((attempt < 5)) || die "the build fails; see $LOG"
        say "build failed (attempt $attempt); retrying in 60 s"
        sleep 60
    done
fi
# A copy, so a rebuild during the run cannot change (or break) the binary being measured.
WORK=$(mktemp -d /var/tmp/zkctl-bench.XXXXXX) # not /tmp: lab hosts have a private /tmp
ZKCTL=$WORK/zkctl
for attempt in $(seq 1 60); do
    if "$ZKCTL_SRC" --version >/dev/null 2>&1 && cp -p "$ZKCTL_SRC" "$ZKCTL" && "$ZKCTL" --version >/dev/null 2>&1; then
        break
    fi
    ((attempt < 60)) || die "$ZKCTL_SRC does not run (being rebuilt?)"
    sleep 5
done

# What is measured: the copy's build time and the tree it was (probably) built from.
built=$(date -u -r "$ZKCTL" '+%Y-%m-%d %H:%M UTC')
commit=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)

# ------------------------------------------------------------------------- lab lifecycle

STANDIN_PID=
cleanup() {
    local rc=$?
    if [[ -n $STANDIN_PID ]]; then
        kill "$STANDIN_PID" 2>/dev/null || true
        wait "$STANDIN_PID" 2>/dev/null || true
    fi
    if ((KEEP_LAB == 0)); then
        say "tearing the lab down"
        "$LAB" down >>"$LOG" 2>&1 || say "lab.sh down failed; see $LOG"
    fi
    rm -rf "$WORK"
    if ((rc != 0)); then
        say "failed (exit $rc); the last lines of $LOG:"
        tail -n 20 "$LOG" >&2
    fi
    exit $rc
}
if [[ -s $STATE/hosts.list ]] && ((REPLACE_LAB == 0)); then
    rm -rf "$WORK"
    die "a lab is running ($(awk '{print $1}' "$STATE/hosts.list" | tr '\n' ' ')); it may be in use by tests: stop it (tests/lab/lab.sh down) or pass --replace-lab"
fi
trap cleanup EXIT
trap 'exit 130' INT TERM

DIST=$("$REPO/tests/fixtures/zookeeper-dist.sh" 2>>"$LOG" | tail -n 1)
[[ -s $DIST ]] || die "no ZooKeeper distribution (tests/fixtures/zookeeper-dist.sh)"

say "starting the lab: ${SEED[*]}"
"$LAB" up --fresh "${SEED[@]}" >>"$LOG" 2>&1

# ------------------------------------------------------------------------------ measuring

manual_deploy() { "$BENCH/manual-deploy.sh" "$DIST"; }
# zkctl_deploy OUTFILE: zkctl deploy of the seed inventory, stdout (the summary) to OUTFILE.
zkctl_deploy() { "$ZKCTL" deploy "$SEED_INV" >"$1"; }
# The manual status loop of the seed, as typed at a shell prompt.
stat_loop() {
    local h
    for h in "$@"; do echo stat | nc -N -w 2 "$h" 2181; done
}
# The manual "run a command everywhere" loop.
ssh_loop() {
    local h
    for h in "$@"; do
        ssh -i "$STATE/id_ed25519" -o "UserKnownHostsFile=$STATE/known_hosts" -o BatchMode=yes \
            "root@$h" true
    done
}

# -------------------------------------------------------------------- (a) and (b): deploy

RERUN_ZERO=0
RERUN_SUMMARIES=()
for run in $(seq 1 "$RUNS"); do
    say "deploy, run $run/$RUNS: manual"
    reset_hosts "${SEED[@]}"
    timed manual_deploy manual_deploy
    timed manual_rerun manual_deploy
    say "deploy, run $run/$RUNS: zkctl"
    reset_hosts "${SEED[@]}"
    export ZKCTL_HOME=$WORK/home.$run
    timed zkctl_deploy zkctl_deploy "$WORK/deploy.$run.out"
    cat "$WORK/deploy.$run.out" >>"$LOG"
    timed zkctl_rerun zkctl_deploy "$WORK/rerun.$run.out"
    cat "$WORK/rerun.$run.out" >>"$LOG"
    summary=$(grep -m1 '^deployed ' "$WORK/rerun.$run.out" || true)
    RERUN_SUMMARIES+=("$summary")
    [[ $summary == *"uploaded to 0,"* ]] && RERUN_ZERO=$((RERUN_ZERO + 1))
done
# The hosts now run the ensemble zkctl deployed last, recorded in this ZKCTL_HOME.

# --------------------------------------------------------------------- (c) status, 4 hosts

say "status, 4 hosts"
"$ZKCTL" status >>"$LOG" 2>&1 || die "zkctl status: no quorum after deploy; see $LOG"
# srvr_answer HOST: the host's answer to srvr (empty if none).
srvr_answer() { echo srvr | nc -N -w 2 "$1" 2181 2>/dev/null || true; }
for h in "${SEED[@]}"; do
    [[ $(srvr_answer "$h") == *"Mode: "* ]] || die "$h does not answer srvr"
done
stat_loop "${SEED[@]}" >>"$LOG" 2>&1 # warm-up
"$ZKCTL" status >>"$LOG" 2>&1         # warm-up
for run in $(seq 1 "$RUNS"); do
    timed zkctl_status4 "$ZKCTL" status
    timed manual_status4 stat_loop "${SEED[@]}"
done

# nn01's real answers, for the stand-ins.
ANS=$WORK/answers
mkdir -p "$ANS"
for word in srvr mntr stat; do
    echo "$word" | nc -N -w 2 nn01 2181 >"$ANS/$word"
done
grep -q '^Mode: observer' "$ANS/srvr" || die "nn01 is not an observer: $(cat "$ANS/srvr")"

# ------------------------------------------------------------ 28 more hosts with stand-ins

say "adding ${#EXTRA[@]} hosts (${EXTRA[0]}..${EXTRA[-1]}) with stand-in ZooKeeper ports"
"$LAB" up "${ALL32[@]}" >>"$LOG" 2>&1
LISTEN=()
for h in "${EXTRA[@]}"; do LISTEN+=("zklab-$h:2181"); done
/usr/bin/python3 "$BENCH/fake-4lw.py" --ready "$WORK/standin.ready" "${LISTEN[@]}" -- \
    "srvr=$ANS/srvr" "mntr=$ANS/mntr" "stat=$ANS/stat" </dev/null >>"$LOG" 2>&1 &
STANDIN_PID=$!
for try in $(seq 1 100); do
    [[ -s $WORK/standin.ready ]] && break
    kill -0 "$STANDIN_PID" 2>/dev/null || die "the stand-in process exited; see $LOG"
    ((try < 100)) || die "the stand-in process did not get ready"
    sleep 0.1
done
for h in "${EXTRA[@]}"; do
    for try in $(seq 1 100); do
        [[ $(srvr_answer "$h") == *"Mode: observer"* ]] && break
        ((try < 100)) || die "stand-in on $h does not answer"
        sleep 0.1
    done
done

INV32=$WORK/bench32.toml
{
    cat <<EOF
# Generated by bench/run.sh: the seed ensemble plus 28 observers on stand-in hosts.
[cluster]
name = "bench32"

[ssh]
user = "root"
identity_file = "$STATE/id_ed25519"
known_hosts = "$STATE/known_hosts"

[security]
# seed.toml's open layout: this measures status at 32 hosts, not TLS.
tls = false
authentication = "none"
authorization = false

[zookeeper]
distribution = "$DIST"
install_dir = "/opt/zookeeper"
data_dir = "/var/lib/zookeeper"
heap_mb = 256
EOF
    id=0
    for h in "${ALL32[@]}"; do
        id=$((id + 1))
        printf '\n[[zookeeper.servers]]\nhost = "%s"\nid = %d\n' "$h" "$id"
        [[ $h == node[123] ]] || printf 'role = "observer"\n'
    done
} >"$INV32"
export ZKCTL_HOME=$WORK/home.32

# -------------------------------------------------------------------- (c) status, 32 hosts

say "status, 32 hosts"
"$ZKCTL" status -i "$INV32" >>"$LOG" 2>&1 || die "zkctl status at 32 hosts failed; see $LOG"
stat_loop "${ALL32[@]}" >>"$LOG" 2>&1 # warm-up
for run in $(seq 1 "$RUNS"); do
    timed zkctl_status32 "$ZKCTL" status -i "$INV32"
    timed manual_status32 stat_loop "${ALL32[@]}"
done

# ---------------------------------------------------------------------- (d) exec, 32 hosts

say "exec, 32 hosts"
"$ZKCTL" exec -i "$INV32" -- true >>"$LOG" 2>&1 || die "zkctl exec at 32 hosts failed; see $LOG"
ssh_loop "${ALL32[@]}" >>"$LOG" 2>&1 || die "the ssh loop failed; see $LOG"
for run in $(seq 1 "$RUNS"); do
    timed zkctl_exec32 "$ZKCTL" exec -i "$INV32" -- true
    timed manual_exec32 ssh_loop "${ALL32[@]}"
done

# -------------------------------------------------------------------------------- report

m() { median "${S[$1]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
secs() { awk -v a="$1" 'BEGIN { printf "%.3f s", a }'; }
verdict() { # verdict VALUE OP LIMIT -> pass|miss
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= l) : (v < l); print ok ? "pass" : "miss" }'
}

zd=$(m zkctl_deploy) md=$(m manual_deploy)
zr=$(m zkctl_rerun) mr=$(m manual_rerun)
zs4=$(m zkctl_status4) ms4=$(m manual_status4)
zs32=$(m zkctl_status32) ms32=$(m manual_status32)
ze32=$(m zkctl_exec32) me32=$(m manual_exec32)

r_deploy=$(ratio "$zd" "$md")
r_rerun=$(ratio "$zr" "$mr")
r_s4=$(ratio "$zs4" "$ms4")
r_s32m=$(ratio "$zs32" "$ms32")
r_s32=$(ratio "$zs32" "$zs4")
r_exec=$(ratio "$ze32" "$me32")

v_deploy=$(verdict "$r_deploy" "<=" 0.5)
v_rerun=$(verdict "$zr" "<" 1)
((RERUN_ZERO == RUNS)) || v_rerun=miss
v_s4=$(verdict "$r_s4" "<=" 0.3)
v_s32=$(verdict "$r_s32" "<=" 1.5)

copy_tool=scp
command -v rsync >/dev/null && copy_tool=rsync
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)

table=$(
    cat <<EOF
| case | zkctl (median) | manual way (median) | ratio | target | result |
|---|---|---|---|---|---|
| (a) deploy 3+1 from nothing | \`zkctl deploy\` $(secs "$zd") | manual-deploy.sh $(secs "$md") | ${r_deploy}x | <= 0.5x manual | $v_deploy |
| (b) deploy re-run, no change | $(secs "$zr"); "uploaded to 0" in $RERUN_ZERO/$RUNS runs | manual-deploy.sh again $(secs "$mr") | ${r_rerun}x | zkctl < 1 s, nothing uploaded | $v_rerun |
| (c) status, 4 hosts | \`zkctl status\` $(secs "$zs4") | stat nc loop $(secs "$ms4") | ${r_s4}x | <= 0.3x manual loop | $v_s4 |
| (c) status, 32 hosts vs manual | $(secs "$zs32") | stat nc loop $(secs "$ms32") | ${r_s32m}x | - | - |
| (c) status, 32 hosts vs 4 hosts | $(secs "$zs32") at 32 | $(secs "$zs4") at 4 (zkctl) | ${r_s32}x | <= 1.5x | $v_s32 |
| (d) exec \`true\`, 32 hosts | \`zkctl exec\` $(secs "$ze32") | sequential ssh loop $(secs "$me32") | ${r_exec}x | - | - |
EOF
)

series_line() { printf '| %s | %s |\n' "$1" "$(printf '%s\n' ${S[$1]} | awk '{ printf "%s%.3f", (NR > 1 ? ", " : ""), $1 }')"; }
{
    echo "# zkctl vs the manual way"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh -n $RUNS\` on $(nproc) CPUs ($cpu), ${mem_gib} GiB memory, Linux $(uname -r); zkctl $("$ZKCTL" --version 2>/dev/null | awk '{ print $NF }') (build/src/zkctl of $built, tree at $commit); $(ssh -V 2>&1 | cut -d, -f1); manual copies with $copy_tool."
    echo
    echo "Wall time, median of $RUNS runs; ratio = zkctl / the other column."
    echo
    echo "$table"
    echo
    echo "## Every run (seconds)"
    echo
    echo "| series | runs |"
    echo "|---|---|"
    for series in zkctl_deploy manual_deploy zkctl_rerun manual_rerun zkctl_status4 manual_status4 \
        zkctl_status32 manual_status32 zkctl_exec32 manual_exec32; do
        series_line "$series"
    done
    echo
    echo "zkctl re-run summaries: $(printf '%s\n' "${RERUN_SUMMARIES[@]}" | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1x "/; s/$/"/' | paste -sd ';' -)"
    echo
    cat <<'EOF'
## How it was measured

- Simulated hosts from `tests/lab/lab.sh` (network, mount, UTS and PID namespaces, sshd as
  PID 1); zkctl and the manual way run against the same hosts, interleaved run by run.
- (a) Before each deploy the 4 hosts are reset (every process but sshd killed; /opt,
  /var/lib/zookeeper, /var/log, /tmp emptied), and each zkctl run gets a fresh `ZKCTL_HOME`.
  `bench/manual-deploy.sh` works host after host with one ssh/scp per step (mkdir, copy the
  tarball, untar, zoo.cfg, zookeeper-env.sh, myid, `zkServer.sh start`), then polls
  `echo srvr | nc` until every node shows a Mode; `zkctl deploy` also returns only once every
  server serves in its role.
- (b) The same command again at once, nothing changed.
- (c) `zkctl status` asks `srvr` of every server (what its table shows; `--json` adds `mntr`),
  all at once from one poll loop; the manual loop is the seed's:
  `echo stat | nc -N -w 2 HOST 2181`, one host after another. At 32 hosts, 28 are stand-ins
  (`bench/fake-4lw.py`, one process serving a socket in each of the 28 hosts' network
  namespaces) answering with the real observer nn01's captured answers, not ZooKeeper JVMs.
- (d) `zkctl exec -- true` (default `--parallel 16`) vs `ssh host true` one host after another
  with OpenSSH's default settings (no connection sharing).
- Status and exec: one untimed warm-up of each side first. Times include process start-up.
EOF
} >"$OUT"

echo
echo "$table"
echo
say "report written to $OUT (command output in $LOG)"
