#!/bin/sh
# The last LINES lines of the newest file in DIR matching the glob PATTERN, after a
# `==> FILE <==` line; fails with a message if none matches. DIR is the service's log dir:
# it is listed and read as USER (as_user; empty or root: as is), so a link USER planted
# there never shows root's files.
# Usage: tail-log.sh DIR LINES PATTERN [USER]
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
dir=$1 lines=$2 pattern=$3 user=${4:-}
# PATTERN is a glob on purpose ($2 unquoted); ls -t orders by age (the services' own logs).
# shellcheck disable=SC2016
as_user "$user" sh -c 'f=$(ls -t -- "$0"/$2 2>/dev/null | head -n 1); if [ -z "$f" ]; then echo "no log matching $2 in $0" >&2; exit 1; fi; printf "==> %s <==\n" "$f"; exec tail -n "$1" -- "$f"' "$dir" "$lines" "$pattern"
