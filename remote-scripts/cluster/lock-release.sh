#!/bin/sh
# Release the cluster lock LOCK only if it carries TOKEN (ours); always exits 0.
# Usage: lock-release.sh LOCK TOKEN
lock=$1 token=$2
if grep -qx "token=$token" "$lock/info" 2>/dev/null; then rm -rf -- "$lock"; fi
exit 0
