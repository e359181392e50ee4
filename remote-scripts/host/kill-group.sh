#!/bin/sh
# SIGTERM to process group PGID (a timed-out command's shell and its children); quiet
# if it is gone. (`-s TERM`: dash reads `kill -TERM -- -PGID` as a usage error.)
# Usage: kill-group.sh PGID
kill -s TERM -- "-$1" 2>/dev/null
