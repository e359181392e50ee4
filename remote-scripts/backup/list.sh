#!/bin/sh
# List a ZooKeeper server's state files, read as the service user (a link it planted
# gains it nothing): `snapshot NAME SIZE VALID` for each snapshot.<zxid> in
# SNAPDIR/version-2 (VALID 1 when the file ends with ZooKeeper's seal, 00 00 00 01 '/':
# written whole), `log NAME SIZE` for each log.<zxid> in LOGDIR/version-2, and
# `epoch current=N` / `epoch accepted=N` from SNAPDIR/version-2. Nothing for a dir that
# does not exist.
# Usage: list.sh USER SNAPDIR LOGDIR
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 snapdir=$2 logdir=$3
# shellcheck disable=SC2016
as_user "$user" sh -c 'cd -- "$0/version-2" 2>/dev/null || exit 0; for f in snapshot.*; do [ -f "$f" ] && [ ! -L "$f" ] || continue; v=0; [ "$(tail -c 5 -- "$f" | od -An -tx1 | tr -d " \n")" = 000000012f ] && v=1; printf "snapshot %s %s %s\n" "$f" "$(wc -c <"$f" | tr -d " ")" "$v"; done; for e in currentEpoch acceptedEpoch; do [ -f "$e" ] && printf "epoch %s=%s\n" "$e" "$(head -c 32 -- "$e" | tr -dc 0-9)"; done; exit 0' "$snapdir"
# shellcheck disable=SC2016
as_user "$user" sh -c 'cd -- "$0/version-2" 2>/dev/null || exit 0; for f in log.*; do [ -f "$f" ] && [ ! -L "$f" ] || continue; printf "log %s %s\n" "$f" "$(wc -c <"$f" | tr -d " ")"; done; exit 0' "$logdir"
