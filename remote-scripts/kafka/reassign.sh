#!/bin/sh
# Partition reassignment with the distribution's own tools, asked through BOOTSTRAP
# (host:port,...) with COMMAND_CONFIG's client properties (zkctl's admin identity; "" on an
# open cluster). ACTION and its argument:
#   execute FILE THROTTLE     kafka-reassign-partitions.sh --execute of FILE (Kafka's JSON),
#                             replication throttled at THROTTLE bytes/s (refused by the tool
#                             while another reassignment is under way)
#   additional FILE THROTTLE  the same with --additional: FILE resubmitted over the one under
#                             way (same targets: continues it; a new throttle applies)
#   verify FILE               --verify: per partition completed or still in progress; once all
#                             are completed the tool removes the throttles
#   sizes BROKERS             kafka-log-dirs.sh --describe of BROKERS (id,id,...): its JSON line
#   elect FILE                kafka-leader-election.sh: preferred leaders of FILE's partitions
# Prints the tool's output (stderr joined); exits with its status.
# Usage: reassign.sh INSTALL BOOTSTRAP COMMAND_CONFIG ACTION ARG [THROTTLE]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 bootstrap=$2 config=$3 action=$4 arg=$5 throttle=${6:-}

# TOOL [ARG...] asked through BOOTSTRAP with COMMAND_CONFIG (kafka_tool).
tool() {
    kafka_tool "$install" --bootstrap-server "$bootstrap" "$config" "$@"
}

case $action in
execute)
    tool kafka-reassign-partitions.sh --reassignment-json-file "$arg" --execute \
        --throttle "$throttle"
    ;;
additional)
    tool kafka-reassign-partitions.sh --reassignment-json-file "$arg" --execute --additional \
        --throttle "$throttle"
    ;;
verify)
    tool kafka-reassign-partitions.sh --reassignment-json-file "$arg" --verify
    ;;
sizes)
    tool kafka-log-dirs.sh --describe --broker-list "$arg"
    ;;
elect)
    tool kafka-leader-election.sh --election-type PREFERRED --path-to-json-file "$arg"
    ;;
*)
    echo "reassign.sh: unknown action '$action'" >&2
    exit 2
    ;;
esac
