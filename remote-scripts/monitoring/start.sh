#!/bin/sh
# Start a monitoring daemon: BIN with ARGs as USER in its own session, its output appended
# to LOG (in a dir USER owns), unless a process whose command line holds "BIN MARK" runs already;
# print `pid=PID`. Fails, with LOG's last lines, when it exits or none runs after 100 tries.
# Usage: start.sh BIN LOG USER MARK [ARG...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
bin=$1 log=$2 user=$3 mark=$4
shift 4
if await_pid 1 find_pid "$bin $mark"; then exit 0; fi
# shellcheck disable=SC2016
# A subshell, so the redirections replace its descriptors: a function call's redirections keep
# the caller's (the SSH channel) open in the shell that waits for the daemon.
(as_user "$user" setsid sh -c 'log=$1; shift; exec "$@" >>"$log" 2>&1' sh "$log" "$bin" "$@") \
  </dev/null >/dev/null 2>&1 &
bg=$!
n=0
while [ "$n" -lt 100 ]; do
  if await_pid 1 find_pid "$bin $mark"; then exit 0; fi
  kill -0 "$bg" 2>/dev/null || break # it exited: no use waiting
  n=$((n + 1))
  sleep 0.1
done
echo "$bin did not start; the end of $log:" >&2
as_user "$user" tail -n 5 -- "$log" >&2
exit 1
