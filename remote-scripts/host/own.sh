#!/bin/sh
# Give USER (and its group) the first NDIRS paths recursively (empty ones skipped) and
# the other paths themselves.
# Usage: own.sh USER NDIRS [DIR...] [FILE...]
set -eu
user=$1 ndirs=$2
shift 2
group=$(id -g -- "$user")
i=0
for p in "$@"; do
  if [ "$i" -lt "$ndirs" ]; then
    if [ -n "$p" ]; then chown -R -- "$user:$group" "$p"; fi
  else
    chown -- "$user:$group" "$p"
  fi
  i=$((i + 1))
done
