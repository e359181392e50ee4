#!/bin/sh
# Have the monitoring daemon whose command line holds "BIN MARK" re-read its configuration
# (SIGHUP: Prometheus reloads its config and rules without a restart); prints `reloaded`, or
# `none` if it was not running.
# Usage: reload.sh MARK BIN
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
if ! pid=$(find_pid "$2 $1"); then echo none; exit 0; fi
kill -HUP "$pid" && echo reloaded
