#!/bin/sh
# SIGTERM to process group PGID (a timed-out command's shell and its children); quiet
# if it is gone.
# Usage: kill-group.sh PGID
kill -TERM -- "-$1" 2>/dev/null
