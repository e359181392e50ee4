#!/bin/sh
# The KRaft controller quorum's status as kafka-metadata-quorum.sh prints it (stderr
# joined), asked through BOOTSTRAP (host:port,...).
# Usage: quorum.sh INSTALL BOOTSTRAP
install=$1 bootstrap=$2
KAFKA_HEAP_OPTS="-Xmx128m" "$install/current/bin/kafka-metadata-quorum.sh" --bootstrap-server "$bootstrap" describe --status 2>&1
