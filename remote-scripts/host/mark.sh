#!/bin/sh
# Mark each DIR as cluster CLUSTER's: DIR/.zkctl-cluster holds the name (destroy removes
# only dirs that carry it). A missing DIR is skipped; a mark that is a link or names
# another cluster is replaced, never written through.
# Usage: mark.sh CLUSTER DIR...
set -eu
cluster=$1
shift
for dir in "$@"; do
  [ -d "$dir" ] || continue
  mark=$dir/.zkctl-cluster
  if [ -f "$mark" ] && [ ! -L "$mark" ] && [ "$(head -n 1 -- "$mark")" = "$cluster" ]; then
    continue
  fi
  rm -f -- "$mark"
  (set -C && printf '%s\n' "$cluster" >"$mark")
done
