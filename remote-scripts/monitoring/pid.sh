#!/bin/sh
# `pid=PID` of the monitoring daemon whose command line holds "BIN MARK", if it runs, else nothing.
# Usage: pid.sh MARK BIN
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
await_pid 1 find_pid "$2 $1" || exit 0
