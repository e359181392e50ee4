#!/bin/sh
# Take the cluster lock LOCK (a dir; INFO written into LOCK/info whole): prints `taken`,
# or `held`, the holder's info lines and `stale=yes|no` (its expiry, in epoch seconds,
# missing or before NOW). Deciding to steal is the caller's (ops::ClusterLock).
# Usage: lock-take.sh LOCK TOKEN INFO HERE NOW
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
lock=$1 info=$3 now=$5
if mkdir -- "$lock" 2>/dev/null && printf '%s\n' "$info" | atomic_write "$lock/info"; then
  echo taken
  exit 0
fi
cur=$(cat -- "$lock/info" 2>/dev/null)
expires=$(printf '%s\n' "$cur" | sed -n 's/^expires=//p')
stale=no
case $expires in ('' | *[!0-9]*) stale=yes ;; (*) [ "$expires" -lt "$now" ] && stale=yes ;; esac
printf 'held\n%s\n' "$cur"
printf 'stale=%s\n' "$stale"
