#!/bin/sh
# Stop the monitoring daemon whose command line holds "BIN MARK" (never this script's own:
# its arguments do not hold them side by side): SIGTERM, SIGKILL after GRACE
# seconds, wait until it is gone; prints `stopped`, or `none` if it was not running.
# Usage: stop.sh MARK GRACE BIN
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
mark="$3 $1" grace=$2
if ! pid=$(find_pid "$mark"); then echo none; exit 0; fi
kill -TERM "$pid" 2>/dev/null || true
n=0
while find_pid "$mark" >/dev/null; do
  n=$((n + 1))
  if [ "$n" -eq $((grace * 10)) ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  sleep 0.1
done
echo stopped
