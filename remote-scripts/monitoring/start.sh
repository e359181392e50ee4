#!/bin/sh
# Start a monitoring daemon: BIN with ARGs as USER in its own session, its output appended
# to LOG (in a dir USER owns), unless a process whose command line holds MARK runs already;
# print `pid=PID`. Fails if none runs 10 s after the start, with LOG's last lines.
# Usage: start.sh BIN LOG USER MARK [ARG...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
bin=$1 log=$2 user=$3 mark=$4
shift 4
if await_pid 1 find_pid "$mark"; then exit 0; fi
# shellcheck disable=SC2016
as_user "$user" setsid sh -c 'log=$1; shift; exec "$@" >>"$log" 2>&1' sh "$log" "$bin" "$@" \
  </dev/null >/dev/null 2>&1 &
if await_pid 100 find_pid "$mark"; then exit 0; fi
echo "$bin did not start; the end of $log:" >&2
as_user "$user" tail -n 5 -- "$log" >&2
exit 1
