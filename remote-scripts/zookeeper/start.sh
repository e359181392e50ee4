#!/bin/sh
# Start ZooKeeper with the distribution's zkServer.sh as USER (ZOOCFGDIR=CONF, from
# INSTALL) unless the pid file names a running server; print `pid=PID` of the server.
# A stale pid file is removed first. Fails if no server runs 5 s after the start.
# Usage: start.sh INSTALL CONF PIDFILE USER
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 conf=$2 pidf=$3 user=$4
if pid=$(running_pid "$pidf" org.apache.zookeeper); then printf 'pid=%s\n' "$pid"; exit 0; fi
rm -f -- "$pidf"
cd -- "$install" || exit 1
export ZOOCFGDIR="$conf"
as_user "$user" "$install/current/bin/zkServer.sh" start 2>&1 || exit 1
i=0
while [ $i -lt 50 ]; do
  if pid=$(running_pid "$pidf" org.apache.zookeeper); then printf 'pid=%s\n' "$pid"; exit 0; fi
  i=$((i + 1))
  sleep 0.1
done
echo "no running ZooKeeper after start; see the .out file in the log dir" >&2
exit 1
