#!/bin/sh
# Start UNIT and print `pid=PID` of its main process; fails if it has none 5 s later.
# Usage: start.sh UNIT
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
unit=$1
systemctl start -- "$unit" || exit 1
i=0
while [ $i -lt 50 ]; do
  if p=$(main_pid "$unit"); then printf 'pid=%s\n' "$p"; exit 0; fi
  i=$((i + 1))
  sleep 0.1
done
echo "$unit has no main process after start; see journalctl -u $unit" >&2
exit 1
