#!/bin/sh
# `pid=PID` of the monitoring daemon whose command line holds MARK, if it runs, else nothing.
# Usage: pid.sh MARK
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
await_pid 1 find_pid "$1" || exit 0
