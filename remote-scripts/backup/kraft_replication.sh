#!/bin/sh
# The KRaft metadata log's replication table as kafka-metadata-quorum.sh prints it
# (NodeId, LogEndOffset, ..., Status per voter and observer; stderr joined), asked through
# BOOTSTRAP with COMMAND_CONFIG's client properties when given: the backup reads it to
# choose the controller to copy a snapshot from.
# Usage: kraft_replication.sh INSTALL BOOTSTRAP [COMMAND_CONFIG]
install=$1 bootstrap=$2 config=${3:-}
if [ -n "$config" ]; then set -- --command-config "$config"; else set --; fi
KAFKA_HEAP_OPTS="-Xmx128m" "$install/current/bin/kafka-metadata-quorum.sh" --bootstrap-server "$bootstrap" "$@" describe --replication 2>&1
