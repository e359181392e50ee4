#!/bin/sh
# Facts about one ZooKeeper server's host, one `key=value` line each (ops::parse_facts):
# the common host facts, dirs that cannot be created, the installed release and its version
# (from its lib/zookeeper-X.Y.Z.jar, in the root-owned install dir), myid, data history and
# epoch, the cluster mark, the running server's PID (pid file, else the systemd unit) and
# user, listeners on its ports, the checksum of each FILE present.
# Always exits 0: a fact that cannot be read is left out. What lies in the data dir (owned
# by USER) and the FILEs are read as USER (user_reads), so root follows no link USER planted.
# Usage: inspect.sh INSTALL DATA DATALOG PIDFILE MYID RELEASE PORTS JRELEASE UNIT USER [FILE...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 data=$2 datalog=$3 pidf=$4 myidf=$5 release=$6 ports=$7 jrelease=$8 unit=$9 user=${10}
shift 10
host_facts "$jrelease" "$user"
for d in "$install" "$data" "$datalog"; do unwritable "$d"; done
first_line release "$release"
for j in "$(dirname -- "$release")"/lib/zookeeper-[0-9]*.jar; do
  if [ -f "$j" ]; then
    j=${j##*/zookeeper-}
    printf 'version=%s\n' "${j%.jar}"
  fi
done
if v=$(user_reads "$user" "$myidf" head -c 64); then
  printf 'myid=%s\n' "$(printf '%s' "$v" | tr -d '\r\n ')"
fi
if as_user "$user" test -d "$data/version-2" 2>/dev/null; then echo history=1; fi
if v=$(user_reads "$user" "$data/version-2/currentEpoch" head -c 32); then
  printf 'epoch=%s\n' "$(printf '%s' "$v" | tr -cd '0-9')"
fi
if v=$(user_reads "$user" "$data/.zkctl-cluster" head -c 4096); then
  printf 'mark=%s\n' "$(printf '%s\n' "$v" | head -n 1 | head -c 128 | tr -d '\r')"
fi
if pid=$(running_pid "$pidf" org.apache.zookeeper "$user") ||
  pid=$(unit_pid "$unit" org.apache.zookeeper); then
  process_facts "$pid"
fi
restart_pending "$install"
listeners "$ports"
checksums "$user" "$@"
exit 0
