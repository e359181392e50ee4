#!/bin/sh
# Stop the ZooKeeper server the pid file names: SIGTERM, SIGKILL after GRACE seconds,
# wait until it is gone; prints `stopped`, or `none` if no ZooKeeper runs there (a
# PID of another program is never signalled). The pid file is removed either way; it is
# read as USER, who owns its dir.
# Usage: stop.sh PIDFILE USER GRACE
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
pidf=$1 user=$2 grace=$3
if ! pid=$(running_pid "$pidf" org.apache.zookeeper "$user"); then rm -f -- "$pidf"; echo none; exit 0; fi
kill -TERM "$pid" 2>/dev/null || true
n=0
while alive "$pid" org.apache.zookeeper; do
  n=$((n + 1))
  if [ "$n" -eq $((grace * 10)) ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  sleep 0.1
done
rm -f -- "$pidf"
echo stopped
