#!/bin/sh
# `pid=PID` of the Kafka node started with PROPS, if it runs, else nothing.
# Usage: pid.sh PROPS
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
if pid=$(find_pid " kafka.Kafka $1 "); then printf 'pid=%s\n' "$pid"; fi
exit 0
