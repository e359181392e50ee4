#!/bin/sh
# Remove the stale cluster lock LOCK if it still carries TOKEN (the one judged stale) or
# has no info: renamed away whole first, then removed; always exits 0.
# Usage: lock-steal.sh LOCK TOKEN
lock=$1 token=$2
gone=$lock.stolen-$$
if { grep -qxF "token=$token" "$lock/info" 2>/dev/null || [ ! -s "$lock/info" ]; } &&
  mv -T -- "$lock" "$gone" 2>/dev/null; then
  rm -rf -- "$gone"
fi
exit 0
