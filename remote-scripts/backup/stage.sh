#!/bin/sh
# Make a private dir for an uploaded archive (root's, mode 0700) and print its path.
# Usage: stage.sh
set -eu
mktemp -d /tmp/zkctl-restore.XXXXXX
