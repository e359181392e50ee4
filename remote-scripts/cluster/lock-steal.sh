#!/bin/sh
# Remove the stale cluster lock LOCK if it still carries TOKEN (the one judged stale) or
# has no info; always exits 0.
# Usage: lock-steal.sh LOCK TOKEN
lock=$1 token=$2
if grep -qx "token=$token" "$lock/info" 2>/dev/null || [ ! -s "$lock/info" ]; then rm -rf -- "$lock"; fi
exit 0
