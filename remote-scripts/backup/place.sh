#!/bin/sh
# Place the state in ARCHIVE (a zkctl backup: version-2/snapshot.* and version-2/log.*)
# as a ZooKeeper server's data: root opens ARCHIVE (in its own staging dir) and the
# service user unpacks it into SNAPDIR/version-2.zkctl-restore, moves the logs to
# LOGDIR/version-2.zkctl-restore when LOGDIR differs, writes currentEpoch and
# acceptedEpoch = EPOCH, then swaps each new dir for version-2 (the old one removed).
# SNAPDIR is created (owned by USER) if missing and myid written as ID if absent. The
# server must be stopped. Prints `placed`.
# Usage: place.sh USER ARCHIVE SNAPDIR LOGDIR EPOCH ID
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 archive=$2 snapdir=$3 logdir=$4 epoch=$5 id=$6
case $epoch$id in (*[!0-9]*) echo "bad epoch or id" >&2; exit 2 ;; esac
for d in "$snapdir" "$logdir"; do
  if [ ! -e "$d" ] && [ ! -L "$d" ]; then
    mkdir -p -- "$d"
    if [ -n "$user" ] && [ "$user" != root ]; then chown -h -- "$user:$(id -g -- "$user")" "$d"; fi
  fi
done
# The inner script is one line (the embedder drops comment lines, not code).
# shellcheck disable=SC2016
as_user "$user" sh -c 'set -eu; s=$0 l=$1 e=$2 i=$3; n=$s/version-2.zkctl-restore; m=$l/version-2.zkctl-restore; rm -rf -- "$n" "$m"; mkdir -- "$n"; tar -xf - -C "$n" --strip-components=1 --no-same-owner --no-same-permissions version-2; if [ "$l" != "$s" ]; then mkdir -- "$m"; for f in "$n"/log.*; do [ -e "$f" ] && mv -- "$f" "$m/"; done; fi; printf "%s\n" "$e" >"$n/currentEpoch"; printf "%s\n" "$e" >"$n/acceptedEpoch"; [ -e "$s/myid" ] || printf "%s\n" "$i" >"$s/myid"; for d in "$s" "$l"; do [ -d "$d/version-2.zkctl-restore" ] || continue; rm -rf -- "$d/version-2.zkctl-old"; if [ -e "$d/version-2" ]; then mv -T -- "$d/version-2" "$d/version-2.zkctl-old"; fi; mv -T -- "$d/version-2.zkctl-restore" "$d/version-2"; rm -rf -- "$d/version-2.zkctl-old"; done' "$snapdir" "$logdir" "$epoch" "$id" <"$archive"
echo placed
