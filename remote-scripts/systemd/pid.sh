#!/bin/sh
# `pid=PID` of UNIT's main process, if it has one, else nothing.
# Usage: pid.sh UNIT
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
if p=$(main_pid "$1"); then printf 'pid=%s\n' "$p"; fi
exit 0
