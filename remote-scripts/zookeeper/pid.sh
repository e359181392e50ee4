#!/bin/sh
# `pid=PID` if the pid file names a running ZooKeeper server, else nothing.
# Usage: pid.sh PIDFILE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
if pid=$(running_pid "$1" org.apache.zookeeper); then printf 'pid=%s\n' "$pid"; fi
exit 0
