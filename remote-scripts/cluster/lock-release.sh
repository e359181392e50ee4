#!/bin/sh
# Release the cluster lock LOCK only if it carries TOKEN (ours): renamed away whole first
# (so LOCK never lingers empty), then removed; always exits 0.
# Usage: lock-release.sh LOCK TOKEN
lock=$1 token=$2
if grep -qxF "token=$token" "$lock/info" 2>/dev/null &&
  mv -T -- "$lock" "$lock.released-$token" 2>/dev/null; then
  rm -rf -- "$lock.released-$token"
fi
exit 0
