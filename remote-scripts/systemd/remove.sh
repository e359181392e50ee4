#!/bin/sh
# Disable UNIT, remove its FILE and reload systemd; prints `removed`, or `absent` (and
# does nothing) if FILE does not exist.
# Usage: remove.sh UNIT FILE
set -u
[ -e "$2" ] || { echo absent; exit 0; }
systemctl disable --quiet -- "$1" 2>/dev/null || true
rm -f -- "$2"
systemctl daemon-reload
echo removed
