#!/bin/sh
# `pid=PID` of the Kafka node started with PROPS, if it runs, else nothing.
# Usage: pid.sh PROPS
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
await_pid 1 find_pid " kafka.Kafka $1 " || exit 0
