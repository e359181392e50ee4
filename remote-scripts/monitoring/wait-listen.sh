#!/bin/sh
# Wait up to SECONDS until the process whose command line holds "BIN MARK" listens on PORT; prints
# `listening`. Fails (with what ss saw) if it does not in time or the process is gone.
# Usage: wait-listen.sh MARK PORT SECONDS BIN
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
mark="$4 $1" port=$2 seconds=$3
n=0
while :; do
  if ! pid=$(find_pid "$mark"); then
    echo "not running" >&2
    exit 1
  fi
  if ss -Hltnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"; then
    echo listening
    exit 0
  fi
  n=$((n + 1))
  if [ "$n" -ge $((seconds * 10)) ]; then
    echo "pid $pid does not listen on port $port after ${seconds} s" >&2
    exit 1
  fi
  sleep 0.1
done
