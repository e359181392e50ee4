#!/bin/sh
# Remove a dir stage.sh made (only a /tmp/zkctl-restore.* dir, never anything else).
# Usage: unstage.sh DIR
set -eu
case $1 in (/tmp/zkctl-restore.*/* | */../* | */..) echo "not a staging dir: $1" >&2; exit 2 ;; (/tmp/zkctl-restore.?*) rm -rf -- "$1" ;; (*) echo "not a staging dir: $1" >&2; exit 2 ;; esac
