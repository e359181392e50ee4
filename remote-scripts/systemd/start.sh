#!/bin/sh
# Start UNIT and print `pid=PID` of its main process; fails if it has none 5 s later.
# Usage: start.sh UNIT
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
unit=$1
systemctl start -- "$unit" || exit 1
if await_pid 50 main_pid "$unit"; then exit 0; fi
echo "$unit has no main process after start; see journalctl -u $unit" >&2
exit 1
