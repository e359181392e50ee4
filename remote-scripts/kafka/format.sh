#!/bin/sh
# Format a KRaft node's storage with cluster id ID as USER (the environment of ENV
# applied by USER's shell: root never sources it), unless META exists; prints
# `formatted` or `formatted-already`. ID goes as --cluster-id=ID: a ZooKeeper-mode cluster's
# id may begin with '-', which as an argument of its own reads as an option. QUORUM_ARGS (a
# dynamic KRaft quorum, #15): passed on to kafka-storage.sh format as they are
# (--initial-controllers LIST, --no-initial-controllers).
# Usage: format.sh INSTALL PROPS ID META ENV USER [QUORUM_ARGS...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 props=$2 id=$3 meta=$4 env=$5 user=$6
shift 6
if as_user "$user" test -f "$meta"; then echo formatted-already; exit 0; fi
env_as_user "$user" "$env" env KAFKA_HEAP_OPTS="-Xmx256m" \
  "$install/current/bin/kafka-storage.sh" format --cluster-id="$id" -c "$props" "$@" 2>&1 || exit 1
echo formatted
