#!/bin/sh
# Stop UNIT; prints `stopped`, or `none` if it was not active.
# Usage: stop.sh UNIT
set -u
if ! systemctl is-active --quiet -- "$1"; then echo none; exit 0; fi
systemctl stop -- "$1" || exit 1
echo stopped
