#!/bin/sh
# Start a Kafka node with kafka-server-start.sh -daemon PROPS as USER (the environment
# of ENV applied by USER's shell, root never sources it; from INSTALL) unless it runs
# already; print `pid=PID` of the kafka.Kafka JVM. Fails if none runs 10 s after the start.
# Usage: start.sh INSTALL PROPS ENV USER
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 props=$2 env=$3 user=$4
if await_pid 1 find_pid " kafka.Kafka $props "; then exit 0; fi
cd -- "$install" || exit 1
env_as_user "$user" "$env" "$install/current/bin/kafka-server-start.sh" -daemon "$props" 2>&1 ||
  exit 1
if await_pid 100 find_pid " kafka.Kafka $props "; then exit 0; fi
echo "no running Kafka after start; see kafkaServer.out in the log dir" >&2
exit 1
