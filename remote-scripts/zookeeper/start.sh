#!/bin/sh
# Start ZooKeeper with the distribution's zkServer.sh as USER (ZOOCFGDIR=CONF, from
# INSTALL) unless the pid file names a running server; print `pid=PID` of the server.
# A stale pid file is removed first; the pid file is read as USER, who owns its dir.
# Fails if no server runs 5 s after the start.
# Usage: start.sh INSTALL CONF PIDFILE USER
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 conf=$2 pidf=$3 user=$4
if await_pid 1 running_pid "$pidf" org.apache.zookeeper "$user"; then exit 0; fi
rm -f -- "$pidf"
cd -- "$install" || exit 1
export ZOOCFGDIR="$conf"
as_user "$user" "$install/current/bin/zkServer.sh" start 2>&1 || exit 1
if await_pid 50 running_pid "$pidf" org.apache.zookeeper "$user"; then exit 0; fi
echo "no running ZooKeeper after start; see the .out file in the log dir" >&2
exit 1
