#!/bin/sh
# Stop the Kafka node started with PROPS: SIGTERM, SIGKILL after GRACE seconds, wait
# until it is gone; prints `stopped`, or `none` if it was not running.
# Usage: stop.sh PROPS GRACE
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
props=$1 grace=$2
if ! pid=$(find_pid " kafka.Kafka $props "); then echo none; exit 0; fi
kill -TERM "$pid" 2>/dev/null || true
n=0
while find_pid " kafka.Kafka $props " >/dev/null; do
  n=$((n + 1))
  if [ "$n" -eq $((grace * 10)) ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  sleep 0.1
done
echo stopped
