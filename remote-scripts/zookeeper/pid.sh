#!/bin/sh
# `pid=PID` if the pid file (read as USER, who owns its dir) names a running ZooKeeper
# server, else nothing.
# Usage: pid.sh PIDFILE USER
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
await_pid 1 running_pid "$1" org.apache.zookeeper "$2" || exit 0
