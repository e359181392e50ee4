#!/bin/sh
# Facts about one Kafka node's host, one `key=value` line each (ops::parse_kafka_facts):
# the common host facts, dirs that cannot be created (INSTALL and the NDIRS log dirs),
# the installed release and its version (from its libs/kafka-clients-X.Y.Z.jar, in the
# root-owned install dir), the first log dir's meta.properties as `meta.KEY=VALUE`, the
# running node's PID (the kafka.Kafka JVM started with PROPS) and user, listeners on its
# ports, the checksum of each FILE present. Always exits 0. meta.properties (in a log dir
# USER owns) and the FILEs are read as USER (user_reads): root follows no link USER planted.
# Usage: inspect.sh INSTALL PROPS META RELEASE PORTS NDIRS JRELEASE USER [LOGDIR...] [FILE...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 props=$2 meta=$3 release=$4 ports=$5 ndirs=$6 jrelease=$7 user=$8
shift 8
host_facts "$jrelease" "$user"
unwritable "$install"
i=0
for d in "$@"; do
  if [ "$i" -ge "$ndirs" ]; then break; fi
  i=$((i + 1))
  unwritable "$d"
done
shift "$ndirs"
first_line release "$release"
for j in "$(dirname -- "$release")"/libs/kafka-clients-[0-9]*.jar; do
  if [ -f "$j" ]; then
    j=${j##*/kafka-clients-}
    printf 'version=%s\n' "${j%.jar}"
  fi
done
user_reads "$user" "$meta" sed -n 's/^\([a-z.]*\)=\(.*\)$/meta.\1=\2/p' || true
if pid=$(find_pid " kafka.Kafka $props "); then process_facts "$pid"; fi
restart_pending "$install"
listeners "$ports"
checksums "$user" "$@"
exit 0
