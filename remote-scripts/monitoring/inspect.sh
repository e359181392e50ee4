#!/bin/sh
# Facts about a monitoring daemon's host (the host agent or Prometheus), one `key=value` line
# each (ops::parse_daemon_facts): the common host facts, `binary=missing` when BIN is not an
# executable, DIR when it cannot be created, the running daemon's PID (the process whose
# command line holds "BIN MARK") and user, listeners on PORT, the checksum of each FILE present
# (read as USER, user_reads). Always exits 0.
# Usage: inspect.sh BIN DIR MARK PORT USER [FILE...]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
bin=$1 dir=$2 mark=$3 port=$4 user=$5
shift 5
host_facts "" "$user"
if [ ! -x "$bin" ]; then echo binary=missing; fi
unwritable "$dir"
if pid=$(find_pid "$bin $mark"); then process_facts "$pid"; fi
listeners "$port"
checksums "$user" "$@"
exit 0
