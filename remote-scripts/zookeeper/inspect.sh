#!/bin/sh
# Facts about one ZooKeeper server's host, one `key=value` line each (ops::parse_facts):
# the common host facts, dirs that cannot be created, the installed release, myid, data
# history and epoch, the cluster mark, the running server's PID (pid file, else the
# systemd unit) and user, listeners on its ports, the checksum of each FILE present.
# Always exits 0: a fact that cannot be read is left out.
# Usage: inspect.sh INSTALL DATA DATALOG PIDFILE MYID RELEASE PORTS JRELEASE UNIT USER [FILE...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 data=$2 datalog=$3 pidf=$4 myidf=$5 release=$6 ports=$7 jrelease=$8 unit=$9 user=${10}
shift 10
host_facts "$jrelease" "$user"
for d in "$install" "$data" "$datalog"; do unwritable "$d"; done
first_line release "$release"
if [ -f "$myidf" ]; then printf 'myid=%s\n' "$(head -c 64 -- "$myidf" | tr -d '\r\n ')"; fi
if [ -d "$data/version-2" ]; then echo history=1; fi
if [ -f "$data/version-2/currentEpoch" ]; then
  printf 'epoch=%s\n' "$(head -c 32 -- "$data/version-2/currentEpoch" | tr -cd '0-9')"
fi
if [ -f "$data/.zkctl-cluster" ]; then
  printf 'mark=%s\n' "$(head -n 1 -- "$data/.zkctl-cluster" | head -c 128 | tr -d '\r')"
fi
if pid=$(running_pid "$pidf" org.apache.zookeeper) || pid=$(unit_pid "$unit" org.apache.zookeeper); then
  process_facts "$pid"
fi
listeners "$ports"
checksums "$@"
exit 0
