#!/bin/sh
# The KRaft controller quorum's status as kafka-metadata-quorum.sh prints it (stderr
# joined), asked through BOOTSTRAP (host:port,...), with COMMAND_CONFIG's client properties
# (zkctl's admin identity on a secure cluster) when given.
# Usage: quorum.sh INSTALL BOOTSTRAP [COMMAND_CONFIG]
install=$1 bootstrap=$2 config=${3:-}
if [ -n "$config" ]; then
    set -- --command-config "$config"
else
    set --
fi
KAFKA_HEAP_OPTS="-Xmx128m" "$install/current/bin/kafka-metadata-quorum.sh" --bootstrap-server "$bootstrap" "$@" describe --status 2>&1
