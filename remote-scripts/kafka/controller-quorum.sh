#!/bin/sh
# The KRaft controller quorum's status as kafka-metadata-quorum.sh prints it (stderr joined),
# asked of the controllers themselves (CONTROLLERS: host:port,... of their CONTROLLER
# listeners): during a migration to KRaft the brokers still run in ZooKeeper mode and cannot
# answer for the quorum.
# Usage: controller-quorum.sh INSTALL CONTROLLERS
set -u
install=$1 controllers=$2
KAFKA_HEAP_OPTS="-Xmx128m" "$install/current/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$controllers" describe --status 2>&1
