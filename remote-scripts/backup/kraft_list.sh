#!/bin/sh
# List a KRaft node's metadata snapshots, read as the service user: `checkpoint NAME SIZE`
# for each <offset>-<epoch>.checkpoint in LOGDIR/__cluster_metadata-0 (Kafka writes them
# to a .part file and renames: a listed one is whole), and `cluster.id ID` from
# LOGDIR/meta.properties. Nothing for a dir that does not exist.
# Usage: kraft_list.sh USER LOGDIR
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 logdir=$2
# shellcheck disable=SC2016
as_user "$user" sh -c 'cd -- "$0" 2>/dev/null || exit 0; if [ -f meta.properties ]; then sed -n "s/^cluster\.id=\([A-Za-z0-9_-]*\)$/cluster.id \1/p" meta.properties; fi; cd -- __cluster_metadata-0 2>/dev/null || exit 0; for f in *.checkpoint; do [ -f "$f" ] && [ ! -L "$f" ] || continue; printf "checkpoint %s %s\n" "$f" "$(wc -c <"$f" | tr -d " ")"; done; exit 0' "$logdir"
