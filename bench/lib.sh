# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are the sourcing script's
# What the bench/ scripts share: the lab lock, usage from the script's own header, logging,
# a private copy of zkctl, the lab's tear-down, resetting hosts, timing and medians.
#
# A script sets BENCH_NAME (its log is bench/last-$BENCH_NAME-run.log), sources this file
# after `set -euo pipefail`, and calls `bench_lock "$0" "$@"` before anything else.
# Defines BENCH, REPO, LAB, HOSTS (the seed's four hosts) and LOG; bench_setup adds WORK
# (a private dir), ZKCTL (a copy of the binary), built and commit.

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LAB=$REPO/tests/lab/lab.sh
HOSTS=(node1 node2 node3 nn01)
LOG=$BENCH/last-${BENCH_NAME:?set BENCH_NAME before sourcing bench/lib.sh}-run.log

# bench_lock "$0" "$@": runs the script again under the lab lock the end-to-end tests take.
bench_lock() {
    if [[ ${ZKCTL_BENCH_LOCKED:-} != 1 ]]; then
        exec env ZKCTL_BENCH_LOCKED=1 flock -o /run/zkctl-lab.lock "$@"
    fi
}

# The script's header comment (line 2 to `set -euo`) as its usage; exit 2.
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

say() { echo "bench: $*" | tee -a "$LOG" >&2; }
die() {
    say "$*"
    exit 1
}

# bench_options "$@": -n N (RUNS), -o FILE (OUT) and, when the script set WINDOW, -w SECONDS.
bench_options() {
    while (($# > 0)); do
        case $1 in
            -n | -w)
                [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage
                [[ $1 == -n || -n ${WINDOW:-} ]] || usage
                if [[ $1 == -n ]]; then RUNS=$2; else WINDOW=$2; fi
                shift 2
                ;;
            -o)
                [[ -n ${2:-} ]] || usage
                OUT=$2
                shift 2
                ;;
            *) usage ;;
        esac
    done
}

# bench_setup [TOOL...]: root, the tools named, an empty log, WORK and a copy of zkctl (so a
# rebuild during the run cannot change the binary being measured); tears the lab down and
# removes WORK on exit.
bench_setup() {
    local tool src
    [[ $(id -u) -eq 0 ]] || die "must run as root (the lab needs it)"
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is missing"
    done
    : >"$LOG"
    src=${ZKCTL_BIN:-$REPO/build/src/zkctl}
    [[ -x $src ]] || die "no zkctl at $src (build it or set ZKCTL_BIN)"
    # not /tmp: lab hosts have a private /tmp
    WORK=$(mktemp -d "/var/tmp/zkctl-bench-$BENCH_NAME.XXXXXX")
    cp -p "$src" "$WORK/zkctl"
    ZKCTL=$WORK/zkctl
    "$ZKCTL" --version >/dev/null || die "$src does not run"
    built=$(date -u -r "$ZKCTL" '+%Y-%m-%d %H:%M UTC')
    commit=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
    export NO_COLOR=1
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    local rc=$?
    say "tearing the lab down"
    "$LAB" down >>"$LOG" 2>&1 || say "lab.sh down failed; see $LOG"
    rm -rf "$WORK"
    ((rc == 0)) || { say "failed (exit $rc); the last lines of $LOG:" && tail -n 20 "$LOG" >&2; }
    exit $rc
}

# Returns a host to its just-started state (tests/e2e/lab.py's reset()): SIGKILL every
# process but sshd (PID 1), empty /opt, /usr/local, /var/lib/zookeeper, /var/lib/kafka,
# /var/log, /tmp.
reset_host() {
    # shellcheck disable=SC2016 # the script runs on the host
    "$LAB" exec "$1" -- bash -c '
        victims() {
            local p n a
            for p in /proc/[0-9]*; do
                n=${p#/proc/}
                [[ $n == 1 || $n == $$ || $n == $BASHPID ]] && continue
                mapfile -d "" -t a <"$p/cmdline" 2>/dev/null || continue
                ((${#a[@]} > 0)) && printf "%s " "$n"
            done
            return 0
        }
        for i in {1..100}; do
            v=$(victims)
            [[ -z $v ]] && break
            kill -9 $v 2>/dev/null
            sleep 0.05
        done
        rm -rf /opt/* /opt/.[!.]* /var/lib/zookeeper/* /var/lib/zookeeper/.[!.]* \
            /var/lib/kafka/* /var/log/* /tmp/* /tmp/.[!.]* /usr/local/bin/* \
            /usr/local/etc/* /usr/local/lib/* /usr/local/share/*
    '
}
# reset_hosts HOST...: every host at once.
reset_hosts() {
    local h p pids=() rc=0
    for h in "$@"; do
        reset_host "$h" >>"$LOG" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    ((rc == 0)) || die "resetting the hosts failed; see $LOG"
}

declare -A S=() # series name -> "seconds seconds ..."
# timed SERIES CMD...: runs CMD (output to the log), appends its wall time to SERIES.
timed() {
    local series=$1 t0 t1 rc=0
    shift
    echo "--- [$series] $*" >>"$LOG"
    t0=$EPOCHREALTIME
    "$@" </dev/null >>"$LOG" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    ((rc == 0)) || die "$series: '$*' failed (exit $rc); see $LOG"
    S[$series]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') "
}
# median "V V ...": the median of the values, 3 decimals.
median() {
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
