#!/bin/sh
# `pid=PID` of UNIT's main process, if it has one, else nothing.
# Usage: pid.sh UNIT
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
await_pid 1 main_pid "$1" || exit 0
