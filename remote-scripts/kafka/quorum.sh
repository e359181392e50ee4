#!/bin/sh
# The KRaft controller quorum's status as kafka-metadata-quorum.sh prints it (stderr
# joined), asked through BOOTSTRAP (host:port,...), with COMMAND_CONFIG's client properties
# (zkctl's admin identity on a secure cluster) when given.
# Usage: quorum.sh INSTALL BOOTSTRAP [COMMAND_CONFIG]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 bootstrap=$2 config=${3:-}
kafka_tool "$install" --bootstrap-server "$bootstrap" "$config" kafka-metadata-quorum.sh describe --status
