#!/bin/sh
# Create a ZooKeeper server's conf, log and data dirs (and DATALOG if not empty), drop
# temp files of writes cut off earlier (they never become configs), and copy the
# distribution's logging config (CURRENT/conf) into CONF where CONF has none. The install
# dir (CURRENT's parent) and CONF are made root's and writable by no one else (root_dir),
# so the service user can swap nothing root reads there; CONF/tls (a secure cluster's keys and
# CA) likewise.
# Usage: prepare.sh CONF LOGS DATA DATALOG CURRENT
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
conf=$1 logs=$2 data=$3 datalog=$4 current=$5
mkdir -p -- "$conf" "$conf/tls" "$logs" "$data"
if [ -n "$datalog" ]; then mkdir -p -- "$datalog"; fi
root_dir "$(dirname -- "$current")"
root_dir "$conf"
root_dir "$conf/tls"
rm -f -- "$conf"/.*.zkctl-tmp-* "$conf"/tls/.*.zkctl-tmp-* "$data"/.*.zkctl-tmp-*
for f in log4j.properties logback.xml; do
  if [ ! -e "$conf/$f" ] && [ -e "$current/conf/$f" ]; then
    atomic_copy "$current/conf/$f" "$conf/$f"
  fi
done
