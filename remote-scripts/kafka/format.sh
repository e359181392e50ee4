#!/bin/sh
# Format a KRaft node's storage with cluster id ID as USER (the environment of ENV
# applied), unless META exists; prints `formatted` or `formatted-already`.
# Usage: format.sh INSTALL PROPS ID META ENV USER
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 props=$2 id=$3 meta=$4 env=$5 user=$6
if [ -f "$meta" ]; then echo formatted-already; exit 0; fi
set -a
# shellcheck source=/dev/null
. "$env"
set +a
KAFKA_HEAP_OPTS="-Xmx256m" as_user "$user" "$install/current/bin/kafka-storage.sh" format -t "$id" -c "$props" 2>&1 || exit 1
echo formatted
