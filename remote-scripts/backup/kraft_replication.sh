#!/bin/sh
# The KRaft metadata log's replication table as kafka-metadata-quorum.sh prints it
# (NodeId, LogEndOffset, ..., Status per voter and observer; stderr joined), asked through
# BOOTSTRAP with COMMAND_CONFIG's client properties when given: the backup reads it to
# choose the controller to copy a snapshot from.
# Usage: kraft_replication.sh INSTALL BOOTSTRAP [COMMAND_CONFIG]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 bootstrap=$2 config=${3:-}
kafka_tool "$install" --bootstrap-server "$bootstrap" "$config" kafka-metadata-quorum.sh describe --replication
