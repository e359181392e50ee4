#!/bin/sh
# The KRaft controller quorum's status as kafka-metadata-quorum.sh prints it (stderr joined),
# asked of the controllers themselves (CONTROLLERS: host:port,... of their CONTROLLER
# listeners): during a migration to KRaft the brokers still run in ZooKeeper mode and cannot
# answer for the quorum.
# Usage: controller-quorum.sh INSTALL CONTROLLERS
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 controllers=$2
kafka_tool "$install" --bootstrap-controller "$controllers" "" kafka-metadata-quorum.sh describe --status
