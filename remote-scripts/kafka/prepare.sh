#!/bin/sh
# Create a Kafka node's config and log dirs and its LOGDIRs, drop temp files of writes
# cut off earlier, and copy the distribution's logging configs (CURRENT/config) into
# CONFIG where CONFIG has none. The install dir (CURRENT's parent) and CONFIG are made
# root's and writable by no one else (root_dir), so the service user can swap nothing
# root reads there; CONFIG/tls (a secure cluster's keys, CA and zkctl's admin client config)
# likewise.
# Usage: prepare.sh CONFIG LOGS CURRENT [LOGDIR...]
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
config=$1 logs=$2 current=$3
shift 3
mkdir -p -- "$config" "$config/tls" "$logs" "$@"
root_dir "$(dirname -- "$current")"
root_dir "$config"
root_dir "$config/tls"
rm -f -- "$config"/.*.zkctl-tmp-* "$config"/tls/.*.zkctl-tmp-*
for f in log4j.properties tools-log4j.properties log4j2.yaml tools-log4j2.yaml; do
  if [ ! -e "$config/$f" ] && [ -e "$current/config/$f" ]; then
    atomic_copy "$current/config/$f" "$config/$f"
  fi
done
