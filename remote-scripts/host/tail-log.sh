#!/bin/sh
# The last LINES lines of the newest file in DIR matching the glob PATTERN, after a
# `==> FILE <==` line; fails with a message if none matches.
# Usage: tail-log.sh DIR LINES PATTERN
dir=$1 lines=$2 pattern=$3
# PATTERN is a glob on purpose; ls -t orders by age (the names are the services' own logs).
# shellcheck disable=SC2012,SC2086
f=$(ls -t -- "$dir"/$pattern 2>/dev/null | head -n 1)
if [ -z "$f" ]; then echo "no log matching $pattern in $dir" >&2; exit 1; fi
printf '==> %s <==\n' "$f"
tail -n "$lines" -- "$f"
