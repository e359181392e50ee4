#!/bin/sh
# Write CONTENT to FILE as USER with octal MODE, whole or absent: a temp file made by
# mktemp beside FILE (a fresh name, created exclusively), then renamed over FILE with
# mv -T. For files in a dir USER owns (myid, the cluster mark): USER could plant a link at
# any name there, and as USER that link gains USER nothing (root would follow it).
# Usage: write-as.sh USER FILE MODE CONTENT
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 f=$2 mode=$3 content=$4
# The inner script is one line (the embedder drops comment lines, not code).
# shellcheck disable=SC2016
as_user "$user" sh -c 't=$(mktemp -- "$(dirname -- "$0")/.$(basename -- "$0").zkctl-tmp-XXXXXX") || exit 1; if printf "%s" "$2" >"$t" && chmod -- "$1" "$t" && mv -f -T -- "$t" "$0"; then exit 0; fi; rm -f -- "$t"; exit 1' "$f" "$mode" "$content"
