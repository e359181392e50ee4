#!/bin/sh
# Extend the cluster lock LOCK to this host's clock plus TTL seconds if it carries TOKEN
# (ours): its info is rewritten beside it and renamed over the old. Prints `renewed`, or
# `lost` when LOCK is gone or another's.
# Usage: lock-renew.sh LOCK TOKEN TTL
set -u
lock=$1 token=$2 ttl=$3
case $ttl in ('' | *[!0-9]*) echo "bad lock ttl $ttl" >&2; exit 2 ;; esac
if grep -qxF "token=$token" "$lock/info" 2>/dev/null &&
  { grep -v '^expires=' "$lock/info"; echo "expires=$(($(date +%s) + ttl))"; } >"$lock/.info.new" &&
  mv -f -- "$lock/.info.new" "$lock/info"; then
  echo renewed
else
  rm -f -- "$lock/.info.new"
  echo lost
fi
